"""The rulesets and example scenarios installed with the package.

A wheel carries `rules/` and `examples/` as package data (`claimrules/data/rulesets/`,
`claimrules/data/examples/`; copied by the build step in setup.py). An editable install or a
checkout reads them from the repository itself. A command given a ruleset path that does not
exist falls back to the installed ruleset of that id (`us-weapons-inside-russia`, or
`rules/us-weapons-inside-russia` as the README writes it), and a scenario path
`examples/FILE` that does not exist to the installed example.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def _folder(packaged: str, checkout: str) -> Path | None:
    # pathlib is imported here, not above: a path that exists (a cached `eval` of a ruleset
    # folder) is resolved without it.
    from pathlib import Path  # noqa: PLC0415

    package = Path(__file__).resolve().parent.parent  # the package folder
    inside = package / "data" / packaged
    if inside.is_dir():
        return inside
    checkout_root = package.parent.parent  # the repository, when running from a checkout
    here = checkout_root / checkout
    if (checkout_root / "pyproject.toml").is_file() and here.is_dir():
        return here
    return None


def rulesets_folder() -> Path | None:
    """Where the installed rulesets are, or None when none are installed."""
    return _folder("rulesets", "rules")


def examples_folder() -> Path | None:
    """Where the installed example scenarios are, or None."""
    return _folder("examples", "examples")


def installed_rulesets() -> dict[str, Path]:
    """Each installed ruleset's id (its folder's name) and folder, sorted by id."""
    root = rulesets_folder()
    if root is None:
        return {}
    return {
        p.name: p
        for p in sorted(root.iterdir())
        if p.is_dir() and (p / "ruleset.yaml").is_file()
    }


def resolve_ruleset(path: str) -> str:
    """`path` when it exists; else the installed ruleset it names (by id, or as `rules/ID`);
    else `path` unchanged, for the loader to report."""
    if os.path.exists(path):  # what Path(path).exists() says too (it has no other True)
        return path
    from pathlib import Path, PurePosixPath  # noqa: PLC0415

    if Path(path).exists():
        return path
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if len(parts) == 1 or (len(parts) == 2 and parts[0] == "rules"):
        found = installed_rulesets().get(parts[-1])
        if found is not None:
            return str(found)
    return path


def resolve_example(path: str) -> str:
    """`path` when it exists; else, for `examples/FILE`, the installed example of that name;
    else `path` unchanged."""
    if path == "-" or os.path.exists(path):
        return path
    from pathlib import Path, PurePosixPath  # noqa: PLC0415

    if Path(path).exists():
        return path
    parts = PurePosixPath(path.replace("\\", "/")).parts
    folder = examples_folder()
    if folder is not None and len(parts) == 2 and parts[0] == "examples":
        candidate = folder / parts[1]
        if candidate.is_file():
            return str(candidate)
    return path
