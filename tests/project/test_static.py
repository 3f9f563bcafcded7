"""The house rules, checked on the source itself.

- Types and lint: mypy --strict over src/, and ruff over src/ and tests/, are clean (both tools
  are the ones installed beside the interpreter running the tests, found through
  `conftest.tool`, not a fixed path).
- The import graph, read with `ast` (nothing is imported; lazy and TYPE_CHECKING imports count):
  no cycle; no private name imported or read from another module; the package folders are the
  stages and no stage imports a later one; only the CLI imports click.
- One escaper per output format and one GitHub-annotation writer (`reporters/escape.py`).

Each rule's allowance list is explicit and short, names code being rewritten by its owner, and
fails once an entry is no longer needed.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT, tool


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_mypy_strict_is_clean() -> None:
    out = _run(sys.executable, "-m", "mypy")
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_is_clean() -> None:
    out = _run(tool("ruff"), "check", "--no-cache", "src", "tests")
    assert out.returncode == 0, out.stdout + out.stderr


# --- the import graph (read from the source with `ast`; nothing is imported) -----------------

PACKAGE = ROOT / "src" / "claimrules"

#: The stages, in the order data flows through them: a stage imports only earlier ones (and the
#: top-level modules: `diagnostics`, `output`, the package's `__version__`). `authoring` writes
#: ruleset files: it reads them with `load` and is driven by `cli`, and imports no other stage.
STAGES = ("load", "engine", "analysis", "reporters", "cli")
MAY_IMPORT: dict[str, frozenset[str]] = {
    **{s: frozenset(STAGES[: i + 1]) for i, s in enumerate(STAGES)},
    "authoring": frozenset({"load", "authoring"}),
}
MAY_IMPORT["cli"] |= {"authoring"}

#: Imports that break the stage order today, each with why; the list only shrinks. Edges from
#: `load` to `engine` are the checks borrowing the engine's own reading (of fact constraints,
#: of a rule's derived period, of the verdict names) and the ruleset's cache of its compiled
#: form, which the engine's per-reading cache replaces.
STAGE_EXCEPTIONS: frozenset[tuple[str, str]] = frozenset({
    ("claimrules.load.checks", "claimrules.engine.constraints"),
    ("claimrules.load.checks", "claimrules.engine.compile"),
    ("claimrules.load.checks", "claimrules.engine.decision"),
    # analysis/review.py builds ClaimReview JSON-LD with the vocabulary of reporters/export.py
    ("claimrules.analysis.review", "claimrules.reporters.export"),
})

#: Import cycles allowed today: the edge that closes each, to be removed by its owner.
CYCLE_EXCEPTIONS: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Import:
    """One `import` statement's target inside the package: the module imported, the name
    taken from it (None for a module), and where the statement is."""

    module: str
    name: str | None
    where: str
    #: The local name a module import binds (`rjson` in `from … import json as rjson`).
    bound: str | None = None


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(module: str, path: Path) -> list[Import]:
    """Every import of a package module in `module`: top-level, inside functions and under
    `if TYPE_CHECKING:` alike (`ast.walk` sees them all)."""
    is_package = path.name == "__init__.py"
    where = path.relative_to(ROOT).as_posix()
    out: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [Import(a.name, None, f"{where}:{node.lineno}", a.asname) for a in node.names
                    if a.name.split(".")[0] == "claimrules"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")[: None if is_package else -1]
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            if base.split(".")[0] != "claimrules":
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                if sub in MODULES:  # `from claimrules.load import checks`: a module
                    out.append(Import(sub, None, f"{where}:{node.lineno}", a.asname or a.name))
                else:
                    out.append(Import(base, a.name, f"{where}:{node.lineno}"))
    return [i for i in out if i.module != module]


IMPORTS = {m: _imports(m, p) for m, p in MODULES.items()}


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in MAY_IMPORT else None


def _find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path `a → b → … → a`, or None (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_graph_is_read_whole() -> None:
    # The reader sees every kind of import: a lazy one, a TYPE_CHECKING one, a relative one.
    assert ("claimrules", "claimrules.load.loader") in {
        ("claimrules", i.module) for i in IMPORTS["claimrules"]
    }
    lazy = {i.module for i in IMPORTS["claimrules.__main__"]}
    assert "claimrules.cli.main" in lazy
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles() -> None:
    edges = {m: {i.module for i in imports if i.module in MODULES
                 and (m, i.module) not in CYCLE_EXCEPTIONS}
             for m, imports in IMPORTS.items()}
    cycle = _find_cycle(edges)
    assert cycle is None, "import cycle: " + " → ".join(cycle or ())


def test_cycle_exceptions_are_still_needed() -> None:
    for a, b in CYCLE_EXCEPTIONS:
        assert any(i.module == b for i in IMPORTS[a]), f"{a} → {b} is gone: drop the exception"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


#: Private names still reached across modules, in code being rewritten by its owner.
PRIVATE_EXCEPTIONS: frozenset[tuple[str, str, str]] = frozenset()


def _module_attributes(module: str, path: Path) -> list[tuple[str, str, str]]:
    """(file:line, module, attribute) for each attribute read through a package module bound
    to a name (`from claimrules.reporters import json as rjson` … `rjson._value`)."""
    aliases = {i.bound: i.module for i in IMPORTS[module] if i.bound}
    where = path.relative_to(ROOT).as_posix()
    return [(f"{where}:{node.lineno}", aliases[node.value.id], node.attr)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id in aliases]


def test_no_private_name_is_imported_from_another_module() -> None:
    private = [f"{i.where}: `{i.name}` from {i.module}" for imports in IMPORTS.values()
               for i in imports if i.name and _private(i.name)]
    assert not private, "\n".join(private)


def test_no_private_name_is_read_through_another_module() -> None:
    found = [(where, target, attr) for m, path in MODULES.items()
             for where, target, attr in _module_attributes(m, path) if _private(attr)]
    wrong = [f"{w}: `{t}.{a}`" for w, t, a in found
             if (w.rsplit(":", 1)[0], t, a) not in PRIVATE_EXCEPTIONS]
    assert not wrong, "\n".join(wrong)
    assert {(w.rsplit(":", 1)[0], t, a) for w, t, a in found} == PRIVATE_EXCEPTIONS


def test_the_folders_are_the_stages() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == {*STAGES, "authoring"}


def test_no_stage_imports_a_later_one() -> None:
    wrong = []
    for m, imports in IMPORTS.items():
        stage = _stage(m)
        for i in imports:
            target = _stage(i.module)
            if stage is None or target is None or (m, i.module) in STAGE_EXCEPTIONS:
                continue
            if target not in MAY_IMPORT[stage]:
                wrong.append(f"{i.where}: {stage} imports {i.module}")
    assert not wrong, "\n".join(wrong)


def test_top_level_modules_import_no_stage() -> None:
    # `diagnostics` and `output` are what every stage speaks: they import no stage.
    for m in ("claimrules.diagnostics", "claimrules.output"):
        assert all(_stage(i.module) is None for i in IMPORTS[m]), m


def test_stage_exceptions_are_still_needed() -> None:
    for a, b in STAGE_EXCEPTIONS:
        assert any(i.module == b for i in IMPORTS[a]), f"{a} → {b} is gone: drop the exception"


def test_only_the_cli_imports_click() -> None:
    # Only the command line prints or picks exit codes; the library never needs click.
    for m, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree)
                 if isinstance(n, ast.Import) for a in n.names}
        names |= {(n.module or "").split(".")[0] for n in ast.walk(tree)
                  if isinstance(n, ast.ImportFrom) and not n.level}
        assert "click" not in names or _stage(m) == "cli", m


#: Escaping still done outside `reporters/escape.py`, in code being rewritten by its owner.
ESCAPE_EXCEPTIONS: frozenset[str] = frozenset()


def _escaping_sites() -> dict[str, list[str]]:
    """Where code escapes for an output format by itself: a GitHub workflow command written
    (`"::…"`), `html.escape` called, a Markdown pipe or emphasis escaped (`"\\|"`, `"\\*"`)."""
    found: dict[str, list[str]] = {}
    for path in MODULES.values():
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            hit = (
                isinstance(node, ast.Constant) and isinstance(node.value, str)
                and (node.value.startswith("::") or node.value in ("\\|", "\\*", "\\_"))
            ) or (
                isinstance(node, ast.Attribute) and node.attr == "escape"
                and isinstance(node.value, ast.Name) and node.value.id in ("html", "_html")
            )
            if hit:
                found.setdefault(where, []).append(f"{where}:{node.lineno}")
    return found


def test_one_escaper_per_format_and_one_annotation_writer() -> None:
    sites = _escaping_sites()
    outside = {w: s for w, s in sites.items()
               if w != "src/claimrules/reporters/escape.py" and w not in ESCAPE_EXCEPTIONS}
    assert not outside, outside
    assert "src/claimrules/reporters/escape.py" in sites  # the reader finds them
    assert set(sites) >= ESCAPE_EXCEPTIONS, "an exception is no longer needed: drop it"
