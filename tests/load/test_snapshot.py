"""The cache of checked rulesets (`claimrules.load.snapshot`): a cached ruleset is the same ruleset,
any change to its files is a miss, a broken or unwritable cache is no error, `check` never
reads it, and a cache hit loads neither pydantic nor PyYAML."""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _proc import limit_child
from claimrules import load_ruleset
from claimrules.engine.compile import compile_ruleset
from claimrules.engine.explain import decide
from claimrules.load import snapshot
from claimrules.load.domain import ClaimKind, Effect, FactType, Modality, NotePart, Rule
from claimrules.load.domain import Test as FactTest
from claimrules.load.loader import scenario_of
from claimrules.load.ruleset import ClaimRecord, Ruleset, yaml_files, yaml_names
from claimrules.load.scenario import plain_scenario
from claimrules.load.yamlsafe import Document
from conftest import ROOT, SHIPPED, run_main

RULESETS = sorted(p for p in (ROOT / "tests" / "rulesets").iterdir() if p.is_dir())
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The cache turned on, in a directory of this test's own."""
    where = tmp_path / "cache"
    monkeypatch.delenv("CLAIMRULES_NO_CACHE", raising=False)
    monkeypatch.setenv("CLAIMRULES_CACHE_DIR", str(where))
    return where


def _same(a: Ruleset, b: Ruleset) -> None:
    # The cache serves eval and ask, which print no load warnings: it does not keep them.
    for f in fields(Ruleset):
        if f.name != "warnings":
            assert getattr(a, f.name) == getattr(b, f.name), f.name


# --- the entry holds the same ruleset --------------------------------------------------------


@pytest.mark.parametrize("path", [SHIPPED, *RULESETS], ids=lambda p: p.name)
def test_a_stored_ruleset_loads_back_equal(cache: Path, path: Path) -> None:
    rs = load_ruleset(path)
    assert snapshot.store(rs)
    back = snapshot.load(path)
    assert back is not None
    _same(rs, back)


def test_every_shipped_decision_is_the_same_from_the_cache(cache: Path) -> None:
    rs = load_ruleset(SHIPPED)
    snapshot.store(rs)
    back = snapshot.load(SHIPPED)
    assert back is not None
    fresh, cached = compile_ruleset(rs), compile_ruleset(back)
    names = list(rs.facts)
    domains = [fresh.domains[n] for n in names]
    count = 0
    for values in itertools.product(*domains):
        facts = dict(zip(names, values, strict=True))
        for known in (facts, {k: v for k, v in facts.items() if k != "target_type"}):
            assert decide(fresh, known) == decide(cached, known)
            count += 1
    assert count == 2 * len(list(itertools.product(*domains)))


def test_spans_follow_the_spelling_of_the_root(cache: Path, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    snapshot.store(load_ruleset(SHIPPED))
    monkeypatch.chdir(SHIPPED.parent)
    back = snapshot.load(SHIPPED.name)
    assert back is not None
    assert back.root == SHIPPED.name
    assert back.span("rule", back.rules[0].id).file.startswith(SHIPPED.name + os.sep)
    _same(back, load_ruleset(SHIPPED.name))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_eval_prints_the_same_from_the_cache(
    cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    example: Path, fmt: str,
) -> None:
    args = ("eval", str(SHIPPED), str(example), "--format", fmt)
    full = run_main(monkeypatch, capsys, *args, "--no-cache")
    assert not cache.exists()  # --no-cache neither reads nor writes
    first = run_main(monkeypatch, capsys, *args)  # a miss: loads in full, then stores
    assert len(list(cache.iterdir())) == 1
    second = run_main(monkeypatch, capsys, *args)  # a hit
    assert full == first == second
    assert full[0] == 0


# --- any change is a miss ----------------------------------------------------------------------


def _eval(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], rs: Path,
          example: str = "permitted") -> tuple[int, str, str]:
    scenario = ROOT / "examples" / f"{example}.yaml"
    return run_main(monkeypatch, capsys, "eval", str(rs), str(scenario), "--format", "json")


