"""`python -m claimrules`, and the entry point of the `claimrules` command."""

import sys


def main() -> None:
    """Start the command line; Ctrl-C while it is still importing exits 130, no traceback."""
    try:
        from claimrules.cli.main import main as run  # noqa: PLC0415 - the import is what is guarded
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
