"""`init_ruleset`: a new ruleset that passes `claimrules check` and its own cases as generated."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from claimrules import LoadError, evaluate, load_ruleset
from claimrules.authoring.scaffold import init_ruleset
from claimrules.load.schema import json_schema, schema_path
from claimrules.load.yamlsafe import load_yaml_file

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")
KIND_OF = {"ruleset.yaml": "ruleset", "sources.yaml": "sources"}


def _kind(root: Path, path: Path) -> str:
    return KIND_OF.get(path.name) or path.parent.name


@pytest.fixture
def scaffold(tmp_path: Path) -> tuple[Path, list[Path]]:
    root = tmp_path / "New Policy (2025)"
    return root, init_ruleset(root)


def test_writes_the_six_files_and_their_schemas(scaffold):
    root, written = scaffold
    rel = [p.relative_to(root).as_posix() for p in written]
    assert rel == [
        *(f"schemas/{k}.schema.json" for k in ("ruleset", "sources", "claims", "rules", "cases")),
        "ruleset.yaml",
        "sources.yaml",
        "archive/article.txt",
        "claims/article.yaml",
        "rules/article.yaml",
        "cases/article.yaml",
    ]
    assert sorted(p for p in root.rglob("*") if p.is_file()) == sorted(written)  # no temp files


def test_loads_and_every_case_passes(scaffold):
    root, _ = scaffold
    rs = load_ruleset(root)
    assert rs.id == "new-policy-2025"
    assert (len(rs.facts), len(rs.sources), len(rs.claims), len(rs.rules)) == (1, 1, 1, 1)
    assert rs.cases
    for case in rs.cases:
        d = evaluate(rs, case.facts, as_of=case.as_of, known_by=case.known_by,
                     sources=case.sources)
        assert d.verdict == case.expect.verdict, case.id
        assert set(case.expect.deciding_rules or ()) <= set(d.deciding_rules), case.id
    (claim,) = rs.claims.values()
    assert claim.start >= 0  # the quote is found in the placeholder archive


def test_records_the_placeholder_archives_sha256(scaffold):
    root, _ = scaffold
    digest = hashlib.sha256((root / "archive" / "article.txt").read_bytes()).hexdigest()
    assert f"sha256: {digest}" in (root / "sources.yaml").read_text(encoding="utf-8")


def test_every_yaml_file_has_a_working_modeline_and_validates(scaffold):
    root, written = scaffold
    for path in written:
        if path.suffix != ".yaml":
            continue
        kind = _kind(root, path)
        m = MODELINE.match(path.read_text(encoding="utf-8").splitlines()[0])
        assert m, path
        # The schema is a copy inside the ruleset: the modeline works wherever it is moved.
        target = (path.parent / m.group(1)).resolve()
        assert target.is_relative_to(root.resolve()), m.group(1)
        assert target.read_text(encoding="utf-8") == schema_path(kind).read_text(encoding="utf-8")
        validator = Draft202012Validator(json_schema(kind),
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        assert not list(validator.iter_errors(load_yaml_file(path).data)), path


def test_refuses_a_non_empty_directory_without_force(tmp_path):
    root = tmp_path / "existing"
    root.mkdir()
    (root / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(LoadError) as err:
        init_ruleset(root)
    assert err.value.diagnostics[0].code == "init-not-empty"
    assert sorted(p.name for p in root.iterdir()) == ["notes.txt"]
    init_ruleset(root, force=True)
    assert (root / "notes.txt").read_text(encoding="utf-8") == "mine"
    load_ruleset(root)


def test_force_rewrites_the_scaffold(scaffold):
    root, written = scaffold
    (root / "rules" / "article.yaml").write_text("broken: [", encoding="utf-8")
    assert init_ruleset(root, force=True) == written
    load_ruleset(root)


def test_accepts_an_empty_directory_and_refuses_a_file(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert init_ruleset(empty)
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(LoadError) as err:
        init_ruleset(a_file)
    assert err.value.diagnostics[0].code == "init-not-directory"


@pytest.mark.parametrize(
    ("name", "slug"),
    [("my-policy", "my-policy"), ("My Policy", "my-policy"), ("___", "new-ruleset"),
     ("Ünïcode 2025", "unicode-2025")],
)
def test_ruleset_id_is_a_slug_of_the_directory_name(tmp_path, name, slug):
    init_ruleset(tmp_path / name)
    assert load_ruleset(tmp_path / name).id == slug
