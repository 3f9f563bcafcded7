"""What every command shares: the options, loading a ruleset (from the cache or in full),
reading standard input, resolving a scenario, and printing (inert) output and diagnostics.

The exit codes: 0 ok · 1 findings · 2 usage or input error · 3 internal error (a bug).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Collection, Iterable
from datetime import date
from typing import Any, NoReturn, TypeVar

import click

from claimrules.collector import paused
from claimrules.diagnostics import Diagnostic, LoadError, Severity, Span

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


class Findings(Exception):
    """Raised by a command that found problems (exit 1) after printing them."""


def color(stream: Any = None) -> bool:
    """Whether to colour output on `stream` (standard output): a terminal, and no `NO_COLOR`."""
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def print_diagnostics(diags: list[Diagnostic], fmt: str = "text") -> None:
    """Print diagnostics: rendered on stderr, or as GitHub annotations on stdout (`github`)."""
    from claimrules.reporters.escape import github_command  # noqa: PLC0415

    for d in diags:
        if fmt == "github":
            level = "error" if d.severity == "error" else "warning"
            click.echo(github_command(level, d.message, file=d.span.file, line=d.span.line,
                                      col=d.span.col, title=d.code))
        else:
            click.echo(d.render(), err=True)


def emit(text: str, fmt: str = "text", *, err: bool = False) -> None:
    """Print a rendered output as it is, but inert: controls from the ruleset or scenario made
    visible (JSON keeps them as `\\uXXXX` escapes, the same data)."""
    from claimrules.reporters import escape  # noqa: PLC0415

    safe = escape.json_text(text) if fmt in ("json", "jsonld") else escape.terminal(text)
    click.echo(safe, nl=not safe.endswith("\n"), err=err)


def date_option(value: str | None, name: str) -> date | None:
    """A `YYYY-MM-DD` option's date (None when not given); a usage error otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else _bad_date(value, name)
    except ValueError:
        _bad_date(value, name)


def _bad_date(value: str, name: str) -> NoReturn:
    from claimrules.load.domain import why_not_a_date  # noqa: PLC0415

    raise click.BadParameter(why_not_a_date(value), param_hint=name)


def load_checked(path: str) -> Any:
    """The ruleset at `path` (or installed under that id), loaded and checked in full."""
    from claimrules.load.installed import resolve_ruleset  # noqa: PLC0415
    from claimrules.load.loader import load_ruleset  # noqa: PLC0415 - lazy: keeps --help fast

    return load_ruleset(resolve_ruleset(path))


def load_cached(path: str, no_cache: bool) -> Any:
    """The ruleset for a command that only evaluates (eval, ask): from the cache of checked
    rulesets when its files are unchanged (see `claimrules.load.snapshot`), else loaded in full
    and then cached. Commands that check or report always load in full."""
    from claimrules.load.installed import resolve_ruleset  # noqa: PLC0415

    path = resolve_ruleset(path)
    with paused(freeze=True):  # the cache's reader and what it reads (a full load collects)
        from claimrules.load import snapshot  # noqa: PLC0415

        use = not no_cache and snapshot.enabled()
        rs = snapshot.load(path, warn) if use else None
    if rs is None:
        rs = load_checked(path)
        if use:
            snapshot.store(rs, warn)
    return rs


def completer(kind: str) -> Callable[[click.Context, click.Parameter, str], list[Any]]:
    """A shell-completion callback offering the named ruleset's facts, sources or speakers
    (`claimrules.cli.completion`); it offers nothing while no loadable ruleset is named."""

    def complete(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[Any]:
        from claimrules.cli import completion  # noqa: PLC0415

        # While an option waits for its value, click leaves the arguments unassigned: the
        # ruleset is then the first of them.
        path = ctx.params.get("ruleset") or next(
            (a for a in ctx.args if not a.startswith("-")), None
        )
        if not isinstance(path, str):
            return []
        try:
            rs = load_cached(path, False)
        except Exception:
            return []
        found = getattr(completion, f"{kind}_candidates")(rs, incomplete)
        return [click.shell_completion.CompletionItem(w, type="plain") for w in found]

    return complete


def warn(where: str, message: str) -> None:
    """Print a cache warning (the cache could not be trusted or written) on stderr."""
    diagnostic = Diagnostic("cache-untrusted", message, Span(where), severity=Severity.WARNING)
    click.echo(diagnostic.render(), err=True)


no_cache_option = click.option(
    "--no-cache",
    is_flag=True,
    help="Load and check the ruleset in full, not from the cache of checked rulesets.",
)


def write_output(text: str, output: str | None, force: bool, fmt: str) -> None:
    """Print `text`, or write it atomically to the file `output` (`-`: standard output)."""
    if output is None or output == "-":
        emit(text, fmt)
        return
    from pathlib import Path  # noqa: PLC0415

    from claimrules.output import write_atomic  # noqa: PLC0415

    try:
        write_atomic(Path(output), text.encode("utf-8"), force=force)
    except OSError as exc:  # a full disk, a file-size limit: name the output, not the input
        reason = (exc.strerror or type(exc).__name__).strip()
        raise LoadError([Diagnostic(
            "output-write", f"cannot write output: {reason[:1].lower()}{reason[1:]}",
            Span(output),
        )]) from None
    emit(f"wrote {output}", err=True)


def output_options(command: F) -> F:
    """`-o/--output FILE` (written atomically) and `--force` (replace an existing file): the
    options of every command that writes a file."""
    command = click.option(
        "--force", is_flag=True, help="Replace an existing output file."
    )(command)
    return click.option(
        "-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomically)."
    )(command)


def format_option(
    *choices: str, default: str | None = None, help_text: str | None = None
) -> Callable[[F], F]:
    """The `--format` option every command shares: its choices, the first by default."""
    option: Callable[[F], F] = click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default or choices[0],
        show_default=True,
        help=help_text,
    )
    return option


