"""`python -m claimrules`, and the entry point of the `claimrules` command."""

import sys
from typing import NoReturn

from claimrules.collector import paused
from claimrules.interrupt import interrupted_by


def main() -> None:
    """Start the command line; Ctrl-C while it is still importing exits 130, no traceback.

    The start-up imports (click, the command line) create thousands of objects that live as
    long as the process and no garbage: the cyclic collector is off while they are made, then
    they are frozen (`gc.freeze`) so that no later collection, the interpreter's last one
    included, walks them again. A one-shot command spends a tenth of its time less."""
    with paused(freeze=True):
        try:
            from claimrules.cli.main import main as run  # noqa: PLC0415 - what is guarded
        except KeyboardInterrupt:
            _interrupted()
        except Exception as exc:
            # Ctrl-C while a class was being made is raised wrapped (a RuntimeError from
            # `__set_name__`): anything else is a real error, with its traceback.
            if not interrupted_by(exc):
                raise
            _interrupted()
    run()


def _interrupted() -> NoReturn:
    sys.stderr.write("interrupted\n")
    sys.exit(130)


if __name__ == "__main__":
    main()
