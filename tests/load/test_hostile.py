"""Hostile input, end to end: every fixture in tests/hostile/ as a rule file (and, for some, as a
claims file, a sources file or the ruleset.yaml itself) and as a scenario file.

Each must end in clean `file:line:col: error: message [code]` lines (or `file: error: ...` where
there is no position) on stderr, with the documented exit code (1 under `claimrules check`, 2 for
`claimrules eval`), no traceback, within the time and memory budget:

- in a child process (address space capped at 600 MB and CPU time at 60 s, guards that only a
  runaway reaches): exit code, stderr shape, peak RSS < 150 MB, and the messages byte for byte
  against tests/golden/hostile/ (`UPDATE_GOLDEN=1` rewrites them and fails);
- in process (the loader and scenario reader without interpreter start-up): a result or a
  LoadError and nothing else, a tracemalloc peak under 150 MB, no parse handing out more YAML
  events than the node cap allows, and a CPU-time guard that only a runaway reaches.

No budget here is a wall-clock one: a slow or busy machine cannot fail these tests.

Also here: exit codes (0 ok · 1 findings · 2 usage/input · 3 internal error, nothing else
escapes `main`) and the static bans on dangerous calls in src/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from _proc import HANG_SECONDS, Job, Run, claimrules_argv, limit_child, run, run_once
from claimrules import LoadError, Ruleset, load_ruleset
from claimrules.diagnostics import Diagnostic, Span
from claimrules.load.loader import load_scenario
from claimrules.load.scenario import coerce_facts
from claimrules.load.yamlsafe import MAX_NODES, read_text
from conftest import (
    ROOT,
    SHIPPED,
    TESTS,
    built_once,
    check_golden,
    cpu_limit,
    make_fixtures,
    run_main,
    tool,
)

HOSTILE = TESTS / "hostile"
GOLDEN = TESTS / "golden" / "hostile"

MEMORY_MB = 150  # peak, in process (tracemalloc) and for the whole child (RSS)
#: CPU seconds for one case's work in process, traced (it needs about a second at most): a
#: guard against a runaway, not a budget.
CPU_SECONDS = 30
#: YAML events one parse may hand out: two per node (a start and an end) up to the node cap,
#: plus the stream and document events.
MAX_EVENTS = 2 * (MAX_NODES + 1) + 4
MAX_LINE = 400  # characters in one line of stderr


MAKE = make_fixtures()

# --- the fixtures ------------------------------------------------------------------------

#: Fixtures that are not files in tests/hostile/: built in the case directory.
GENERATED: dict[str, Callable[[Path], object]] = {
    "big_5mb.yaml": MAKE.write_big_file,
    "node_bomb.yaml": MAKE.write_node_bomb,
    "dev_zero.yaml": lambda dest: dest.symlink_to("/dev/zero"),
    "fifo.yaml": os.mkfifo,
}
#: The generated fixtures that are regular files: written once per session and hard-linked
#: into the case directories that use them (5.4 MB each, in four roles).
WRITTEN_ONCE = ("big_5mb.yaml", "node_bomb.yaml")


def _fixture_files() -> dict[str, Path]:
    files = {p.name: p for p in HOSTILE.glob("*.yaml")}
    files.update({p.name: p for p in (HOSTILE / "cli").glob("*.yaml")})
    return dict(sorted(files.items()))


FILES = _fixture_files()
ALL = sorted([*FILES, *GENERATED])

#: Scenario fixtures that are valid (their YAML-1.1 look-alike is read as the string it means).
SCENARIO_OK = {"unquoted_date.yaml"}

#: A few fixtures in other places of the ruleset than rules/.
CLAIMS_ROLE = ["alias_cycle.yaml", "duplicate_key.yaml", "empty.yaml", "merge_key.yaml",
               "non_utf8.yaml", "tag_python_object.yaml", "unknown_top_key.yaml",
               "wrong_types.yaml"]
META_ROLE = ["alias_bomb.yaml", "bare_string.yaml", "bom.yaml", "deep_flow.yaml",
             "dev_zero.yaml", "fifo.yaml", "nonstring_key.yaml", "tag_python_apply.yaml",
             "two_documents.yaml"]
SOURCES_ROLE = ["archive_nul_path.yaml", "duplicate_key.yaml", "tag_python_object.yaml",
                "wrong_types.yaml"]
EVAL_BROKEN_ROLE = ["alias_bomb.yaml", "fifo.yaml", "non_utf8.yaml", "override_cycle.yaml",
                    "tag_python_apply.yaml", "unknown_ids.yaml"]
STDIN_ROLE = ["big_5mb.yaml", "dev_zero.yaml", "empty.yaml", "non_utf8.yaml",
              "tag_python_apply.yaml"]
ARCHIVE_ROLE = ["big_5mb.yaml", "non_utf8.yaml"]

#: role -> (where the fixture goes in the ruleset copy `rs`, the command, the exit code)
RULESET_ROLES: dict[str, tuple[str, str, int]] = {
    "rule": ("rs/rules/zz-hostile.yaml", "check", 1),
    "claims": ("rs/claims/zz.yaml", "check", 1),
    "meta": ("rs/ruleset.yaml", "check", 1),
    "sources": ("rs/sources/zz.yaml", "check", 1),
    "eval-broken": ("rs/rules/zz.yaml", "eval", 2),
    "archive": ("rs/archive/biden-decision-article.txt", "check", 1),
}


@dataclass(frozen=True)
class Case:
    """One fixture in one role."""

    fixture: str
    role: str

    @property
    def id(self) -> str:
        """`<fixture stem>.<role>`, also the golden file's stem."""
        return f"{self.fixture.removesuffix('.yaml')}.{self.role}"

    @property
    def expect(self) -> int:
        """The documented exit code."""
        if self.role in RULESET_ROLES:
            return RULESET_ROLES[self.role][2]
        return 0 if self.fixture in SCENARIO_OK else 2

    @property
    def target(self) -> str:
        """The file the error lines must name (relative to the case directory)."""
        if self.role == "archive":
            return "rs/sources.yaml"  # the recorded hash no longer matches
        if self.role in RULESET_ROLES:
            return RULESET_ROLES[self.role][0]
        if self.role == "stdin":
            return "<stdin>"
        return "/dev/zero" if self.fixture == "dev_zero.yaml" else self.fixture


