"""Files stay inside the ruleset, and `sources: []` means one thing (issue 13, items 6-7): rule,
claim, case (and every other YAML) files symlinked out of the ruleset directory are refused, as
archives are; `init` never writes through a symlinked directory; a scenario's `sources: []`
reads the same through the command line, a batch and the API.

The commands run in this process (`conftest.run_main`): what is checked is the loader's and the
command's answer, not the interpreter around it, which tests/load/test_hostile.py covers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from claimrules import evaluate, load_ruleset
from conftest import SHIPPED, run_main

KINDS = {"rules": "rules/zz.yaml", "claims": "claims/zz.yaml", "cases": "cases/zz.yaml",
         "sources": "sources/zz.yaml"}


def _copy(tmp_path: Path) -> Path:
    rs = tmp_path / "rs"
    shutil.copytree(SHIPPED, rs)
    return rs


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_file_symlinked_out_of_the_ruleset_is_refused(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    rs = _copy(tmp_path)
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(f"{kind}: []\n", encoding="utf-8")
    link = rs / KINDS[kind]
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(outside)
    for command, code in (("check", 1), ("eval", 2)):
        returned, _, err = run_main(monkeypatch, capsys, command, "rs",
                                    *(["--fact", "actor=ukraine"] if command == "eval" else []))
        assert returned == code, err
        assert (f"rs/{KINDS[kind]}: error: file is outside the ruleset directory "
                "(a symlink out of it) [file-outside]") in err
        assert "Traceback" not in err


def test_a_folder_symlinked_out_of_the_ruleset_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    rs = _copy(tmp_path)
    shutil.move(rs / "rules", tmp_path / "rules-elsewhere")
    (rs / "rules").symlink_to(tmp_path / "rules-elsewhere", target_is_directory=True)
    code, _, err = run_main(monkeypatch, capsys, "check", "rs")
    assert code == 1
    assert err.count("[file-outside]") == len(list(
        (tmp_path / "rules-elsewhere").glob("*.yaml")))


def test_a_symlink_inside_the_ruleset_is_read(tmp_path: Path) -> None:
    rs = _copy(tmp_path)
    (rs / "kept").mkdir()
    first = sorted((rs / "rules").glob("*.yaml"))[0]
    shutil.move(first, rs / "kept" / first.name)
    first.symlink_to(Path("..") / "kept" / first.name)
    assert len(load_ruleset(rs).rules) == len(load_ruleset(SHIPPED).rules)


def test_init_refuses_a_symlinked_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "target"
    target.mkdir()
    (tmp_path / "link").symlink_to(target, target_is_directory=True)
    for args in (("init", "link"), ("init", "link", "--force")):
        code, _, err = run_main(monkeypatch, capsys, *args)
        assert code == 2
        assert "link: error: refusing to write through a symlinked directory [init-symlink]" in err
    assert list(target.iterdir()) == []


def test_init_force_refuses_a_symlinked_subdirectory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "rules").symlink_to(outside, target_is_directory=True)
    code, _, err = run_main(monkeypatch, capsys, "init", "new", "--force")
    assert code == 2
    assert "new/rules: error: refusing to write through a symlinked directory" in err
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["rules"]  # nothing written


FACTS = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia",
         "target_type": "military_unit", "directly_involved_in_invasion": True}


def test_empty_sources_mean_the_same_through_the_cli_a_batch_and_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    api = evaluate(load_ruleset(SHIPPED), FACTS, sources=[])
    everything = evaluate(load_ruleset(SHIPPED), FACTS)
    assert api.verdict != everything.verdict  # so the test tells the two readings apart
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"facts": FACTS, "sources": []}), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"facts": FACTS, "sources": []}) + "\n",
                                      encoding="utf-8")
    one = run_main(monkeypatch, capsys, "eval", str(SHIPPED), "s.json", "--format", "json")
    batch = run_main(monkeypatch, capsys, "eval", str(SHIPPED), "--batch", "b.jsonl")
    for r in (one, batch):
        code, out, err = r
        assert code == 0, err
        doc = json.loads(out.splitlines()[0] if r is batch else out)
        assert doc["verdict"] == str(api.verdict)
        assert doc["deciding_rules"] == list(api.deciding_rules)
        assert doc["sources"] == []
