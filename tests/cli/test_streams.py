"""Bounded input and honest exits (issue 13, items 2-4), through the installed command: a batch
streams in flat memory with a per-line length cap, bad lines are the same from a file and from
stdin and make the run exit 1, endless input (`/dev/zero`) ends in a clean error, closed stdin
is an input error, and writing output that fails (a file-size limit) never exits 0."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from _proc import Job, Run, claimrules_argv, limit_child, run
from conftest import ROOT, SHIPPED

BATCH = ROOT / "tests" / "hostile" / "batch"
ERROR_LINE = re.compile(
    r"(?P<file>[^\s:][^:]*?):(?P<line>[1-9][0-9]*):(?P<col>[1-9][0-9]*): error: "
    r"\S.* \[[a-z0-9]+(?:-[a-z0-9]+)*\]"
)
HELP_LINE = re.compile(r"  help: \S.*")
SUMMARY = re.compile(r"[0-9]+ decisions, [0-9]+ bad lines")
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MEMORY_MB = 100

#: Runs a command as its own child and writes that child's peak RSS (KiB) to a file. A process
#: forked from a large one (pytest, late in a run) reports the parent's RSS at fork as its own
#: peak; this launcher is small when it forks, so the figure is the command's own.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""

#: A guard against a truly hung child only: a slow machine never trips it.
HANG = 600


def _own_peak(job: Job, tmp: Path) -> tuple[Run, float]:
    """Run `job` through the launcher: the result and the command's own peak RSS in MB."""
    report = tmp / "peak-rss"
    launched = Job([sys.executable, "-S", "-c", _LAUNCHER, str(report), *job.argv], job.cwd,
                   stdin=job.stdin, env=job.env)
    r = run(launched)
    assert not r.hung
    return r, int(report.read_text(encoding="utf-8")) / 1024


def _batch(cwd: Path, source: str, stdin: Path | None = None) -> Run:
    r = run(Job(claimrules_argv("eval", str(SHIPPED), "--batch", source), cwd, stdin=stdin))
    assert not r.hung
    return r


def _check_stderr(stderr: str) -> list[str]:
    assert "Traceback" not in stderr
    bad = CONTROL.search(stderr)
    assert bad is None, f"control character {bad.group()!r} in {stderr!r}"
    lines = stderr.splitlines()
    for line in lines:
        assert ERROR_LINE.fullmatch(line) or HELP_LINE.fullmatch(line) or SUMMARY.fullmatch(
            line), f"not a diagnostic line: {line!r}"
    return lines


@pytest.mark.parametrize("fixture", sorted(p.name for p in BATCH.glob("*.jsonl")))
def test_a_batch_reads_the_same_from_a_file_and_from_stdin(fixture: str) -> None:
    from_file = _batch(BATCH, fixture)
    from_stdin = _batch(BATCH, "-", stdin=BATCH / fixture)
    assert from_file.stdout == from_stdin.stdout
    assert from_file.stderr.decode().replace(fixture, "<stdin>") == from_stdin.stderr.decode()
    rows = [json.loads(line) for line in from_file.stdout.splitlines()]
    bad = [r for r in rows if "error" in r]
    errors = [line for line in _check_stderr(from_file.stderr.decode())
              if ERROR_LINE.fullmatch(line)]
    assert len(errors) == len(bad)
    assert from_file.returncode == from_stdin.returncode == (1 if bad else 0)
    assert all(r["verdict"] == "prohibited" for r in rows if "error" not in r)
    assert len(rows) - len(bad) >= 2  # the good lines around a bad one are decided


def test_bad_lines_are_one_line_each_and_cannot_forge_errors() -> None:
    r = _batch(BATCH, "forged_error.jsonl")
    lines = _check_stderr(r.stderr.decode())
    errors = [line for line in lines if ERROR_LINE.fullmatch(line)]
    assert [e.split(": error:")[0] for e in errors] == [
        "forged_error.jsonl:2:1", "forged_error.jsonl:3:1"]
    assert not any(line.startswith("rs:1:1") for line in lines)
    assert r.returncode == 1
    assert "\\x1b]0;owned\\x07" in errors[0]
    assert "\\u202e" in errors[0]


