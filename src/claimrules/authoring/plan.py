"""A plan of file writes: shown as a diff for `--dry-run`, or applied, each file atomically."""

from __future__ import annotations

import contextlib
import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from claimrules.output import write_atomic


@dataclass(frozen=True)
class PlannedFile:
    """One file to write: its path, the text it will hold, and the text it holds now (None when
    it is new: then it must not exist when written)."""

    path: Path
    new: str
    old: str | None

    def diff(self, display: str) -> str:
        """A unified diff of the change (a new file: every line added)."""
        old = [] if self.old is None else self.old.splitlines(keepends=True)
        lines = difflib.unified_diff(
            old,
            self.new.splitlines(keepends=True),
            fromfile="/dev/null" if self.old is None else f"a/{display}",
            tofile=f"b/{display}",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass(frozen=True)
class Plan:
    """The files an authoring command writes, in the order it writes them, and a one-line
    summary for each step (what was recorded)."""

    root: Path
    files: tuple[PlannedFile, ...]
    summary: tuple[str, ...]

    def display(self, file: PlannedFile) -> str:
        """The file's path relative to the ruleset directory."""
        return os.path.relpath(file.path, self.root).replace(os.sep, "/")

    def diff(self) -> str:
        """Every change as one unified diff."""
        return "".join(f.diff(self.display(f)) for f in self.files)

    def apply(self) -> list[Path]:
        """Write every file atomically: a new file only if nothing is there (a file that
        appeared meanwhile is refused), an existing one replaced. If a later write fails, the
        new files written before it are removed again, so no half-added entry remains."""
        created: list[Path] = []
        try:
            for f in self.files:
                f.path.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(f.path, f.new.encode("utf-8"), force=f.old is not None)
                if f.old is None:
                    created.append(f.path)
        except BaseException:
            for path in created:
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
        return [f.path for f in self.files]