def _cases() -> list[Case]:
    cases = [Case(name, "rule") for name in ALL]
    cases += [Case(name, "scenario") for name in ALL]
    for role, names in [("claims", CLAIMS_ROLE), ("meta", META_ROLE), ("sources", SOURCES_ROLE),
                        ("eval-broken", EVAL_BROKEN_ROLE), ("stdin", STDIN_ROLE),
                        ("archive", ARCHIVE_ROLE)]:
        cases += [Case(name, role) for name in names]
    return cases


CASES = _cases()
IN_PROCESS = [c for c in CASES if c.role != "stdin"]  # the CLI, not the library, reads stdin


def _link(src: Path | str, dest: Path | str) -> None:
    """`dest` as a hard link to `src` (a copy where the file system has no hard links): the
    case directories share the bytes of the files no case changes, so a session writes them
    once and removing its directory later frees them once."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def _place(fixture: str, dest: Path, written: Path) -> None:
    """Put `fixture` at `dest`, replacing (never writing through) what is there: `dest` may be a
    hard link shared with other cases. `written` holds the fixtures of `WRITTEN_ONCE`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists() or dest.is_symlink():
        dest.unlink()
    if fixture in WRITTEN_ONCE:
        _link(built_once(written / fixture, GENERATED[fixture]), dest)
    elif fixture in GENERATED:
        GENERATED[fixture](dest)
    else:
        shutil.copyfile(FILES[fixture], dest)


def _build(case: Case, where: Path, shared: Path, written: Path) -> None:
    """Lay out the case directory `where`.

    Scenario cases evaluate against the unchanged shipped ruleset (`rs` links to one copy), so
    they read it through the cache of checked rulesets, as a user's `eval` does by default: the
    hostile part is the scenario, and the cache spares each child re-verifying 72 quotes. The
    ruleset cases run `check`, which never reads the cache, or `eval` on a ruleset the cache
    has never seen: each has a ruleset of its own, whose files hard-link to that one copy but
    for the fixture's place, which `_place` replaces."""
    where.mkdir(parents=True)
    if case.role in RULESET_ROLES:
        shutil.copytree(shared, where / "rs", copy_function=_link)
        _place(case.fixture, where / RULESET_ROLES[case.role][0], written)
        return
    (where / "rs").symlink_to(shared, target_is_directory=True)
    if case.role == "stdin":
        _place(case.fixture, where / "stdin.yaml", written)
    elif case.fixture != "dev_zero.yaml":
        _place(case.fixture, where / case.fixture, written)