def test_an_over_long_line_is_one_bad_line(tmp_path: Path) -> None:
    good = (BATCH / "bad_utf8.jsonl").read_bytes().splitlines(keepends=True)[0]
    batch = tmp_path / "long.jsonl"
    with batch.open("wb") as f:
        f.write(good)
        f.write(b'{"facts": {"actor": "' + b"u" * (8 << 20) + b'"}}\n')
        f.write(good)
    argv = claimrules_argv("eval", str(SHIPPED), "--batch")
    for job in (Job([*argv, "long.jsonl"], tmp_path), Job([*argv, "-"], tmp_path, stdin=batch)):
        r, peak = _own_peak(job, tmp_path)
        assert r.returncode == 1
        rows = [json.loads(line) for line in r.stdout.splitlines()]
        assert [row.get("code", row.get("verdict")) for row in rows] == [
            "prohibited", "batch-line-too-long", "prohibited"]
        assert "line is longer than 1048576 bytes [batch-line-too-long]" in r.stderr.decode()
        assert peak < MEMORY_MB, f"peak RSS {peak:.0f} MB"


def test_a_batch_from_dev_zero_ends_in_a_clean_error(tmp_path: Path) -> None:
    r, peak = _own_peak(Job(claimrules_argv("eval", str(SHIPPED), "--batch", "-"), tmp_path,
                            stdin=Path("/dev/zero")), tmp_path)
    lines = _check_stderr(r.stderr.decode())
    assert r.returncode == 2
    assert lines[-1].endswith("[batch-line-endless]")
    assert peak < MEMORY_MB, f"peak RSS {peak:.0f} MB"


def test_a_batch_of_many_lines_runs_in_flat_memory(tmp_path: Path) -> None:
    # 300,000 lines (30 MB): blank, bad and good ones; nothing may hold them all.
    good = (BATCH / "bad_utf8.jsonl").read_bytes().splitlines(keepends=True)[0]
    batch = tmp_path / "many.jsonl"
    with batch.open("wb") as f:
        f.write(good)
        for _ in range(3000):
            f.write((b" " * 99 + b"\n") * 99 + b"\x00\n")
    r, peak = _own_peak(Job(claimrules_argv("eval", str(SHIPPED), "--batch", "-"), tmp_path,
                            stdin=batch), tmp_path)
    assert r.returncode == 1
    assert r.stderr.decode().splitlines()[-1] == "1 decisions, 3000 bad lines"
    assert peak < MEMORY_MB, f"peak RSS {peak:.0f} MB"


def test_ask_from_dev_zero_ends_in_a_clean_error(tmp_path: Path) -> None:
    r, peak = _own_peak(Job(claimrules_argv("ask", str(SHIPPED)), tmp_path,
                            stdin=Path("/dev/zero")), tmp_path)
    assert r.returncode == 2
    # the question goes to stderr too; the error is the last line
    assert r.stderr.decode().strip().splitlines()[-1].endswith(
        "<stdin>: error: answer is longer than 4096 bytes [answer-too-long]")
    assert peak < MEMORY_MB, f"peak RSS {peak:.0f} MB"


def _closed_stdin(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(claimrules_argv(*args), capture_output=True, text=True, env=env,
                          timeout=HANG, check=False, stdin=subprocess.DEVNULL,
                          preexec_fn=lambda: (limit_child(), os.close(0)))


@pytest.mark.parametrize("args", [("eval", str(SHIPPED), "-"),
                                  ("eval", str(SHIPPED), "--batch", "-"),
                                  ("ask", str(SHIPPED))], ids=["eval", "batch", "ask"])
def test_closed_stdin_is_an_input_error(args: tuple[str, ...]) -> None:
    done = _closed_stdin(*args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().endswith(
        "<stdin>: error: standard input is closed [stdin-closed]"), done.stderr
    assert "Traceback" not in done.stderr


# --- honest exits on output ------------------------------------------------------------------


def _limited(argv: list[str], cwd: Path, stdout: Path) -> subprocess.CompletedProcess[bytes]:
    """`argv` with a file-size limit of 1 KiB (`ulimit -f 1`) and stdout sent to a file."""

    def limit() -> None:
        limit_child()
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    with stdout.open("wb") as out:
        return subprocess.run(argv, cwd=cwd, stdout=out, stderr=subprocess.PIPE, timeout=HANG,
                              check=False, preexec_fn=limit)


@pytest.mark.parametrize("args", [("export",), ("claims",), ("report",), ("eval", "--format",
                                  "markdown", str(ROOT / "examples" / "contested.yaml"))],
                         ids=lambda a: a[0] + (a[-1][-13:] if len(a) > 1 else ""))
def test_a_file_size_limit_on_stdout_is_an_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    command, *rest = args
    done = _limited(claimrules_argv(command, str(SHIPPED), *rest), tmp_path, tmp_path / "out")
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err == "<stdout>: error: cannot write output: file too large [output-write]\n"
    assert (tmp_path / "out").stat().st_size <= 1024


def test_a_file_size_limit_on_an_output_file_names_the_file(tmp_path: Path) -> None:
    argv = claimrules_argv("export", str(SHIPPED), "-o", "claims.jsonld")
    done = _limited(argv, tmp_path, tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.decode() == (
        "claims.jsonld: error: cannot write output: file too large [output-write]\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temp file, no half file


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    proc = subprocess.Popen(claimrules_argv("claims", str(SHIPPED)), cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=limit_child)  # noqa: PLW1509 - no lock taken
    assert proc.stdout is not None
    assert proc.stderr is not None
    first = proc.stdout.readline()  # `| head -1`
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=HANG) == 0
    assert first
    assert err == b""


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.5])
def test_ctrl_c_at_any_moment_exits_130_without_a_traceback(tmp_path: Path, delay: float
                                                             ) -> None:
    proc = subprocess.Popen(
        claimrules_argv("eval", str(SHIPPED), str(ROOT / "examples" / "contested.yaml")),
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "CLAIMRULES_NO_CACHE": "1"},
        preexec_fn=limit_child,  # noqa: PLW1509 - no lock taken
    )
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=HANG)
    text = err.decode()
    if "Traceback" in text or "Fatal Python error" in text:
        # Only the interpreter's own start-up (site, the generated wrapper's imports, the
        # package's first lines) comes before the entry point can catch an interrupt.
        assert "claimrules/__main__.py" not in text, text
        assert "claimrules/cli/main.py" not in text, text
        return
    # Ended first (0), said so (130), or killed by the signal's default action before the
    # interpreter installed its handler (the shell reports 130 for that too).
    assert proc.returncode in (0, 130, -signal.SIGINT), text
    if proc.returncode == 130:
        assert text.strip() == "interrupted"


