"""The README's "Encode a new policy" walkthrough runs as written: its `sh` blocks and the files
it shows (`<!-- file: PATH -->` before a block), in order, from a copy of the repository's
`examples/`; every command must succeed, ending with `check`, `test` and `lint`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from _proc import HANG_SECONDS, limit_child
from claimrules import load_ruleset
from conftest import ROOT

SECTION = re.compile(r"^## Encode a new policy\n(.*?)^## ", re.MULTILINE | re.DOTALL)
BLOCK = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)^```",
                   re.MULTILINE | re.DOTALL)


def _script() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = SECTION.search(readme)
    assert section, "README has no 'Encode a new policy' section"
    out = ["set -euo pipefail"]
    for block in BLOCK.finditer(section.group(1)):
        if block["file"]:
            out += [f"cat > {block['file']} <<'CLAIMRULES_WALKTHROUGH_EOF'",
                    block["body"].rstrip("\n"), "CLAIMRULES_WALKTHROUGH_EOF"]
        elif block["lang"] == "sh":
            out.append(block["body"])
    return "\n".join(out) + "\n"


def test_the_readme_walkthrough_runs_from_init_to_a_clean_lint(tmp_path: Path) -> None:
    script = _script()
    for command in ("claimrules init", "claimrules source add", "claimrules claim add",
                    "claimrules check", "claimrules test", "claimrules lint"):
        assert command in script, command
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                            text=True, check=False, timeout=HANG_SECONDS,
                            preexec_fn=limit_child)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 cases: 4 passed, 0 failed" in result.stdout
    assert "0 errors, 0 warnings" in result.stdout
    assert "PERMITTED" in result.stdout
    rs = load_ruleset(tmp_path / "rules" / "ruritania-drones")
    assert set(rs.claims) == {"officials-permission", "only-within-20km", "minister-no-cities",
                              "analysts-could-change"}
    assert all(c.start >= 0 for c in rs.claims.values())
