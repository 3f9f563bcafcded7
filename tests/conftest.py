"""Shared fixtures and the hypothesis profile (derandomised, so CI runs are repeatable)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from _proc import locked

if TYPE_CHECKING:
    from claimrules.load.domain import Rule
    from claimrules.load.ruleset import Ruleset

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SHIPPED = ROOT / "rules" / "us-weapons-inside-russia"

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


#: Files holding the longest single tests (mypy over src/, a wheel in a fresh venv, the README
#: walkthrough, the browser tests, the exhaustive and property tests), as `--durations` shows
#: them: run first, so that pytest-xdist starts them at once and none is left to run alone at
#: the end while the other workers idle.
LONGEST_FIRST = (
    "project/test_static.py",
    "load/test_installed.py",
    "project/test_walkthrough.py",
    "reporters/test_explorer.py",
    "reporters/test_report.py",
    "engine/test_laws.py",
    "engine/test_equivalence.py",
    "load/test_snapshot.py",
    "load/test_fuzz.py",
    "analysis/test_scale.py",
)


def pytest_configure(config: pytest.Config) -> None:
    """Compile the package to bytecode once, before the workers start, as `pip install` does
    for an installed package: an editable install leaves `src/` as source, and where
    PYTHONDONTWRITEBYTECODE is set every child process the tests start (hundreds run
    `claimrules`) would compile it again, about a fifth of each one's time. `__pycache__` is
    ignored by git and by the cache's code digest."""
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller has done it
        return
    import compileall

    compileall.compile_dir(ROOT / "src" / "claimrules", quiet=1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the tests of `LONGEST_FIRST` first, in that order; the others keep theirs."""

    def rank(item: pytest.Item) -> int:
        try:
            where = item.path.relative_to(TESTS).as_posix()
        except ValueError:
            return len(LONGEST_FIRST)
        return LONGEST_FIRST.index(where) if where in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)


@pytest.fixture(autouse=True, scope="session")
def _no_ruleset_cache(tmp_path_factory: pytest.TempPathFactory):
    """Every test loads rulesets in full, and none writes to the user's cache directory, in
    this process or the CLI processes it starts; tests of the cache turn it back on
    (`monkeypatch.delenv("CLAIMRULES_NO_CACHE")`) in a directory of their own."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLAIMRULES_NO_CACHE", "1")
        mp.setenv("CLAIMRULES_CACHE_DIR", str(tmp_path_factory.mktemp("claimrules-cache")))
        yield


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory shared by every worker of this test session (pytest-xdist gives each worker a
    base directory of its own inside the session's): what one worker builds there with
    `built_once`, or runs there with `_proc.run_once`, the others reuse."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared"
    shared.mkdir(exist_ok=True)
    return shared


def built_once(dest: Path, build: Callable[[Path], object]) -> Path:
    """`dest`, made by `build(dest)` by the first worker of the session to ask, under a lock;
    the others wait for it and reuse it. A build that failed half way is started again."""
    done = dest.with_name(dest.name + ".done")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with locked(dest.with_name(dest.name + ".lock")):
        if not done.exists():
            if dest.is_dir() and not dest.is_symlink():
                shutil.rmtree(dest)
            elif dest.exists() or dest.is_symlink():
                dest.unlink()
            build(dest)
            done.touch()
    return dest


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium driven by Selenium for the worker's whole session, at the desktop
    size (`browser.driver.resized` changes it for a block); skips when there is none. Tests
    that use it are marked `xdist_group("browser")`, so one worker starts it."""
    from browser.driver import SKIP_REASON, available, chromium

    if not available():
        pytest.skip(SKIP_REASON)
    with chromium() as driver:
        yield driver


@pytest.fixture(scope="session")
def shipped():
    """The shipped ruleset, loaded once."""
    from claimrules import load_ruleset

    return load_ruleset(SHIPPED)


@pytest.fixture
def ruleset_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped ruleset."""
    dest = tmp_path / "us-weapons-inside-russia"
    shutil.copytree(SHIPPED, dest)
    return dest


def edit_file(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a file with `new`; `old` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_errors(root: Path) -> str:
    """The diagnostics loading `root` raises, rendered, with the root written `RULESET`."""
    from claimrules import load_ruleset
    from claimrules.diagnostics import LoadError

    with pytest.raises(LoadError) as info:
        load_ruleset(root)
    rendered = "\n".join(d.render() for d in info.value.diagnostics)
    return rendered.replace(str(root), "RULESET") + "\n"


def check_golden(path: Path, actual: str) -> None:
    """Compare with a golden file byte for byte; UPDATE_GOLDEN=1 rewrites it and fails."""
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        pytest.fail(f"golden file {path.name} written; rerun without UPDATE_GOLDEN")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
             *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Run `claimrules ARGS...` in this process, with `stdin` as standard input when given:
    (exit code, stdout, stderr)."""
    import io

    from claimrules.cli.main import main

    monkeypatch.setattr(sys, "argv", ["claimrules", *args])
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as info:
        main()
    out, err = capsys.readouterr()
    code = info.value.code
    return (0 if code is None else code if isinstance(code, int) else 1), out, err


def tool(name: str) -> str:
    """The command `name` from the environment of the interpreter running the tests (the
    directory of `sys.executable` first, then PATH), so the tools checked are the ones installed
    with the `test` extra, wherever that environment lives."""
    here = str(Path(sys.executable).parent)
    found = shutil.which(name, path=os.pathsep.join([here, os.environ.get("PATH", "")]))
    if found is None:
        pytest.fail(f"`{name}` is installed neither beside {sys.executable} nor on PATH; "
                    "install the test extra: pip install -e '.[test]'")
    return found


class CpuLimitExceeded(BaseException):
    """Raised inside the guarded block when it has used its CPU seconds (a BaseException, like
    KeyboardInterrupt, so that no `except Exception` in the code under test can swallow it)."""


@contextmanager
def cpu_limit(seconds: float) -> Iterator[None]:
    """Fail the block if it uses more than about `seconds` of this process's CPU time.

    The bound is the kernel's RLIMIT_CPU (whole seconds of CPU this process has used, which a
    busy or slow machine does not move), lowered for the block to what is used so far plus
    `seconds`; the kernel's SIGXCPU then raises here. Set `seconds` far above the block's
    normal cost, as a guard that only a runaway (an exponential search, an unbounded read)
    ever reaches."""
    import math
    import resource

    def _overrun(signum: int, frame: object) -> None:
        raise CpuLimitExceeded(f"used more than {seconds} s of CPU time")

    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    limit = math.ceil(spent + seconds)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    previous = signal.signal(signal.SIGXCPU, _overrun)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        signal.signal(signal.SIGXCPU, previous)


@pytest.fixture
def yaml_events(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many events each `yaml.parse` call handed out during the test, one count per call:
    a measure of the parsing work done, the same on any machine."""
    import yaml

    counts: list[int] = []
    real = yaml.parse

    def counting(stream: object, Loader: object = yaml.Loader) -> Iterator[object]:
        n = len(counts)
        counts.append(0)
        for event in real(stream, Loader=Loader):
            counts[n] += 1
            yield event

    monkeypatch.setattr(yaml, "parse", counting)
    return counts


# --- shared builders ----------------------------------------------------------------------


def make_fixtures() -> ModuleType:
    """tests/hostile/make_fixtures.py, which writes the generated hostile fixtures."""
    path = TESTS / "hostile" / "make_fixtures.py"
    spec = importlib.util.spec_from_file_location("make_fixtures", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def in_memory_ruleset(
    facts: list[dict[str, object]],
    rules: list[Rule],
    claims: Mapping[str, tuple[str, date | None] | tuple[str, date | None, str]] | None = None,
    *,
    sources: Iterable[str] = (),
    bounds: Mapping[str, tuple[date, date]] | None = None,
) -> Ruleset:
    """A ruleset built in memory, without files: the fact vocabulary `facts` (as written in
    ruleset.yaml), `rules`, and `claims` (claim id → (source id, reported on[, kind]), kind
    `provision` when not given; by default one claim `c` of one undated source `s`), each
    quoting "q" from an archive that is just "q". `sources` adds sources no claim cites;
    `bounds` gives a source `not_before` / `not_after` dates (source id → (earliest, latest))."""
    from claimrules.load.model import Claim, RulesetMeta, Source
    from claimrules.load.ruleset import ClaimRecord, Ruleset

    claims = {"c": ("s", None)} if claims is None else claims
    bounds = bounds or {}
    known = {}
    for sid in sorted({c[0] for c in claims.values()} | set(sources)):
        dated = {}
        if sid in bounds:
            lo, hi = bounds[sid]
            dated = {"not_before": {"date": lo.isoformat(), "basis": "b"},
                     "not_after": {"date": hi.isoformat(), "basis": "b"}}
        known[sid] = Source.model_validate(
            {"id": sid, "archive": {"file": f"{sid}.txt", "sha256": "0" * 64, "content": "full"},
             **dated}
        ).to_domain()
    records = {}
    for cid, (sid, reported, *kind) in claims.items():
        claim = Claim.model_validate(
            {"id": cid, "source": sid, "quote": "q", "kind": kind[0] if kind else "provision",
             "modality": "asserted"}
        ).to_domain()
        src = known[sid]
        records[cid] = ClaimRecord(
            claim, src, reported, 0, 1,
            src.not_before.date if src.not_before else None,
            src.not_after.date if src.not_after else None,
        )
    meta = RulesetMeta.model_validate({"id": "gen", "title": "generated", "facts": facts})
    domain = meta.to_domain()
    return Ruleset(
        meta=domain,
        facts={f.name: f for f in domain.facts},
        sources=known,
        claims=records,
        rules=tuple(sorted(rules, key=lambda r: r.id)),
        cases=(),
        archives=dict.fromkeys(known, "q"),
    )
