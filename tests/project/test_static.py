"""Types and lint are enforced: mypy --strict over src/, and ruff over src/ and tests/, are clean.

Both tools are the ones installed beside the interpreter running the tests (the `test` extra),
found through `conftest.tool`, not a fixed path.
"""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, tool


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_mypy_strict_is_clean() -> None:
    out = _run(sys.executable, "-m", "mypy")
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_is_clean() -> None:
    out = _run(tool("ruff"), "check", "--no-cache", "src", "tests")
    assert out.returncode == 0, out.stdout + out.stderr