_INTERRUPTED_IMPORT = """
import sys
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            raise KeyboardInterrupt
        return None
sys.meta_path.insert(0, Interrupt())
sys.argv = ["claimrules", "--version"]
from claimrules.__main__ import main
main()
"""


#: Ctrl-C while a class is made: Python 3.11 raises it wrapped, a RuntimeError from
#: `__set_name__` (as when it lands in the import of `ipaddress`), later ones as it is.
_WRAPPED_INTERRUPT = """
import sys
class Descriptor:
    def __set_name__(self, owner, name):
        raise KeyboardInterrupt
def interrupted_class():
    class Made:
        field = Descriptor()
{where}
from claimrules.__main__ import main
main()
"""
_WHERE = {
    # while the command line is imported (claimrules.__main__ guards the import)
    "import": """
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            interrupted_class()
        return None
sys.meta_path.insert(0, Interrupt())
sys.argv = ["claimrules", "--version"]
""",
    # while a command runs (claimrules.cli.main guards it)
    "command": """
import claimrules.cli.main as cli_main
def command(*args, **kwargs):
    interrupted_class()
cli_main.cli.main = command
sys.argv = ["claimrules", "--version"]
""",
}


def test_ctrl_c_while_the_command_line_is_imported_exits_130() -> None:
    done = subprocess.run([sys.executable, "-c", _INTERRUPTED_IMPORT], capture_output=True,
                          text=True, timeout=HANG, check=False, preexec_fn=limit_child)
    assert (done.returncode, done.stderr) == (130, "interrupted\n")


@pytest.mark.parametrize("where", sorted(_WHERE))
def test_ctrl_c_raised_wrapped_exits_130_not_as_a_bug(where: str) -> None:
    code = _WRAPPED_INTERRUPT.format(where=_WHERE[where])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=HANG, check=False, preexec_fn=limit_child)
    assert (done.returncode, done.stderr) == (130, "interrupted\n")


def test_an_error_caused_by_another_error_is_still_a_bug() -> None:
    from claimrules.interrupt import interrupted_by

    try:
        try:
            raise ValueError("first")
        except ValueError as exc:
            raise RuntimeError("second") from exc
    except RuntimeError as exc:
        assert not interrupted_by(exc)
    looped = RuntimeError("a cause that is its own context")
    looped.__context__ = looped
    assert not interrupted_by(looped)
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = KeyboardInterrupt()
    assert interrupted_by(wrapped)


def test_closed_stdout_is_an_error_not_a_bug() -> None:
    done = subprocess.run(claimrules_argv("sources", str(SHIPPED)), stderr=subprocess.PIPE,
                          stdout=subprocess.DEVNULL, text=True, timeout=HANG, check=False,
                          preexec_fn=lambda: (limit_child(), os.close(1)))
    assert done.returncode == 2, done.stderr
    assert done.stderr == "<stdout>: error: standard output is closed [stdout-closed]\n"