def test_an_edited_quote_is_caught(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str], ruleset_copy: Path) -> None:
    assert _eval(monkeypatch, capsys, ruleset_copy)[0] == 0
    claims = ruleset_copy / "claims" / "biden-decision-article.yaml"
    text = claims.read_text(encoding="utf-8")
    edited = text.replace('quote: "', 'quote: "Reportedly, ', 1)
    assert edited != text
    claims.write_text(edited, encoding="utf-8")
    code, _, err = _eval(monkeypatch, capsys, ruleset_copy)
    assert code == 2
    assert "[quote-not-found]" in err


def test_an_edited_archive_is_caught(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str], ruleset_copy: Path
                                     ) -> None:
    assert _eval(monkeypatch, capsys, ruleset_copy)[0] == 0
    archive = ruleset_copy / "archive" / "biden-decision-article.txt"
    archive.write_bytes(archive.read_bytes() + b"\n")
    code, _, err = _eval(monkeypatch, capsys, ruleset_copy)
    assert code == 2
    assert "[archive-hash]" in err


def test_an_edited_rule_changes_the_verdict(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str],
                                            ruleset_copy: Path) -> None:
    code, out, _ = _eval(monkeypatch, capsys, ruleset_copy)
    assert (code, json.loads(out)["verdict"]) == (0, "permitted")
    deciding = json.loads(out)["deciding_rules"]
    for path in (ruleset_copy / "rules").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for rule in deciding:
            marker = f"id: {rule}\n"
            if marker in text:
                head, tail = text.split(marker, 1)
                tail = tail.replace("effect: permit", "effect: prohibit", 1)
                path.write_text(head + marker + tail, encoding="utf-8")
    code, out, _ = _eval(monkeypatch, capsys, ruleset_copy)
    assert code == 0
    assert json.loads(out)["verdict"] == "prohibited"


def test_an_added_file_is_read(cache: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str], ruleset_copy: Path) -> None:
    assert _eval(monkeypatch, capsys, ruleset_copy)[0] == 0
    (ruleset_copy / "rules" / "zz-broken.yaml").write_text("rules: 3\n", encoding="utf-8")
    code, _, err = _eval(monkeypatch, capsys, ruleset_copy)
    assert code == 2
    assert "zz-broken.yaml" in err


def test_a_removed_file_is_noticed(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str], ruleset_copy: Path) -> None:
    assert _eval(monkeypatch, capsys, ruleset_copy)[0] == 0
    (ruleset_copy / "claims" / "biden-decision-article.yaml").unlink()
    code, _, err = _eval(monkeypatch, capsys, ruleset_copy)
    assert code == 2
    assert "[unknown-claim]" in err


# --- a broken cache is no error ---------------------------------------------------------------


@pytest.mark.parametrize(
    "garbage",
    [b"", b"{", b"\xff\xfe", b"[]", b'{"format": 1}', b"null",
     b'{"format": 1, "claimrules": "0.1.0", "root": "/", "inputs": {}, "ruleset": {}}',
     b"{}\n[]", b"[1]\n[]", b"\n"],
    ids=["empty", "truncated", "binary", "list", "no-fields", "null", "other-root",
         "empty-header", "header-not-an-object", "empty-lines"],
)
def test_a_broken_entry_is_a_miss(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str], garbage: bytes) -> None:
    expected = _eval(monkeypatch, capsys, SHIPPED)
    entry = snapshot.entry_path(SHIPPED)
    entry.write_bytes(garbage)
    assert snapshot.load(SHIPPED) is None
    assert _eval(monkeypatch, capsys, SHIPPED) == expected
    assert snapshot.load(SHIPPED) is not None  # written again


def _entry(path: Path) -> tuple[dict[str, Any], list[Any]]:
    """An entry's header and its stored ruleset (the encoded sections), to edit."""
    head, payload = path.read_bytes().split(b"\n")
    return json.loads(head), json.loads(payload)


