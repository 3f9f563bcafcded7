"""Rulesets installed with the package: the wheel carries `rules/` and `examples/` byte for
byte, and a fresh venv with only that wheel runs the README's commands from another folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from _proc import limit_child
from claimrules.load.installed import installed_rulesets, resolve_example, resolve_ruleset
from conftest import ROOT, built_once


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_checkout_resolves_ids_and_readme_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    assert "us-weapons-inside-russia" in installed_rulesets()
    monkeypatch.chdir(tmp_path)
    assert Path(resolve_ruleset("us-weapons-inside-russia")) == (
        ROOT / "rules" / "us-weapons-inside-russia"
    )
    assert Path(resolve_ruleset("rules/us-weapons-inside-russia")).is_dir()
    assert Path(resolve_example("examples/permitted.yaml")).is_file()
    assert resolve_ruleset("no-such-ruleset") == "no-such-ruleset"
    (tmp_path / "us-weapons-inside-russia").mkdir()  # a path that exists always wins
    assert resolve_ruleset("us-weapons-inside-russia") == "us-weapons-inside-russia"


def _build_wheel(out: Path) -> None:
    out.mkdir()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, cwd=out,
    )


@pytest.fixture(scope="session")
def wheel(session_dir: Path) -> Path:
    """The wheel of this checkout, built once for all the workers of the session."""
    (found,) = built_once(session_dir / "wheel", _build_wheel).glob("claimrules-*.whl")
    return found


def test_wheel_carries_rules_and_examples_byte_for_byte(wheel: Path):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for source, target in (("rules", "rulesets"), ("examples", "examples")):
            want = _tree(ROOT / source)
            prefix = f"claimrules/data/{target}/"
            got = {n[len(prefix):]: z.read(n) for n in names if n.startswith(prefix)}
            assert got == want


def test_wheel_in_fresh_venv_runs_from_another_folder(wheel: Path, tmp_path: Path):
    env_dir = tmp_path / "venv"
    # The test venv's packages (pydantic, PyYAML, click) are visible; claimrules comes only
    # from the wheel, installed offline.
    # The wheel is installed by this environment's pip pointed at the new venv (`--python`),
    # which spares seeding the venv with a pip of its own.
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(env_dir)
    site = next(p for p in sys.path if p.endswith("site-packages"))
    py = env_dir / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-index",
         "--no-deps", str(wheel)],
        check=True, capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": site, "CLAIMRULES_NO_CACHE": "1", "NO_COLOR": "1"}
    env.pop("PYTHONHOME", None)
    script = env_dir / "bin" / "claimrules"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(script), *args], cwd=elsewhere, env=env, text=True,
                              capture_output=True, check=False, preexec_fn=limit_child)

    listed = run("rulesets", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    (entry,) = [r for r in data["rulesets"] if r["id"] == "us-weapons-inside-russia"]
    assert str(env_dir) in entry["path"]  # the installed copy, not this checkout
    by_id = run("eval", "us-weapons-inside-russia", "examples/permitted.yaml", "--format", "json")
    assert by_id.returncode == 0, by_id.stderr
    assert json.loads(by_id.stdout)["verdict"] == "permitted"
    readme = run("eval", "rules/us-weapons-inside-russia", "examples/contested.yaml")
    assert readme.returncode == 0, readme.stderr
    assert readme.stdout.startswith("CONTESTED")
    checked = run("check", "us-weapons-inside-russia")
    assert checked.returncode == 0, checked.stderr
    missing = run("eval", "no-such-ruleset", "--fact", "actor=ukraine")
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
