"""Run the `claimrules` command in guarded child processes: an address-space cap, a CPU-time
cap, and each child's own peak RSS and CPU time (from `os.wait4` in a small launcher process,
`_spawn.py`, so children running side by side, or forked from a large test worker, do not blur
each other's numbers). Output goes to files, not pipes, so no reader threads are
needed and a child that floods its output cannot block.

Nothing here fails because the machine is slow, and nothing here reads a clock. The caps are set
by `resource.setrlimit` in the child, so they count the child's own work whatever else the machine
is doing; a kernel alarm set in the child (`signal.alarm`, kept across exec) only ends a child
that is truly hung (blocked, not busy), and the result says so.
"""

from __future__ import annotations

import fcntl
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

#: Address-space cap of each child: a guard against a runaway, not the bound being tested.
ADDRESS_SPACE = 600 * 1024 * 1024
#: CPU seconds a child may use (a `claimrules` run needs well under one): only a runaway
#: reaches it, and then the kernel stops the child with SIGXCPU.
CPU_SECONDS = 60
#: Seconds after which the kernel ends a child with SIGALRM as hung (blocked on something, since
#: the CPU cap ends a busy one first). Never a pass/fail budget for work.
HANG_SECONDS = 600


def claimrules_argv(*args: str) -> list[str]:
    """The console script installed beside this interpreter (not whichever one is first on
    PATH), or the module when there is none."""
    script = Path(sys.executable).parent / "claimrules"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), *args]
    return [sys.executable, "-m", "claimrules", *args]


def limit_child() -> None:
    """Cap the address space and the CPU time of the calling process, and arm its hang alarm:
    pass it as `preexec_fn`, so it runs in the child between fork and exec."""
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 5))
    signal.alarm(HANG_SECONDS)


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
    cpu_seconds: float  # user + system time of the child itself
    max_rss_mb: float

    @property
    def hung(self) -> bool:
        """Ended by the hang alarm."""
        return self.returncode == -signal.SIGALRM

    @property
    def cpu_limited(self) -> bool:
        """Stopped by the CPU-time cap (SIGXCPU at the soft limit, SIGKILL at the hard one)."""
        return self.returncode == -signal.SIGXCPU or (
            self.returncode == -signal.SIGKILL and self.cpu_seconds >= CPU_SECONDS)

    def why_stopped(self) -> str:
        """A note for a failure message: how the child ended, and its CPU time and peak RSS."""
        how = ("hung: killed by the hang guard" if self.hung
               else "stopped by the CPU-time cap" if self.cpu_limited
               else f"exit {self.returncode}")
        return f"{how} (CPU {self.cpu_seconds:.1f} s, peak RSS {self.max_rss_mb:.0f} MB)"


def _environment(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "PYTEST_"))}
    env.update({"NO_COLOR": "1", "LC_ALL": "C.UTF-8", "COLUMNS": "100"})
    env.update(extra)
    return env


#: The small launcher the children are forked from (see its docstring: peak RSS is kept across
#: exec, so a child forked from a grown test worker would report the worker's size).
SPAWN = Path(__file__).with_name("_spawn.py")


def _resolved(argv: Sequence[str]) -> list[str]:
    """`argv` with its program as a path (the launcher execs it without a PATH search)."""
    program = argv[0]
    if os.sep not in program:
        found = shutil.which(program)
        if found is not None:
            program = found
    return [program, *argv[1:]]


def run_many(jobs: Sequence[Job], *, parallel: int = 3) -> list[Run]:
    """Run `jobs`, at most `parallel` at a time; results in the order of `jobs`. The children
    are started by a small launcher process (`_spawn.py`), so each one's peak RSS is its own."""
    if not jobs:
        return []
    with tempfile.TemporaryDirectory(prefix="claimrules-runs-") as scratch:
        request = {
            "parallel": parallel,
            "caps": {"address_space": ADDRESS_SPACE, "cpu": CPU_SECONDS, "hang": HANG_SECONDS},
            "jobs": [{"argv": _resolved(job.argv), "cwd": str(job.cwd),
                      "stdin": str(job.stdin) if job.stdin is not None else None,
                      "env": _environment(job.env),
                      "out": f"{scratch}/{n}.out", "err": f"{scratch}/{n}.err"}
                     for n, job in enumerate(jobs)],
        }
        done = subprocess.run(
            [sys.executable, "-S", "-I", str(SPAWN)], input=json.dumps(request).encode(),
            capture_output=True, check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the launcher failed: {done.stderr.decode(errors='replace')}")
        figures = json.loads(done.stdout)
        return [
            Run(job, f["returncode"], Path(f"{scratch}/{n}.out").read_bytes(),
                Path(f"{scratch}/{n}.err").read_bytes(), f["cpu_seconds"], f["max_rss_mb"])
            for n, (job, f) in enumerate(zip(jobs, figures, strict=True))
        ]


def run(job: Job) -> Run:
    """Run one job."""
    return run_many([job], parallel=1)[0]


# --- shared between the workers of one test session -------------------------------------------


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (created when missing) for the block: with
    pytest-xdist, one worker at a time gets through; the kernel drops the lock if its holder
    dies, so a crashed worker never leaves the others waiting."""
    with open(path, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def run_once(store: Path, name: str, job: Job) -> Run:
    """`job`'s result, run by whichever worker of the test session asks first for `name` and
    kept in the directory `store` (shared by the workers) for the others: tests of one child
    spread over several workers still start it once. `name` is unique within `store`."""
    store.mkdir(parents=True, exist_ok=True)
    saved = store / f"{name}.json"
    with locked(store / f"{name}.lock"):
        if not saved.exists():
            done = run(job)
            (store / f"{name}.out").write_bytes(done.stdout)
            (store / f"{name}.err").write_bytes(done.stderr)
            saved.write_text(json.dumps({"returncode": done.returncode,
                                         "cpu_seconds": done.cpu_seconds,
                                         "max_rss_mb": done.max_rss_mb}), encoding="utf-8")
            return done
    figures = json.loads(saved.read_text(encoding="utf-8"))
    return Run(job, figures["returncode"], (store / f"{name}.out").read_bytes(),
               (store / f"{name}.err").read_bytes(), figures["cpu_seconds"],
               figures["max_rss_mb"])