def _rewrite(path: Path, header: dict[str, Any], ruleset: list[Any], *, digest: bool = True
             ) -> None:
    """Write an entry back; `digest`: with the stored ruleset's digest made right, as only a
    deliberate writer (not damage) would."""
    payload = snapshot._json(ruleset)
    if digest:
        header["ruleset"] = snapshot._digest(payload)
    path.write_bytes(snapshot._json(header) + b"\n" + payload)


def test_an_entry_rewritten_as_it_was_is_read(cache: Path) -> None:
    # The helpers above change nothing by themselves: the tests below change one thing.
    rs = load_ruleset(SHIPPED)
    snapshot.store(rs)
    entry = snapshot.entry_path(SHIPPED)
    _rewrite(entry, *_entry(entry))
    back = snapshot.load(SHIPPED)
    assert back is not None
    _same(rs, back)


def test_a_damaged_entry_is_a_miss(cache: Path) -> None:
    # Any changed byte of the stored ruleset fails its digest; a changed header byte fails
    # the header's own checks (or no longer reads as one).
    snapshot.store(load_ruleset(SHIPPED))
    entry = snapshot.entry_path(SHIPPED)
    good = entry.read_bytes()
    header_end = good.index(b"\n")
    for at in sorted({*range(0, len(good), max(1, len(good) // 97)), header_end, len(good) - 1}):
        for flip in (0x01, 0x20):
            damaged = bytearray(good)
            damaged[at] ^= flip
            entry.write_bytes(bytes(damaged))
            assert snapshot.load(SHIPPED) is None, (at, flip)
    entry.write_bytes(good[:-1])  # truncated
    assert snapshot.load(SHIPPED) is None
    entry.write_bytes(good)
    assert snapshot.load(SHIPPED) is not None


def test_an_edited_ruleset_without_its_digest_is_a_miss(cache: Path) -> None:
    snapshot.store(load_ruleset(SHIPPED))
    entry = snapshot.entry_path(SHIPPED)
    header, ruleset = _entry(entry)
    ruleset[3] = ruleset[3][1:]  # a rule gone
    _rewrite(entry, header, ruleset, digest=False)
    assert snapshot.load(SHIPPED) is None
    _rewrite(entry, header, ruleset)  # with its digest: read (the owner's own entry)
    back = snapshot.load(SHIPPED)
    assert back is not None
    assert len(back.rules) == len(load_ruleset(SHIPPED).rules) - 1


def test_a_file_changed_between_load_and_store_is_not_stored(cache: Path,
                                                              ruleset_copy: Path) -> None:
    # The entry's digests are of the bytes the ruleset was read from, or there is no entry.
    rs = load_ruleset(ruleset_copy)
    archive = ruleset_copy / "archive" / "biden-decision-article.txt"
    archive.write_bytes(archive.read_bytes() + b"\n")
    assert not snapshot.store(rs)
    assert not cache.exists() or not list(cache.iterdir())


def test_the_files_checked_are_the_files_read(cache: Path) -> None:
    rs = load_ruleset(SHIPPED)
    snapshot.store(rs)
    entry = snapshot.entry_path(SHIPPED)
    header, ruleset = _entry(entry)
    assert ruleset[-1] == rs.inputs  # sha256, as the load recorded them
    assert header["files"].keys() == rs.inputs.keys()
    assert all(header["files"][rel] == snapshot.file_digest(SHIPPED / rel) for rel in rs.inputs)
    del header["files"][next(iter(header["files"]))]  # a file read that would go unchecked
    _rewrite(entry, header, ruleset)
    assert snapshot.load(SHIPPED) is None


def _rule_number() -> int:
    return snapshot._CLASSES.index(Rule)


@pytest.mark.parametrize("damage", [
    "unknown enum value", "unknown class", "unknown tag", "a field too many", "a field missing",
    "a rule where the meta belongs", "a tag that is no number", "an empty tuple",
    "archives of the wrong kind", "a span of the wrong shape",
])
def test_an_entry_the_code_did_not_write_is_a_miss(cache: Path, damage: str) -> None:
    # Even with its digest made right, decoding builds only what `_pack` writes: known
    # classes, tags and enum values, each class with its number of fields, sections of their
    # kind. (It does not check each field's type: a damaged entry fails its digest.)
    snapshot.store(load_ruleset(SHIPPED))
    entry = snapshot.entry_path(SHIPPED)
    header, ruleset = _entry(entry)
    rules = ruleset[3]
    assert rules[0][0] == _rule_number()
    effect = [f.name for f in fields(Rule)].index("effect") + 1
    if damage == "unknown enum value":
        rules[0][effect] = (rules[0][effect][0], "maybe")
    elif damage == "unknown class":
        rules[0][0] = len(snapshot._CLASSES)
    elif damage == "unknown tag":
        rules[0][effect] = (-7, "permit")
    elif damage == "a field too many":
        rules[0].append(None)
    elif damage == "a field missing":
        rules[0] = rules[0][:3]
    elif damage == "a rule where the meta belongs":
        ruleset[0] = rules[0]
    elif damage == "a tag that is no number":
        rules[0][effect] = ("Effect", "permit")
    elif damage == "an empty tuple":
        rules[0][effect] = ()
    elif damage == "archives of the wrong kind":
        ruleset[6] = {"archive/x.txt": 3}
    else:
        ruleset[5] = [["rule:x", "f", True]]
    _rewrite(entry, header, ruleset)
    assert snapshot.load(SHIPPED) is None


def test_each_source_is_stored_once_and_shared_by_its_claims(cache: Path) -> None:
    rs = load_ruleset(SHIPPED)
    snapshot.store(rs)
    _, ruleset = _entry(snapshot.entry_path(SHIPPED))
    source = [f.name for f in fields(ClaimRecord)].index("source") + 1
    assert [c[source] for c in ruleset[2]] == [
        [snapshot._SOURCE, r.source.id] for r in rs.claims.values()
    ]
    back = snapshot.load(SHIPPED)
    assert back is not None
    for record in back.claims.values():  # as a full load makes them: the ruleset's own source
        assert record.source is back.sources[record.source.id]
        assert record == rs.claims[record.id]


@pytest.mark.parametrize("damage", ["unknown source", "wrong type"])
def test_a_claim_naming_a_source_badly_is_a_miss(cache: Path, damage: str) -> None:
    snapshot.store(load_ruleset(SHIPPED))
    entry = snapshot.entry_path(SHIPPED)
    header, ruleset = _entry(entry)
    source = [f.name for f in fields(ClaimRecord)].index("source") + 1
    ruleset[2][0][source] = [snapshot._SOURCE,
                             "no-such-source" if damage == "unknown source" else ["a", "list"]]
    _rewrite(entry, header, ruleset)
    assert snapshot.load(SHIPPED) is None


@given(st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.floats(allow_nan=False, min_value=-1e300, max_value=1e300) | st.just(-0.0),
              st.text(max_size=8), st.dates(),
              st.sampled_from([*Effect, *ClaimKind, *Modality, *FactType])),
    lambda inner: st.lists(inner, max_size=3).map(tuple) | st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    | st.builds(FactTest, st.text(max_size=4), st.sampled_from(["is", "in"]), inner)
    | st.builds(NotePart, st.text(max_size=4), st.lists(st.text(max_size=4)).map(tuple)),
    max_leaves=12,
))
def test_every_value_an_entry_holds_reads_back_equal_and_of_its_type(value: object) -> None:
    back = snapshot._unpack(json.loads(snapshot._json(snapshot._pack(value, {}))), {})
    assert back == value
    assert _types(back) == _types(value)


def _types(value: object) -> object:
    """A value's shape with the type of every part (1 == 1.0 == True, but not as stored)."""
    if isinstance(value, tuple | list):
        return type(value), [_types(v) for v in value]
    if isinstance(value, dict):
        return dict, [(_types(k), _types(v)) for k, v in value.items()]
    if isinstance(value, FactTest | NotePart):
        return type(value), [_types(getattr(value, f.name)) for f in fields(value)]
    return type(value)


def test_a_value_no_entry_holds_is_not_stored(cache: Path) -> None:
    with pytest.raises(ValueError, match="cannot encode"):
        snapshot._pack(object(), {})
    with pytest.raises(ValueError, match="cannot encode"):
        snapshot._pack(datetime(2024, 6, 1, 12, 0), {})  # not a plain date: no time is lost
    with pytest.raises(ValueError, match="cannot encode"):
        snapshot._pack({1: "a"}, {})  # JSON would make the key "1"
    rs = load_ruleset(SHIPPED)
    rs.archives = {**rs.archives, "odd": object()}  # type: ignore[dict-item]
    assert not snapshot.store(rs)
    assert not cache.exists() or not list(cache.iterdir())


def _yaml_files_by_pathlib(root: Path, kind: str) -> list[Path]:
    """`yaml_files` as it was written with pathlib, before `yaml_names` did it with os."""
    files = []
    single = root / f"{kind}.yaml"
    if single.exists():
        files.append(single)
    folder = root / kind
    if folder.is_dir():
        files.extend(sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml")))
    return files


def test_the_files_of_a_kind_are_found_as_pathlib_found_them(tmp_path: Path) -> None:
    (tmp_path / "claims").mkdir()
    for name in ("b.yaml", "A.yaml", "a.yml", ".yaml", ".yml", "c.yaml.bak", "d.YAML", "e.",
                 "f..yaml", "notes.txt"):
        (tmp_path / "claims" / name).write_text("", encoding="utf-8")
    (tmp_path / "claims" / "dir.yaml").mkdir()  # a folder so named is listed, then refused
    (tmp_path / "claims.yaml").write_text("", encoding="utf-8")
    (tmp_path / "rules").write_text("", encoding="utf-8")  # a file where a folder may be
    (tmp_path / "cases.yaml").mkdir()
    for root in [tmp_path, SHIPPED, *RULESETS]:
        for kind in ("ruleset", "sources", "claims", "rules", "cases", "missing"):
            want = _yaml_files_by_pathlib(root, kind)
            assert yaml_files(root, kind) == want, (root, kind)
            assert yaml_names(str(root), kind) == [p.relative_to(root).as_posix() for p in want]
    assert yaml_names(str(tmp_path / "nowhere"), "claims") == []


def test_another_version_is_a_miss(cache: Path) -> None:
    snapshot.store(load_ruleset(SHIPPED))
    entry = snapshot.entry_path(SHIPPED)
    header, ruleset = _entry(entry)
    assert header["claimrules"] == snapshot.__version__
    header["claimrules"] = "0.0.0"
    _rewrite(entry, header, ruleset)
    assert snapshot.load(SHIPPED) is None


def test_an_unwritable_cache_is_no_error(monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str], tmp_path: Path
                                         ) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.delenv("CLAIMRULES_NO_CACHE", raising=False)
    monkeypatch.setenv("CLAIMRULES_CACHE_DIR", str(blocker / "cache"))
    code, out, err = _eval(monkeypatch, capsys, SHIPPED)
    assert (code, err) == (0, "")
    assert json.loads(out)["verdict"] == "permitted"
    assert not snapshot.store(load_ruleset(SHIPPED))


def test_the_environment_turns_the_cache_off(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CLAIMRULES_NO_CACHE", "1")
    assert _eval(monkeypatch, capsys, SHIPPED)[0] == 0
    assert not cache.exists()


def test_check_never_reads_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    snapshot.store(load_ruleset(SHIPPED))

    def refuse(*_: object) -> None:
        raise AssertionError("check read the cache")

    monkeypatch.setattr(snapshot, "load", refuse)
    code, _, err = run_main(monkeypatch, capsys, "check", str(SHIPPED))
    assert (code, err) == (0, "")


def test_a_ruleset_built_in_memory_is_not_stored(cache: Path) -> None:
    rs = load_ruleset(SHIPPED)
    rs.inputs = {}
    assert not snapshot.store(rs)
    assert not cache.exists()


# --- what a cache hit costs --------------------------------------------------------------------

_PROBE = """
import sys
from claimrules.cli.main import main
sys.argv = ["claimrules", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
print(sorted(m for m in ("pydantic", "yaml", "claimrules.load.loader") if m in sys.modules),
      code, file=sys.stderr)
"""


def test_a_cache_hit_imports_neither_pydantic_nor_yaml(tmp_path: Path) -> None:
    env = {**os.environ, "CLAIMRULES_CACHE_DIR": str(tmp_path)}
    env.pop("CLAIMRULES_NO_CACHE", None)
    argv = [sys.executable, "-c", _PROBE, "eval", str(SHIPPED), "--fact", "actor=ukraine",
            "--format", "json"]
    first = subprocess.run(argv, capture_output=True, text=True, env=env, check=False,
                           preexec_fn=limit_child)
    assert first.stderr.strip() == "['claimrules.load.loader', 'pydantic', 'yaml'] 0"  # a miss
    second = subprocess.run(argv, capture_output=True, text=True, env=env, check=False,
                            preexec_fn=limit_child)
    assert second.stderr.strip() == "[] 0"
    assert second.stdout == first.stdout


# --- the plain scenario reader agrees with the validating one ---------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
    st.sampled_from(["2024-06-01", "2024-02-30", "2024-6-1", "us", "Us", "a b", "x" * 121]),
)
_values = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(
    st.sampled_from(["facts", "as_of", "known_by", "sources", "extra", "Facts"]), _values,
    max_size=4,
))
def test_the_plain_scenario_reader_accepts_only_what_the_model_accepts(data: dict) -> None:
    plain = plain_scenario(data)
    if plain is None:
        return  # the validating reader decides, and words any error
    assert scenario_of(Document(data, {}, {}, "s.yaml")) == plain


@given(st.fixed_dictionaries(
    {"facts": st.dictionaries(st.text(min_size=1, max_size=8), _scalars, max_size=4)},
    optional={"as_of": st.dates().map(str), "known_by": st.dates().map(str),
              "sources": st.lists(st.from_regex(r"[a-z0-9][a-z0-9._-]{0,10}", fullmatch=True),
                                  max_size=3)},
))
def test_the_plain_scenario_reader_reads_well_formed_scenarios(data: dict) -> None:
    facts = data["facts"]
    if any((isinstance(v, float) and math.isnan(v)) or v in (float("inf"), float("-inf"))
           for v in facts.values()):
        return
    plain = plain_scenario(data)
    assert plain is not None
    assert plain == scenario_of(Document(data, {}, {}, "s.yaml"))


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_an_entry_leaves_the_collector_as_it_was(cache: Path, enabled: bool) -> None:
    import gc

    snapshot.store(load_ruleset(SHIPPED))
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        assert snapshot.load(SHIPPED) is not None
        assert gc.isenabled() is enabled
        entry = snapshot.entry_path(SHIPPED)
        _rewrite(entry, _entry(entry)[0], ["not", "a", "ruleset"])  # a miss in the decoding
        assert snapshot.load(SHIPPED) is None
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_an_entry_over_the_bound_is_not_read(cache: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    snapshot.store(load_ruleset(SHIPPED))
    size = snapshot.entry_path(SHIPPED).stat().st_size
    monkeypatch.setattr(snapshot, "MAX_ENTRY_BYTES", size)
    assert snapshot.load(SHIPPED) is not None
    monkeypatch.setattr(snapshot, "MAX_ENTRY_BYTES", size - 1)
    assert snapshot.load(SHIPPED) is None