def _job(case: Case, where: Path, cache: Path) -> Job:
    """The command that runs the case laid out in `where`."""
    if case.role in RULESET_ROLES:
        if RULESET_ROLES[case.role][1] == "check":
            return Job(claimrules_argv("check", "rs"), where)
        return Job(claimrules_argv("eval", "rs", "--fact", "actor=ukraine"), where)
    cached = _cached(cache)
    if case.role == "stdin":
        return Job(claimrules_argv("eval", "rs", "-"), where, stdin=where / "stdin.yaml",
                   env=cached)
    if case.fixture == "dev_zero.yaml":
        return Job(claimrules_argv("eval", "rs", "/dev/zero"), where, env=cached)
    return Job(claimrules_argv("eval", "rs", case.fixture), where, env=cached)


def _cached(cache: Path) -> dict[str, str]:
    """The environment of a child that uses the cache in `cache`."""
    return {"CLAIMRULES_NO_CACHE": "0", "CLAIMRULES_CACHE_DIR": str(cache)}


class Corpus:
    """The case directories, and the installed command run on each, made once per test session
    by whichever worker first needs them (with pytest-xdist, the three checks of one run and
    the in-process check of one directory may land on different workers)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.shared = built_once(base / "shipped", lambda dest: shutil.copytree(SHIPPED, dest))
        self.cache = built_once(base / "cache", self._prime)

    def _prime(self, cache: Path) -> None:
        primed = run(Job(claimrules_argv("eval", "shipped", "--fact", "actor=ukraine"),
                         self.base, env=_cached(cache)))
        assert primed.returncode == 0, primed.stderr
        assert list(cache.iterdir()), "the cache was not written"

    def where(self, case: Case) -> Path:
        """The case's directory."""
        return built_once(self.base / "cases" / case.id,
                          lambda dest: _build(case, dest, self.shared, self.base / "written"))

    def run(self, case: Case) -> Run:
        """The case run once through the installed command."""
        return run_once(self.base / "runs", case.id, _job(case, self.where(case), self.cache))


@pytest.fixture(scope="session")
def corpus(session_dir: Path) -> Corpus:
    """The hostile corpus, shared by the workers of the session."""
    base = session_dir / "hostile"
    base.mkdir(exist_ok=True)
    return Corpus(base)


# --- the command line -------------------------------------------------------------------

