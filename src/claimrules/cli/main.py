"""The `claimrules` command line: option plumbing around one library call per command.

The commands live by group (`evaluate`, `browse`, `analyse`, `publish`, `author`), each module
imported only when one of its commands is run or listed (`COMMAND_MODULES`); this module holds
the group, and renders how a run ended: 0 ok · 1 findings · 2 usage or input error ·
3 internal error (a bug). Only `claimrules.cli` prints or chooses exit codes.
"""

from __future__ import annotations

import errno
import importlib
import os
import re
import sys
from typing import Any, cast

import click

from claimrules import __version__
from claimrules.cli.common import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Findings,
)
from claimrules.diagnostics import Diagnostic, LoadError, Span
from claimrules.interrupt import interrupted_by

#: Each command's name and the module of `claimrules.cli` whose `COMMANDS` define it.
COMMAND_MODULES = {
    **dict.fromkeys(("eval", "ask"), "evaluate"),
    **dict.fromkeys(("check", "test", "lint", "table", "diff", "timeline"), "analyse"),
    **dict.fromkeys(("init", "source", "claim"), "author"),
    **dict.fromkeys(("claims", "facts", "sources", "speakers", "rulesets", "schema"), "browse"),
    **dict.fromkeys(("report", "review", "explore", "export"), "publish"),
}


class LazyGroup(click.Group):
    """A group whose commands are built on first use: `get_command` imports the module of the
    command asked for and adds that module's commands (click's documented pattern for lazy
    subcommands), so that a one-shot `claimrules eval` does not build the other twenty."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if cmd_name not in self.commands and module is not None:
            commands: tuple[click.Command, ...] = importlib.import_module(
                f"claimrules.cli.{module}").COMMANDS
            for command in commands:
                self.add_command(command)
        return self.commands.get(cmd_name)


@click.group(cls=LazyGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="claimrules")
def cli() -> None:
    """Reported policy as code: claims quoted from sources, rules derived from them, and
    verdicts that say what the reporting says — and according to whom."""


#: errno values that mean the output could not be written (full disk, file-size limit, quota).
_WRITE_ERRNOS = frozenset(
    getattr(errno, name) for name in ("EFBIG", "ENOSPC", "EDQUOT", "EIO") if hasattr(errno, name)
)


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush of what could not
    be written fails no second time (and prints nothing)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _write_failed(exc: OSError, name: str = "<stdout>") -> int:
    _silence_stdout()
    reason = (exc.strerror or type(exc).__name__).strip()
    click.echo(f"{name}: error: cannot write output: {reason[:1].lower()}{reason[1:]} "
               "[output-write]", err=True)
    return EXIT_INPUT


def _usage_diagnostic(exc: click.ClickException) -> Diagnostic:
    """A usage error in the tool's one error style: `WHERE: error: message [code]` with a help
    line (click's own `Error: Invalid value ...` style is not used)."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "claimrules"
    where, message, code = command, exc.format_message(), "usage"
    if isinstance(exc, click.BadParameter):
        param = exc.param
        hint = exc.param_hint
        if hint is None and param is not None:
            hint = "/".join(getattr(param, "opts", ())) or param.name
        where = str(hint or command).strip("'\"")
        message, code = exc.message, "bad-option"
        if isinstance(exc, click.MissingParameter) and param is not None:
            name = param.human_readable_name
            where, code = command, "missing-argument"
            message = f"missing {'argument' if name.isupper() else 'option'} `{name}`"
    elif isinstance(exc, click.NoSuchOption):
        message, code = f"no such option `{exc.option_name}`", "no-such-option"
        if exc.possibilities:
            message += f"; did you mean `{sorted(exc.possibilities)[0]}`?"
    # click quotes values 'so' and ends with a full stop; the tool's messages use `backticks`.
    message = re.sub(r"'([^']*)'", r"`\1`", message).rstrip(".")
    if message[:1].isupper() and not message[1:2].isupper():
        message = message[0].lower() + message[1:]
    return Diagnostic(code, message, Span(where), help=f"see `{command} --help`")


def main() -> None:
    """Entry point: run the group, render errors once, choose the exit code."""
    try:
        _guard_stdout()
        code = _run()
    except KeyboardInterrupt:  # Ctrl-C while an ending was being rendered
        code = _interrupted()
    sys.exit(code)


def _guard_stdout() -> None:
    """Make a failed write to the real standard output raise (see `output.checked_text_stream`)
    so the exit code can say so; a stream put in its place (tests, embedders) is left alone."""
    stream = cast(Any, sys.stdout)
    if stream is None or id(stream) != id(sys.__stdout__):
        return
    try:
        stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    from claimrules.output import checked_text_stream  # noqa: PLC0415

    stream.flush()
    sys.stdout = checked_text_stream(stream)


def _interrupted() -> int:
    _silence_stdout()
    click.echo("interrupted", err=True)
    return EXIT_INTERRUPTED


def _run() -> int:
    """Run the group and flush standard output inside the error handling (so a failed write
    is reported, not lost at exit); render how it ended and return the exit code."""
    if sys.stdout is None:  # `claimrules … >&-`: nowhere to write; say so instead of nothing
        click.echo("<stdout>: error: standard output is closed [stdout-closed]", err=True)
        return EXIT_INPUT
    try:
        cli.main(standalone_mode=False, prog_name="claimrules")
        sys.stdout.flush()
    except Findings:
        return EXIT_FINDINGS
    except LoadError as exc:
        for d in exc.diagnostics:
            click.echo(d.render(), err=True)
        return EXIT_INPUT
    except click.exceptions.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            return _interrupted()
        click.echo("aborted", err=True)  # end of input at a prompt
        return EXIT_INPUT
    except click.ClickException as exc:
        click.echo(_usage_diagnostic(exc).render(), err=True)
        return EXIT_INPUT
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except BrokenPipeError:
        _silence_stdout()  # `claimrules … | head`: the reader has gone; stop quietly
        return EXIT_OK
    except KeyboardInterrupt:
        return _interrupted()
    except MemoryError:
        click.echo("error: out of memory [out-of-memory]\n"
                   "  help: the input is too large for the memory available", err=True)
        return EXIT_INPUT
    except OSError as exc:
        if exc.filename is None and exc.errno in _WRITE_ERRNOS:
            return _write_failed(exc)
        name = exc.filename or "<input>"
        click.echo(f"{name}: error: {exc.strerror or exc} [os-error]", err=True)
        return EXIT_INPUT
    except RecursionError:
        click.echo("error: input nested too deeply [too-deep]", err=True)
        return EXIT_INPUT
    except Exception as exc:
        if interrupted_by(exc):  # Ctrl-C inside code that wraps what it raises
            return _interrupted()
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "  help: this is a bug in claimrules; please report it with the command you ran",
            err=True,
        )
        return EXIT_INTERNAL
    return EXIT_OK

