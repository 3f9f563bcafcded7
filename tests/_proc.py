"""Run the `claimrules` command in guarded child processes: an address-space limit, a timeout,
and each child's own peak RSS (from `os.wait4`, so children running side by side do not blur
each other's numbers). Output goes to files, not pipes, so no reader threads are needed and a
child that floods its output cannot block."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Address-space cap of each child: a guard against a runaway, not the bound being tested.
ADDRESS_SPACE = 600 * 1024 * 1024
#: Seconds before a child is killed (interpreter start-up alone is 0.2-0.8 s).
TIMEOUT = 10.0


def claimrules_argv(*args: str) -> list[str]:
    """The console script installed beside this interpreter (not whichever one is first on
    PATH), or the module when there is none."""
    script = Path(sys.executable).parent / "claimrules"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), *args]
    return [sys.executable, "-m", "claimrules", *args]


@dataclass(frozen=True)
class Job:
    """One command to run."""

    argv: Sequence[str]
    cwd: Path
    stdin: Path | None = None  # a file (or device) to read stdin from; /dev/null when None
    env: dict[str, str] = field(default_factory=dict)  # added to a clean copy of os.environ


@dataclass(frozen=True)
class Run:
    """What a child did."""

    job: Job
    returncode: int
    stdout: bytes
    stderr: bytes
    seconds: float
    max_rss_mb: float
    timed_out: bool


def _limit_address_space() -> None:  # runs in the child, between fork and exec
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _environment(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "PYTEST_"))}
    env.update({"NO_COLOR": "1", "LC_ALL": "C.UTF-8", "COLUMNS": "100"})
    env.update(extra)
    return env


@dataclass
class _Child:
    job: Job
    proc: subprocess.Popen[bytes]
    out: object
    err: object
    started: float


def _start(job: Job, scratch: Path, n: int) -> _Child:
    out = open(scratch / f"{n}.out", "w+b")  # noqa: SIM115 - closed in _finish
    err = open(scratch / f"{n}.err", "w+b")  # noqa: SIM115
    stdin = open(job.stdin, "rb") if job.stdin is not None else subprocess.DEVNULL  # noqa: SIM115
    try:
        proc = subprocess.Popen(
            list(job.argv), cwd=job.cwd, stdin=stdin, stdout=out, stderr=err,
            env=_environment(job.env), preexec_fn=_limit_address_space,  # noqa: PLW1509
        )
    finally:
        if not isinstance(stdin, int):
            stdin.close()
    return _Child(job, proc, out, err, time.perf_counter())


def _finish(child: _Child, status: int, usage: resource.struct_rusage, timed_out: bool) -> Run:
    seconds = time.perf_counter() - child.started
    child.proc.returncode = os.waitstatus_to_exitcode(status)
    streams = []
    for handle in (child.out, child.err):
        handle.seek(0)  # type: ignore[attr-defined]
        streams.append(handle.read())  # type: ignore[attr-defined]
        handle.close()  # type: ignore[attr-defined]
    return Run(child.job, child.proc.returncode, streams[0], streams[1], seconds,
               usage.ru_maxrss / 1024, timed_out)  # ru_maxrss is in KiB on Linux


def run_many(jobs: Sequence[Job], *, parallel: int = 3, timeout: float = TIMEOUT) -> list[Run]:
    """Run `jobs`, at most `parallel` at a time; results in the order of `jobs`."""
    results: dict[int, Run] = {}
    pending = list(enumerate(jobs))
    running: dict[int, _Child] = {}
    with tempfile.TemporaryDirectory(prefix="claimrules-runs-") as scratch:
        while pending or running:
            while pending and len(running) < parallel:
                n, job = pending.pop(0)
                running[n] = _start(job, Path(scratch), n)
            for n, child in list(running.items()):
                pid, status, usage = os.wait4(child.proc.pid, os.WNOHANG)
                timed_out = False
                if pid == 0:
                    if time.perf_counter() - child.started < timeout:
                        continue
                    os.kill(child.proc.pid, signal.SIGKILL)
                    pid, status, usage = os.wait4(child.proc.pid, 0)
                    timed_out = True
                results[n] = _finish(child, status, usage, timed_out)
                del running[n]
            time.sleep(0.005)
    return [results[n] for n in range(len(jobs))]


def run(job: Job, *, timeout: float = TIMEOUT) -> Run:
    """Run one job."""
    return run_many([job], parallel=1, timeout=timeout)[0]