ERROR_LINE = re.compile(
    r"(?P<file>[^\s:][^:]*?)(?::(?P<line>[1-9][0-9]*):(?P<col>[1-9][0-9]*))?: error: "
    r"(?P<message>\S.*) \[(?P<code>[a-z0-9]+(?:-[a-z0-9]+)*)\]"
)
HELP_LINE = re.compile(r"  help: \S.*")
SUMMARY_LINE = re.compile(r"[1-9][0-9]* problems? found")
#: A warning (for example `hedged-date`) may stand beside the errors; it is never one.
WARNING_LINE = re.compile(
    r"[^\s:][^:]*?(?::[1-9][0-9]*:[1-9][0-9]*)?: warning: \S.* \[[a-z0-9]+(?:-[a-z0-9]+)*\]"
)
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def test_corpus_is_large_enough() -> None:
    assert len(ALL) >= 25
    assert len(CASES) >= 2 * len(ALL)
    assert not (set(FILES) & set(GENERATED))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_cli_exit_code_and_stderr_shape(case: Case, corpus: Corpus) -> None:
    r = corpus.run(case)
    assert not r.hung and not r.cpu_limited, r.why_stopped()
    stderr = r.stderr.decode("utf-8")  # raises if the messages are not UTF-8
    assert "Traceback" not in stderr
    assert "internal error" not in stderr, stderr
    assert r.returncode == case.expect, stderr
    bad = CONTROL.search(stderr)
    assert bad is None, f"control character {bad.group()!r} in stderr: {stderr!r}"
    lines = stderr.splitlines()
    too_long = [line[:80] + "…" for line in lines if len(line) > MAX_LINE]
    assert not too_long, f"stderr lines over {MAX_LINE} characters: {too_long}"
    errors = [m for m in map(ERROR_LINE.fullmatch, lines) if m is not None]
    for line in lines:
        assert (ERROR_LINE.fullmatch(line) or HELP_LINE.fullmatch(line)
                or SUMMARY_LINE.fullmatch(line) or WARNING_LINE.fullmatch(line)), \
            f"not a diagnostic line: {line!r}"
    if case.expect == 0:
        assert not errors
        return
    assert errors, "no error line"
    assert case.target in {m["file"] for m in errors}, f"no error names {case.target}"
    assert r.stdout == b"", "an input error prints nothing on stdout"
    if case.role in ("rule", "claims", "meta", "sources", "archive"):
        n = len(errors)
        assert lines[-1] == f"{n} problem{'s' if n != 1 else ''} found"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_cli_messages_match_golden(case: Case, corpus: Corpus) -> None:
    check_golden(GOLDEN / f"{case.id}.txt", corpus.run(case).stderr.decode("utf-8", "replace"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_cli_peak_memory(case: Case, corpus: Corpus) -> None:
    r = corpus.run(case)
    assert r.max_rss_mb < MEMORY_MB, f"peak RSS {r.max_rss_mb:.0f} MB"


# --- in process ---------------------------------------------------------------------------


def _in_process(case: Case, where: Path, shipped: Ruleset) -> Callable[[], object]:
    """The library work behind the case's command: load the ruleset, or read the scenario."""
    if case.role in RULESET_ROLES:
        return lambda: load_ruleset(where / "rs")
    path = Path("/dev/zero") if case.fixture == "dev_zero.yaml" else where / case.fixture

    def scenario() -> object:
        text = read_text(path, case.fixture)
        model, doc = load_scenario(text, case.fixture)
        facts = coerce_facts(shipped.facts, model.facts, file=case.fixture,
                             base=("facts",), positions=doc.positions)
        unknown = sorted(set(model.sources or ()) - set(shipped.sources))
        if unknown:
            raise LoadError([Diagnostic("unknown-source", f"unknown source `{unknown[0]}`",
                                        Span(case.fixture))])
        return facts

    return scenario


def _outcome(work: Callable[[], object]) -> str:
    """`ok` or `LoadError`; any other exception propagates and fails the test."""
    try:
        work()
    except LoadError:
        return "LoadError"
    return "ok"


@pytest.mark.parametrize("case", IN_PROCESS, ids=lambda c: c.id)
def test_in_process_budget(
    case: Case, corpus: Corpus, shipped: Ruleset,
    yaml_events: list[int],
) -> None:
    where = corpus.where(case)
    work = _in_process(case, where, shipped)  # its vocabulary types the scenarios
    tracemalloc.start()
    try:
        with cpu_limit(CPU_SECONDS):
            outcome = _outcome(work)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_MB, f"tracemalloc peak {peak:.0f} MB"
    assert max(yaml_events, default=0) <= MAX_EVENTS, f"YAML events per parse: {yaml_events}"
    assert outcome == ("ok" if case.expect == 0 else "LoadError")


# --- exit codes ---------------------------------------------------------------------------


def test_exit_0_ok(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(monkeypatch, capsys, "check", str(SHIPPED))
    assert (code, err) == (0, "")


def test_exit_1_findings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ruleset_copy: Path
) -> None:
    shutil.copyfile(HOSTILE / "cli" / "override_cycle.yaml", ruleset_copy / "rules" / "zz.yaml")
    code, _, err = run_main(monkeypatch, capsys, "check", str(ruleset_copy))
    assert code == 1
    assert "[override-cycle]" in err


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["eval", str(SHIPPED), "--fact", "actr=ukraine"], id="unknown-fact"),
        pytest.param(["eval", str(SHIPPED), "--fact", "actor"], id="bad-fact-option"),
        pytest.param(["eval", str(SHIPPED), "--as-of", "2024-13-01"], id="bad-date-option"),
        pytest.param(["eval", str(SHIPPED), "--no-such-option"], id="unknown-option"),
        pytest.param(["eval", "/nonexistent/ruleset"], id="missing-ruleset"),
        pytest.param(["eval", str(SHIPPED), "/nonexistent.yaml"], id="missing-scenario"),
        pytest.param(["no-such-command"], id="unknown-command"),
    ],
)
def test_exit_2_usage_or_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, _, err = run_main(monkeypatch, capsys, *args)
    assert code == 2, err
    assert "Traceback" not in err
    assert "error" in err.lower()


BUGS = [
    RuntimeError("boom"),
    KeyError("boom"),
    TypeError("boom"),
    ValueError("boom"),
    AttributeError("boom"),
    AssertionError("boom"),
    IndexError("boom"),
    ZeroDivisionError("boom"),
    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "boom"),
    NotImplementedError("boom"),
]


