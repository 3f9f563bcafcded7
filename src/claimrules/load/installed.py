"""The rulesets and example scenarios installed with the package.

A wheel carries `rules/` and `examples/` as package data (`claimrules/data/rulesets/`,
`claimrules/data/examples/`; copied by the build step in setup.py). An editable install or a
checkout reads them from the repository itself. A command given a ruleset path that does not
exist falls back to the installed ruleset of that id (`us-weapons-inside-russia`, or
`rules/us-weapons-inside-russia` as the README writes it), and a scenario path
`examples/FILE` that does not exist to the installed example.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

#: The package folder, and the repository root when running from a checkout.
_PACKAGE = Path(__file__).resolve().parent.parent
_CHECKOUT = _PACKAGE.parent.parent


def _folder(packaged: str, checkout: str) -> Path | None:
    inside = _PACKAGE / "data" / packaged
    if inside.is_dir():
        return inside
    here = _CHECKOUT / checkout
    if (_CHECKOUT / "pyproject.toml").is_file() and here.is_dir():
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
    if path == "-" or Path(path).exists():
        return path
    parts = PurePosixPath(path.replace("\\", "/")).parts
    folder = examples_folder()
    if folder is not None and len(parts) == 2 and parts[0] == "examples":
        candidate = folder / parts[1]
        if candidate.is_file():
            return str(candidate)
    return path