ruleset_arg = click.argument("ruleset", type=click.Path(file_okay=False, dir_okay=True))


def time_options(f: F) -> F:
    """The reading options: `--as-of`, `--known-by` and `--source` (repeatable)."""
    f = click.option(
        "--source",
        "sources",
        multiple=True,
        metavar="ID",
        help="Evaluate according to these sources only (repeatable).",
        shell_complete=completer("source"),
    )(f)
    f = click.option("--known-by", metavar="DATE", help="Count only claims reported by DATE.")(f)
    return click.option("--as-of", metavar="DATE", help="The policy in effect on DATE.")(f)


def check_sources(chosen: Iterable[str], known: Collection[str]) -> None:
    """Raise LoadError naming each id in `chosen` that is not a source of the ruleset."""
    from claimrules.load.scenario_file import unknown_sources  # noqa: PLC0415

    problems = unknown_sources(chosen, known, Span("--source"),
                               hint="see `claimrules sources RULESET`")
    if problems:
        raise LoadError(problems)


def read_stdin() -> str:
    """Standard input, bounded like a file and decoded as strict UTF-8."""
    from claimrules.load.yamlsafe import MAX_FILE_BYTES  # noqa: PLC0415

    stream = stdin()
    buffer = getattr(stream, "buffer", None)
    raw = buffer.read(MAX_FILE_BYTES + 1) if buffer is not None else None
    if raw is None:
        text = stream.read(MAX_FILE_BYTES + 1)
        raw = text.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_FILE_BYTES:
        raise LoadError(
            [
                Diagnostic(
                    "file-too-large",
                    f"input is too large: more than {MAX_FILE_BYTES} bytes",
                    Span("<stdin>"),
                )
            ]
        )
    try:
        return bytes(raw).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(
            [Diagnostic("file-encoding", f"not valid UTF-8 at byte {exc.start}", Span("<stdin>"))]
        ) from None


def parse_fact_options(pairs: tuple[str, ...]) -> dict[str, str]:
    """`--fact name=value` options as a mapping; a usage error for one without `=`."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"`{pair}` is not name=value", param_hint="--fact")
        out[name.strip()] = value.strip()
    return out


def scenario_from(
    rs: Any,
    scenario: str | None,
    facts: tuple[str, ...],
    as_of: str | None,
    known_by: str | None,
    sources: tuple[str, ...],
) -> tuple[dict[str, Any], date | None, date | None, tuple[str, ...] | None]:
    """The scenario of a command's SCENARIO file (`-`: standard input), `--fact` options and
    reading options, resolved against the ruleset (`load.scenario_file.resolve_scenario`);
    options override the file. Raises LoadError with the problems it found."""
    from claimrules.load.scenario_file import resolve_scenario  # noqa: PLC0415

    text: tuple[str, str] | None = None
    if scenario == "-":
        text = "<stdin>", read_stdin()
    elif scenario is not None:
        from pathlib import Path  # noqa: PLC0415 - a --fact scenario needs no pathlib

        from claimrules.load.installed import resolve_example  # noqa: PLC0415
        from claimrules.load.yamlsafe import read_text  # noqa: PLC0415

        text = scenario, read_text(Path(resolve_example(scenario)), scenario)
    resolved, problems = resolve_scenario(
        rs.facts, rs.sources, text, parse_fact_options(facts), sources
    )
    if resolved is None:
        raise LoadError(problems)
    return (
        resolved.facts,
        date_option(as_of, "--as-of") if as_of else resolved.as_of,
        date_option(known_by, "--known-by") if known_by else resolved.known_by,
        resolved.sources,
    )


def speakers_from(rs: Any, speakers: tuple[str, ...]) -> tuple[str, ...] | None:
    """The `--speaker` names, checked against the speakers the claims quote."""
    if not speakers:
        return None
    from claimrules.engine.evaluator import speakers_of  # noqa: PLC0415

    known = list(speakers_of(rs))
    folded = {k.casefold() for k in known}
    for name in speakers:
        if name.casefold() not in folded:
            from claimrules.diagnostics import did_you_mean  # noqa: PLC0415

            hint = did_you_mean(name, known)
            raise click.BadParameter(
                f"unknown speaker `{name}`" + (f" ({hint})" if hint else ""),
                param_hint="--speaker",
            )
    return tuple(sorted(set(speakers)))


def stdin() -> Any:
    """Standard input; an input error when it is closed (`<&-`)."""
    stream = sys.stdin
    if stream is None or getattr(stream, "closed", False):
        raise LoadError(
            [Diagnostic("stdin-closed", "standard input is closed", Span("<stdin>"))]
        )
    return stream


def stdin_bytes() -> Any:
    """Standard input as a binary stream (a text stream put in its place, as tests and
    embedders do, is read through once)."""
    stream = stdin()
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return buffer
    import io  # noqa: PLC0415

    return io.BytesIO(stream.read().encode("utf-8", "surrogateescape"))