@pytest.mark.parametrize("exc", BUGS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("command", ["check", "eval", "claims", "sources"])
def test_exit_3_internal_error_for_any_bug(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    exc: BaseException,
    command: str,
) -> None:
    import claimrules.load.loader

    def broken(*_: object, **__: object) -> object:
        raise exc

    monkeypatch.setattr(claimrules.load.loader, "load_ruleset", broken)
    code, out, err = run_main(monkeypatch, capsys, command, str(SHIPPED))
    assert code == 3, err
    assert err.startswith(f"internal error: {type(exc).__name__}")
    assert "this is a bug in claimrules; please report it" in err
    assert "Traceback" not in err
    assert out == ""


@pytest.mark.parametrize("command", ["check", "eval"])
def test_out_of_memory_is_a_clean_input_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    import claimrules.load.loader

    def exhausted(*_: object, **__: object) -> object:
        raise MemoryError

    monkeypatch.setattr(claimrules.load.loader, "load_ruleset", exhausted)
    code, out, err = run_main(monkeypatch, capsys, command, str(SHIPPED))
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == "error: out of memory [out-of-memory]"
    assert "internal error" not in err


def test_exit_3_in_the_evaluator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import claimrules.engine.evaluator

    def broken(*_: object, **__: object) -> object:
        raise RuntimeError("combining went wrong")

    monkeypatch.setattr(claimrules.engine.evaluator, "reading_of", broken)
    code, _, err = run_main(monkeypatch, capsys, "eval", str(SHIPPED), "--fact", "actor=ukraine")
    assert code == 3
    assert "internal error: RuntimeError: combining went wrong" in err
    assert "please report it" in err


def test_exit_3_in_a_real_process() -> None:
    """The installed entry point, patched in a fresh interpreter: exit 3, a hint, no traceback."""
    code = (
        "import sys, claimrules.load.loader as l\n"
        "def broken(*a, **k): raise RuntimeError('boom')\n"
        "l.load_ruleset = broken\n"
        f"sys.argv = ['claimrules', 'check', {str(SHIPPED)!r}]\n"
        "from claimrules.cli.main import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=HANG_SECONDS, preexec_fn=limit_child,
                          check=False)
    assert done.returncode == 3
    assert "internal error: RuntimeError: boom" in done.stderr
    assert "please report it" in done.stderr
    assert "Traceback" not in done.stderr


def test_keyboard_interrupt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import claimrules.load.loader

    def interrupted(*_: object, **__: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(claimrules.load.loader, "load_ruleset", interrupted)
    code, _, err = run_main(monkeypatch, capsys, "check", str(SHIPPED))
    # click turns Ctrl-C into Abort before main() sees it; main() still says so, exit 130.
    assert (code, err.strip()) == (130, "interrupted")


def test_broken_pipe_is_quiet() -> None:
    # In a fresh interpreter: main() closes stderr on a broken pipe (`claimrules … | head`).
    code = (
        "import sys, claimrules.load.loader as l\n"
        "def broken(*a, **k): raise BrokenPipeError\n"
        "l.load_ruleset = broken\n"
        f"sys.argv = ['claimrules', 'sources', {str(SHIPPED)!r}]\n"
        "from claimrules.cli.main import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=HANG_SECONDS, preexec_fn=limit_child,
                          check=False)
    assert done.returncode == 0
    assert "Traceback" not in done.stderr


# --- static bans --------------------------------------------------------------------------

BANNED = [
    (re.compile(r"(?<![\w.])eval\("), "eval("),
    (re.compile(r"(?<![\w.])exec\("), "exec("),
    (re.compile(r"\bpickle\b"), "pickle"),
    (re.compile(r"\bmarshal\b"), "marshal"),
    (re.compile(r"\byaml\.load\("), "yaml.load("),
    (re.compile(r"\byaml\.load_all\("), "yaml.load_all("),
    (re.compile(r"unsafe_load"), "yaml.unsafe_load"),
    (re.compile(r"Loader\s*=\s*yaml\.(?:Loader|UnsafeLoader|FullLoader)\b"), "Loader=yaml.Loader"),
    (re.compile(r"\bFullLoader\b"), "FullLoader"),
    (re.compile(r"\bUnsafeLoader\b"), "UnsafeLoader"),
    (re.compile(r"shell\s*=\s*True"), "shell=True"),
    (re.compile(r"\bos\.(?:system|popen)\("), "os.system/os.popen"),
    (re.compile(r"__import__"), "__import__"),
]
SOURCES = sorted((ROOT / "src").rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_dangerous_calls_in_src(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = [(name, text.count("\n", 0, m.start()) + 1)
             for pattern, name in BANNED for m in pattern.finditer(text)]
    assert not found, f"banned in {path.name}: {found}"


def test_no_security_suppressions_in_src() -> None:
    suppressed = re.compile(r"#\s*noqa:[^\n]*\bS[0-9]{3}\b")
    hits = [f"{p.relative_to(ROOT)}:{n}" for p in SOURCES
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if suppressed.search(line)]
    assert not hits, f"`noqa: S…` suppressions: {hits}"


def test_ruff_security_rules_clean_on_src() -> None:
    """ruff's S rules (bandit) over src/, with the ruff installed beside this interpreter."""
    done = subprocess.run([tool("ruff"), "check", "--no-cache", "--select", "S", "src"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
