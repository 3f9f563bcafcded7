"""Build step: the shipped rulesets and examples become package data.

`rules/` and `examples/` stay the authoring home (one copy in the repository); building a wheel
copies them, byte for byte, into `claimrules/data/rulesets/` and `claimrules/data/examples/`,
where `claimrules.load.installed` finds them. An editable install reads them from the checkout.
Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent

#: Repository folder → folder under the installed package's `data/`.
SHIPPED = {"rules": "rulesets", "examples": "examples"}


class BuildWithRulesets(build_py):
    """build_py, then copy the shipped rulesets and examples into the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads rules/ and examples/ from the checkout
        for source, target in SHIPPED.items():
            src = ROOT / source
            if not src.is_dir():
                continue  # built from an sdist that lacks them: nothing to ship
            dest = Path(self.build_lib) / "claimrules" / "data" / target
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(
                src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
            )


setup(cmdclass={"build_py": BuildWithRulesets})
