"""Bounded input and honest exits (issue 13, items 2-4), through the installed command: a batch
streams in flat memory with a per-line length cap, bad lines are the same from a file and from
stdin and make the run exit 1, endless input (`/dev/zero`) ends in a clean error, closed stdin
is an input error, and writing output that fails (a file-size limit) never exits 0."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from _proc import Job, Run, claimrules_argv, run
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


def _batch(cwd: Path, source: str, stdin: Path | None = None) -> Run:
    r = run(Job(claimrules_argv("eval", str(SHIPPED), "--batch", source), cwd, stdin=stdin))
    assert not r.timed_out
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
    for r in (_batch(tmp_path, "long.jsonl"), _batch(tmp_path, "-", stdin=batch)):
        assert r.returncode == 1
        rows = [json.loads(line) for line in r.stdout.splitlines()]
        assert [row.get("code", row.get("verdict")) for row in rows] == [
            "prohibited", "batch-line-too-long", "prohibited"]
        assert "line is longer than 1048576 bytes [batch-line-too-long]" in r.stderr.decode()
        assert r.max_rss_mb < MEMORY_MB, f"peak RSS {r.max_rss_mb:.0f} MB"


def test_a_batch_from_dev_zero_ends_in_a_clean_error(tmp_path: Path) -> None:
    r = _batch(tmp_path, "-", stdin=Path("/dev/zero"))
    lines = _check_stderr(r.stderr.decode())
    assert r.returncode == 2
    assert lines[-1].endswith("[batch-line-endless]")
    assert r.max_rss_mb < MEMORY_MB, f"peak RSS {r.max_rss_mb:.0f} MB"


def test_a_batch_of_many_lines_runs_in_flat_memory(tmp_path: Path) -> None:
    # 300,000 lines (30 MB): blank, bad and good ones; nothing may hold them all.
    good = (BATCH / "bad_utf8.jsonl").read_bytes().splitlines(keepends=True)[0]
    batch = tmp_path / "many.jsonl"
    with batch.open("wb") as f:
        f.write(good)
        for _ in range(3000):
            f.write((b" " * 99 + b"\n") * 99 + b"\x00\n")
    r = run(Job(claimrules_argv("eval", str(SHIPPED), "--batch", "-"), tmp_path, stdin=batch),
            timeout=120)
    assert not r.timed_out
    assert r.returncode == 1
    assert r.stderr.decode().splitlines()[-1] == "1 decisions, 3000 bad lines"
    assert r.max_rss_mb < MEMORY_MB, f"peak RSS {r.max_rss_mb:.0f} MB"


def test_ask_from_dev_zero_ends_in_a_clean_error(tmp_path: Path) -> None:
    r = run(Job(claimrules_argv("ask", str(SHIPPED)), tmp_path, stdin=Path("/dev/zero")))
    assert not r.timed_out
    assert r.returncode == 2
    assert r.stderr.decode().strip() == (
        "<stdin>: error: answer is longer than 4096 bytes [answer-too-long]")
    assert r.max_rss_mb < MEMORY_MB, f"peak RSS {r.max_rss_mb:.0f} MB"


def _closed_stdin(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(claimrules_argv(*args), capture_output=True, text=True, env=env,
                          timeout=60, check=False, stdin=subprocess.DEVNULL,
                          preexec_fn=lambda: os.close(0))


@pytest.mark.parametrize("args", [("eval", str(SHIPPED), "-"),
                                  ("eval", str(SHIPPED), "--batch", "-"),
                                  ("ask", str(SHIPPED))], ids=["eval", "batch", "ask"])
def test_closed_stdin_is_an_input_error(args: tuple[str, ...]) -> None:
    done = _closed_stdin(*args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().endswith(
        "<stdin>: error: standard input is closed [stdin-closed]"), done.stderr
    assert "Traceback" not in done.stderr
