"""The `claimrules` command line: option plumbing around one library call per command.

The only module that prints or chooses exit codes: 0 ok · 1 findings · 2 usage or input error ·
3 internal error (a bug).
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar, cast, get_args

import click

from claimrules import __version__
from claimrules.diagnostics import Diagnostic, LoadError, Severity, Span

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


class Findings(Exception):
    """Raised by a command that found problems (exit 1) after printing them."""


class _nothing:
    """A context manager that does nothing (for a stream the command does not own)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


def _color(stream: Any = None) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def _print_diagnostics(diags: list[Diagnostic], fmt: str = "text") -> None:
    from claimrules.reporters.escape import github_command  # noqa: PLC0415

    for d in diags:
        if fmt == "github":
            level = "error" if d.severity == "error" else "warning"
            click.echo(github_command(level, d.message, file=d.span.file, line=d.span.line,
                                      col=d.span.col, title=d.code))
        else:
            click.echo(d.render(), err=True)


def _emit(text: str, fmt: str = "text", *, err: bool = False) -> None:
    """Print a rendered output as it is, but inert: controls from the ruleset or scenario made
    visible (JSON keeps them as `\\uXXXX` escapes, the same data)."""
    from claimrules.reporters import escape  # noqa: PLC0415

    safe = escape.json_text(text) if fmt in ("json", "jsonld") else escape.terminal(text)
    click.echo(safe, nl=not safe.endswith("\n"), err=err)


def _date_option(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else _bad_date(value, name)
    except ValueError:
        _bad_date(value, name)


def _bad_date(value: str, name: str) -> NoReturn:
    from claimrules.load.domain import why_not_a_date  # noqa: PLC0415

    raise click.BadParameter(why_not_a_date(value), param_hint=name)


def _load(path: str) -> Any:
    from claimrules.load.installed import resolve_ruleset  # noqa: PLC0415
    from claimrules.load.loader import load_ruleset  # noqa: PLC0415 - lazy: keeps --help fast

    return load_ruleset(resolve_ruleset(path))


def _load_cached(path: str, no_cache: bool) -> Any:
    """The ruleset for a command that only evaluates (eval, ask): from the cache of checked
    rulesets when its files are unchanged (see `claimrules.load.snapshot`), else loaded in full
    and then cached. Commands that check or report always load in full."""
    from claimrules.load import snapshot  # noqa: PLC0415
    from claimrules.load.installed import resolve_ruleset  # noqa: PLC0415

    path = resolve_ruleset(path)
    use = not no_cache and snapshot.enabled()
    rs = snapshot.load(path, _warn) if use else None
    if rs is None:
        rs = _load(path)
        if use:
            snapshot.store(rs, _warn)
    return rs


def _completer(kind: str) -> Callable[[click.Context, click.Parameter, str], list[Any]]:
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
            rs = _load_cached(path, False)
        except Exception:
            return []
        found = getattr(completion, f"{kind}_candidates")(rs, incomplete)
        return [click.shell_completion.CompletionItem(w, type="plain") for w in found]

    return complete


def _warn(where: str, message: str) -> None:
    diagnostic = Diagnostic("cache-untrusted", message, Span(where), severity=Severity.WARNING)
    click.echo(diagnostic.render(), err=True)


_no_cache_option = click.option(
    "--no-cache",
    is_flag=True,
    help="Load and check the ruleset in full, not from the cache of checked rulesets.",
)


def _write_output(text: str, output: str | None, force: bool, fmt: str) -> None:
    if output is None or output == "-":
        _emit(text, fmt)
        return
    from claimrules.output import write_atomic  # noqa: PLC0415

    try:
        write_atomic(Path(output), text.encode("utf-8"), force=force)
    except OSError as exc:  # a full disk, a file-size limit: name the output, not the input
        reason = (exc.strerror or type(exc).__name__).strip()
        raise LoadError([Diagnostic(
            "output-write", f"cannot write output: {reason[:1].lower()}{reason[1:]}",
            Span(output),
        )]) from None
    _emit(f"wrote {output}", err=True)


def _format_option(
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


def _time_options(f: F) -> F:
    f = click.option(
        "--source",
        "sources",
        multiple=True,
        metavar="ID",
        help="Evaluate according to these sources only (repeatable).",
        shell_complete=_completer("source"),
    )(f)
    f = click.option("--known-by", metavar="DATE", help="Count only claims reported by DATE.")(f)
    return click.option("--as-of", metavar="DATE", help="The policy in effect on DATE.")(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="claimrules")
def cli() -> None:
    """Reported policy as code: claims quoted from sources, rules derived from them, and
    verdicts that say what the reporting says — and according to whom."""


def _expand_rulesets(paths: tuple[str, ...]) -> list[str]:
    """Each path, or, for a folder holding rulesets rather than being one, each ruleset in it."""
    from claimrules.load.installed import resolve_ruleset  # noqa: PLC0415

    out: list[str] = []
    for path in map(resolve_ruleset, paths):
        root = Path(path)
        if root.is_dir() and not (root / "ruleset.yaml").exists():
            inner = sorted(p for p in root.iterdir() if (p / "ruleset.yaml").is_file())
            if inner:
                out.extend(str(p) for p in inner)
                continue
        out.append(path)
    return out


@cli.command()
@click.argument("rulesets", nargs=-1, required=True, type=click.Path())
@_format_option("text", "json", "github", help_text="How to print findings.")
def check(rulesets: tuple[str, ...], fmt: str) -> None:
    """Load and validate rulesets and verify every quote against its archived text.

    A folder that holds rulesets (such as `rules/`) checks each of them.

    Exit 0 when clean, 1 with findings.

    Example: claimrules check rules/us-weapons-inside-russia
    """
    found: list[Diagnostic] = []
    warned: list[Diagnostic] = []
    summaries = []
    for path in _expand_rulesets(rulesets):
        try:
            rs = _load(path)
        except LoadError as exc:
            found.extend(d for d in exc.diagnostics if d.severity == "error")
            warned.extend(d for d in exc.diagnostics if d.severity != "error")
            continue
        warned.extend(rs.warnings)
        verified = sum(1 for c in rs.claims.values() if c.start >= 0)
        summaries.append(
            {
                "ruleset": path,
                "sources": len(rs.sources),
                "claims": len(rs.claims),
                "quotes_verified": verified,
                "facts": len(rs.facts),
                "rules": len(rs.rules),
                "cases": len(rs.cases),
            }
        )
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": not found,
                    "rulesets": summaries,
                    "diagnostics": [d.to_dict() for d in (*found, *warned)],
                },
                indent=2,
            )
        )
    else:
        _print_diagnostics([*found, *warned], fmt)
        for s in summaries:
            _emit(
                f"ok: {s['ruleset']}: {s['sources']} sources, {s['claims']} claims "
                f"({s['quotes_verified']} quotes verified), {s['facts']} facts, "
                f"{s['rules']} rules, {s['cases']} cases\n",
                err=fmt == "github",
            )
        if found:
            n = len(found)
            click.echo(f"{n} problem{'s' if n != 1 else ''} found", err=True)
    if found:
        raise Findings


@cli.command()
@ruleset_arg
@click.option("--source", "source", metavar="ID", help="Only claims from this source.")
@click.option(
    "--kind",
    type=click.Choice(["provision", "rationale", "context", "reaction", "assessment", "forecast"]),
    help="Only claims of this kind.",
)
@_format_option("text", "json")
def claims(ruleset: str, source: str | None, kind: str | None, fmt: str) -> None:
    """List claims with their quotes, kind, modality, attribution, date and offsets.

    Example: claimrules claims rules/us-weapons-inside-russia --source biden-decision-article
    """
    from claimrules.reporters import json as rjson  # noqa: PLC0415
    from claimrules.reporters import listing  # noqa: PLC0415

    rs = _load(ruleset)
    if source is not None and source not in rs.sources:
        _unknown_source(source, list(rs.sources))
    records = [
        r
        for r in rs.claims.values()
        if (source is None or r.claim.source == source) and (kind is None or r.claim.kind == kind)
    ]
    records.sort(key=lambda r: (r.claim.source, r.start, r.claim.id))
    if fmt == "json":
        _emit(rjson.dumps(rjson.claims(rs, records)), fmt)
    else:
        _emit(listing.claims_text(rs, records))


@cli.command()
@ruleset_arg
@_format_option("text", "json")
def facts(ruleset: str, fmt: str) -> None:
    """List the facts a scenario may state: type, question, description, values and labels.

    Example: claimrules facts rules/us-weapons-inside-russia
    """
    from claimrules.reporters import listing  # noqa: PLC0415

    rs = _load_cached(ruleset, False)
    if fmt == "json":
        _emit(json.dumps(listing.facts_json(rs), ensure_ascii=False, indent=2), fmt)
    else:
        _emit(listing.facts_text(rs))


@cli.command()
@ruleset_arg
@_format_option("text", "json")
def sources(ruleset: str, fmt: str) -> None:
    """List the sources: outlet, date (or undated), headline, URL, archive and claim count.

    Example: claimrules sources rules/us-weapons-inside-russia --format json
    """
    from claimrules.reporters import json as rjson  # noqa: PLC0415
    from claimrules.reporters import listing  # noqa: PLC0415

    rs = _load(ruleset)
    if fmt == "json":
        _emit(rjson.dumps(rjson.sources(rs)), fmt)
    else:
        _emit(listing.sources_text(rs))


def _unknown_source(source: str, known: list[str]) -> NoReturn:
    from claimrules.diagnostics import did_you_mean  # noqa: PLC0415

    raise LoadError(
        [
            Diagnostic(
                "unknown-source",
                f"unknown source `{source}`",
                Span("--source"),
                help=did_you_mean(source, known) or "see `claimrules sources RULESET`",
            )
        ]
    )


def _read_stdin() -> str:
    """Standard input, bounded like a file and decoded as strict UTF-8."""
    from claimrules.load.yamlsafe import MAX_FILE_BYTES  # noqa: PLC0415

    stream = _stdin()
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


def _parse_fact_options(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"`{pair}` is not name=value", param_hint="--fact")
        out[name.strip()] = value.strip()
    return out


def _scenario_from(
    rs: Any,
    scenario: str | None,
    facts: tuple[str, ...],
    as_of: str | None,
    known_by: str | None,
    sources: tuple[str, ...],
) -> tuple[dict[str, Any], date | None, date | None, tuple[str, ...] | None]:
    from claimrules.load.scenario import coerce_facts  # noqa: PLC0415
    from claimrules.load.scenario_file import read_scenario  # noqa: PLC0415

    typed: dict[str, Any] = {}
    file_as_of = file_known = None
    file_sources: tuple[str, ...] | None = None
    if scenario is not None:
        if scenario == "-":
            name, text = "<stdin>", _read_stdin()
        else:
            from claimrules.load.installed import resolve_example  # noqa: PLC0415
            from claimrules.load.yamlsafe import read_text  # noqa: PLC0415

            found = resolve_example(scenario)
            name, text = scenario, read_text(Path(found), scenario)
        model, doc = read_scenario(text, name)
        typed = coerce_facts(
            rs.facts, model.facts, file=name, base=("facts",), positions=doc.positions
        )
        file_as_of, file_known, file_sources = model.as_of, model.known_by, model.sources
    if facts:
        typed.update(
            coerce_facts(rs.facts, _parse_fact_options(facts), file="--fact", strings=True)
        )
    # `sources: []` in a file means what it means to `evaluate`: according to no source.
    chosen = sources if sources else file_sources
    for s in chosen or ():
        if s not in rs.sources:
            _unknown_source(s, list(rs.sources))
    return (
        typed,
        _date_option(as_of, "--as-of") if as_of else file_as_of,
        _date_option(known_by, "--known-by") if known_by else file_known,
        tuple(sorted(set(chosen))) if chosen is not None else None,
    )


@cli.command("eval")
@ruleset_arg
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--fact",
    "facts",
    multiple=True,
    metavar="NAME=VALUE",
    help="A fact of the scenario (repeatable); typed by the vocabulary (`claimrules facts`).",
    shell_complete=_completer("fact"),
)
@_time_options
@click.option(
    "--speaker",
    "speakers",
    multiple=True,
    metavar="NAME",
    help="Evaluate according to what these speakers said only (repeatable; see `speakers`).",
    shell_complete=_completer("speaker"),
)
@_format_option("text", "json", "markdown")
@_no_cache_option
@click.option(
    "--batch",
    type=click.Path(dir_okay=False, allow_dash=True),
    metavar="FILE.jsonl",
    help="Evaluate one JSON scenario per line; print one JSON decision per line.",
)
def eval_(
    ruleset: str,
    scenario: str | None,
    facts: tuple[str, ...],
    as_of: str | None,
    known_by: str | None,
    sources: tuple[str, ...],
    speakers: tuple[str, ...],
    fmt: str,
    no_cache: bool,
    batch: str | None,
) -> None:
    """Evaluate one scenario: the verdict, and an explanation quoting the sources.

    SCENARIO is a YAML or JSON file (`-` for stdin) with `facts` and optional `as_of`,
    `known_by`, `sources`; options override it.

    Example: claimrules eval rules/us-weapons-inside-russia --fact actor=ukraine
    --fact munitions_origin=us --fact target_location=russia --fact target_type=military_unit
    --fact directly_involved_in_invasion=true
    """
    rs = _load_cached(ruleset, no_cache)
    if batch is not None:
        from claimrules.load.installed import resolve_example  # noqa: PLC0415

        _run_batch(rs, resolve_example(batch), as_of, known_by, sources)
        return
    from claimrules.engine.evaluator import decide  # noqa: PLC0415
    from claimrules.reporters import render  # noqa: PLC0415

    typed, a, k, s = _scenario_from(rs, scenario, facts, as_of, known_by, sources)
    said_by = _speakers_from(rs, speakers)
    decision = decide(rs.compiled(), typed, as_of=a, known_by=k, sources=s, speakers=said_by)
    rendered = render(decision, rs, fmt, color=_color() and fmt == "text")
    if fmt == "text":
        click.echo(rendered, nl=False)  # escaped by the text reporter, before its colour
    else:
        _emit(rendered, fmt)


def _speakers_from(rs: Any, speakers: tuple[str, ...]) -> tuple[str, ...] | None:
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


def _stdin() -> Any:
    """Standard input; an input error when it is closed (`<&-`)."""
    stream = sys.stdin
    if stream is None or getattr(stream, "closed", False):
        raise LoadError(
            [Diagnostic("stdin-closed", "standard input is closed", Span("<stdin>"))]
        )
    return stream


def _stdin_bytes() -> Any:
    """Standard input as a binary stream (a text stream put in its place, as tests and
    embedders do, is read through once)."""
    stream = _stdin()
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return buffer
    import io  # noqa: PLC0415

    return io.BytesIO(stream.read().encode("utf-8", "surrogateescape"))


def _run_batch(
    rs: Any, batch: str, as_of: str | None, known_by: str | None, sources: tuple[str, ...]
) -> None:
    from claimrules.cli import batch as batches  # noqa: PLC0415
    from claimrules.reporters import json as rjson  # noqa: PLC0415

    base_as_of = _date_option(as_of, "--as-of")
    base_known = _date_option(known_by, "--known-by")
    for s in sources:
        if s not in rs.sources:
            _unknown_source(s, list(rs.sources))
    if batch == "-":
        name, stream, size = "<stdin>", _stdin_bytes(), 0
    else:
        from claimrules.load.yamlsafe import open_regular  # noqa: PLC0415

        name = batch
        stream = open_regular(Path(batch), batch)  # refuses FIFOs, devices, bad paths
        size = os.fstat(stream.fileno()).st_size
    progress = sys.stderr.isatty()
    done = bad = 0
    with stream if batch != "-" else _nothing():
        lines = batches.read_lines(stream, name)
        for outcome in batches.evaluate_lines(
            rs, lines, name, as_of=base_as_of, known_by=base_known, sources=sources
        ):
            if outcome.problem is None:
                out = rjson.decision(outcome.decision)  # type: ignore[arg-type]
                out.pop("rules")
                out["line"] = outcome.number
                _emit(json.dumps(out, ensure_ascii=False), "json")
                done += 1
            else:
                bad += 1
                d = outcome.problem
                click.echo(d.render(), err=True)
                _emit(json.dumps(
                    {"line": outcome.number, "error": d.display_message(), "code": d.code},
                    ensure_ascii=False,
                ), "json")
            if progress and (done + bad) % 100 == 0:
                where = f" ({100 * stream.tell() // size}%)" if size else ""
                click.echo(f"\r{done + bad} scenarios{where}", err=True, nl=False)
    if progress:
        click.echo("", err=True)
    click.echo(f"{done} decisions, {bad} bad lines", err=True)
    if bad:
        raise Findings  # every good line was answered; exit 1 says some were not


#: Answers to an `ask` question meaning "don't know" (any case).
_DONT_KNOW = frozenset({"?", "don't know", "dont know", "unknown", "not known", "skip"})


@cli.command()
@ruleset_arg
@_time_options
@click.option("--fact", "facts", multiple=True, metavar="NAME=VALUE", help="A fact already known.",
              shell_complete=_completer("fact"))
@click.option(
    "--order",
    type=click.Choice(["decisive", "vocabulary"]),
    default="decisive",
    show_default=True,
    help="decisive: the question settling most first; vocabulary: always the ruleset's order.",
)
@_format_option("text", "json", "markdown", help_text="How to print the answer.")
@_no_cache_option
def ask(
    ruleset: str,
    as_of: str | None,
    known_by: str | None,
    sources: tuple[str, ...],
    facts: tuple[str, ...],
    order: str,
    fmt: str,
    no_cache: bool,
) -> None:
    """Interview: asks only the facts that can still change the verdict, and stops as soon as
    the verdict is settled. Answer with a number or a value, or `?` for "don't know".

    Questions go to stderr and the answer to stdout (in --format), so the answer can be piped.

    Example: claimrules ask rules/us-weapons-inside-russia --as-of 2024-06-15
    """
    from claimrules.analysis.interview import next_question  # noqa: PLC0415
    from claimrules.engine.evaluator import decide  # noqa: PLC0415
    from claimrules.load.scenario import coerce_value  # noqa: PLC0415
    from claimrules.reporters import render  # noqa: PLC0415

    rs = _load_cached(ruleset, no_cache)
    typed, a, k, s = _scenario_from(rs, None, facts, as_of, known_by, sources)
    compiled = rs.compiled()
    unknown: set[str] = set()
    while True:
        question = next_question(compiled, typed, as_of=a, known_by=k, sources=s,
                                 unknown=frozenset(unknown), order=order)
        if question is None:
            break
        fact = rs.facts[question]
        choices = [
            str(v).lower() if isinstance(v, bool) else str(v) for v in compiled.domains[question]
        ]
        _emit(f"\n{fact.question}\n", err=True)
        for i, value in enumerate(choices, start=1):
            label = {"true": "yes", "false": "no"}.get(value) if isinstance(
                compiled.domains[question][0], bool) else fact.label(value)
            _emit(f"  {i}. {value}" + (f" — {label}" if label else "") + "\n", err=True)
        _emit("  ?. don't know\n", err=True)
        while True:
            answer = _answer("answer (number, value, or ? for don't know): ")
            if answer.casefold() in _DONT_KNOW:
                unknown.add(question)
                break
            if answer.isdigit() and 1 <= int(answer) <= len(choices):
                answer = choices[int(answer) - 1]
            try:
                typed[question] = coerce_value(fact, answer, strings=True)
                break
            except ValueError as exc:
                _emit(f"  {exc}\n", err=True)
    decision = decide(compiled, typed, as_of=a, known_by=k, sources=s)
    click.echo("", err=True)
    # the text reporter escapes by itself; JSON and Markdown go through _emit
    if fmt == "text":
        click.echo(render(decision, rs, fmt, color=_color()), nl=False)
    else:
        _emit(render(decision, rs, fmt), fmt)


#: Longest answer `ask` reads (the longest value of a fact is far shorter).
MAX_ANSWER_BYTES = 4096


def _answer(prompt: str) -> str:
    """One answer line from standard input, at most `MAX_ANSWER_BYTES` long; end of input is
    an abort (exit 2), a longer line an input error, never a read without end."""
    click.echo(prompt, nl=False, err=True)  # questions on stderr: stdout holds the answer
    sys.stderr.flush()
    stream = _stdin()
    buffer = getattr(stream, "buffer", None)
    raw = (buffer.readline(MAX_ANSWER_BYTES + 1) if buffer is not None
           else stream.readline(MAX_ANSWER_BYTES + 1).encode("utf-8", "surrogateescape"))
    if not raw:
        click.echo("", err=True)
        raise click.exceptions.Abort
    if len(raw) > MAX_ANSWER_BYTES:
        raise LoadError([Diagnostic(
            "answer-too-long", f"answer is longer than {MAX_ANSWER_BYTES} bytes",
            Span("<stdin>"),
        )])
    try:
        return bytes(raw).decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise LoadError(
            [Diagnostic("file-encoding", f"not valid UTF-8 at byte {exc.start}", Span("<stdin>"))]
        ) from None


@cli.command("test")
@ruleset_arg
@click.argument("cases", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PERCENT",
    help="Fail when coverage is below PERCENT.",
)
@_format_option("text", "json", "markdown", "github")
def test_(ruleset: str, cases: tuple[str, ...], fail_under: float | None, fmt: str) -> None:
    """Run the ruleset's cases (or CASES files) and report rule and provision-claim coverage.

    Exit 1 when a case fails or coverage is under --fail-under.

    Example: claimrules test rules/us-weapons-inside-russia --fail-under 100
    """
    from claimrules.analysis import casetest  # noqa: PLC0415
    from claimrules.reporters.analysis import render_cases  # noqa: PLC0415

    rs = _load(ruleset)
    extra = [c for f in cases for c in casetest.load_case_file(Path(f), rs)] if cases else None
    report = casetest.run_cases(rs, extra)
    _emit(render_cases(report, fmt, rs), fmt)
    if report.failed or (fail_under is not None and report.coverage_percent < fail_under):
        if fail_under is not None and report.coverage_percent < fail_under:
            click.echo(
                f"coverage {report.coverage_percent:.1f}% is under {fail_under:g}%", err=True
            )
        raise Findings


@cli.command()
@ruleset_arg
@_format_option("text", "json", "markdown", "csv", "github")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    default="warning",
    show_default=True,
    help="Exit 1 when a finding at least this severe is reported.",
)
def lint(ruleset: str, fmt: str, fail_on: str) -> None:
    """Analyse the whole fact space: contested regions, unaddressed regions, dead or shadowed
    rules, unused claims and facts, rules resting on speculation.

    Contested regions between rules listed under `disagreements` in ruleset.yaml are reported
    as acknowledged (info); new ones are warnings.

    Example: claimrules lint rules/us-weapons-inside-russia --fail-on warning
    """
    from claimrules.analysis import lint as analysis  # noqa: PLC0415
    from claimrules.reporters.analysis import render_lint  # noqa: PLC0415

    findings = analysis.lint(_load(ruleset))
    _emit(render_lint(findings, fmt), fmt)
    failing = {"error": ("error",), "warning": ("error", "warning"), "never": ()}[fail_on]
    if any(str(f.severity) in failing for f in findings):
        raise Findings


@cli.command()
@ruleset_arg
@_format_option("text", "json")
def speakers(ruleset: str, fmt: str) -> None:
    """List who the claims quote — named speakers, anonymous officials, outlets in their own
    voice — with their claims: the names `eval --speaker` takes.

    Example: claimrules speakers rules/us-weapons-inside-russia
    """
    from claimrules.engine.evaluator import speakers_of  # noqa: PLC0415

    found = speakers_of(_load(ruleset))
    if fmt == "json":
        click.echo(json.dumps({"speakers": [
            {"speaker": name, "claims": list(ids)} for name, ids in found.items()
        ]}, ensure_ascii=False, indent=2))
        return
    for name, ids in found.items():
        click.echo(f"{name} ({len(ids)} claim{'' if len(ids) == 1 else 's'}): {', '.join(ids)}")


@cli.command()
@ruleset_arg
@_time_options
@_format_option("text", "csv", "markdown", "json")
@click.option(
    "--width",
    type=click.IntRange(min=0),
    default=None,
    metavar="COLUMNS",
    help="Text wider than this is printed one block per row (default: the terminal's width, "
    "or $COLUMNS; 0: always columns).",
)
def table(
    ruleset: str,
    as_of: str | None,
    known_by: str | None,
    sources: tuple[str, ...],
    fmt: str,
    width: int | None,
) -> None:
    """The decision table of the whole fact space, in the fewest rows that keep every verdict.

    Example: claimrules table rules/us-weapons-inside-russia --as-of 2024-11-20 --format markdown
    """
    from claimrules.analysis import lint as analysis  # noqa: PLC0415
    from claimrules.reporters.analysis import render_table  # noqa: PLC0415

    rs = _load(ruleset)
    _, a, k, s = _scenario_from(rs, None, (), as_of, known_by, sources)
    if width is None:
        import shutil  # noqa: PLC0415

        width = shutil.get_terminal_size((100, 24)).columns
    _emit(render_table(analysis.table(rs, a, k, s), fmt, rs, width=width or None), fmt)


@cli.command()
@click.argument("rulesets", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option(
    "--as-of",
    "as_of",
    multiple=True,
    metavar="DATE",
    help="Two dates to compare (or one per ruleset).",
)
@click.option(
    "--known-by", "known_by", multiple=True, metavar="DATE", help="Two knowledge dates to compare."
)
@click.option(
    "--source", "sources", multiple=True, metavar="ID", help="According to these sources only."
)
@_format_option("text", "json", "markdown")
@click.option(
    "--summary", is_flag=True, help="Text: each kind of change and the rules behind it, in short."
)
def diff(
    rulesets: tuple[str, ...],
    as_of: tuple[str, ...],
    known_by: tuple[str, ...],
    sources: tuple[str, ...],
    fmt: str,
    summary: bool,
) -> None:
    """Regions whose verdict changed between two dates of one ruleset, or between two rulesets,
    with the claims and sources behind each change.

    Example: claimrules diff rules/us-weapons-inside-russia --as-of 2024-06-01 --as-of 2024-11-20
    """
    from claimrules.analysis import lint as analysis  # noqa: PLC0415
    from claimrules.reporters.analysis import render_diff  # noqa: PLC0415

    if len(rulesets) > 2:
        raise click.UsageError("diff compares one ruleset at two dates, or two rulesets")
    if len(as_of) > 2 or len(known_by) > 2:
        raise click.UsageError("give at most two --as-of and two --known-by dates")
    if len(rulesets) == 1 and len(as_of) != 2 and len(known_by) != 2:
        raise click.UsageError("one ruleset needs two --as-of or two --known-by dates")
    a = _load(rulesets[0])
    b = _load(rulesets[1]) if len(rulesets) == 2 else a
    dates = [_date_option(d, "--as-of") for d in as_of]
    knows = [_date_option(d, "--known-by") for d in known_by]

    def pick(values: list[date | None], i: int) -> date | None:
        return values[i] if len(values) == 2 else (values[0] if values else None)

    for s in sources:
        if s not in a.sources:
            _unknown_source(s, list(a.sources))
    result = analysis.diff(
        a,
        b,
        as_of_a=pick(dates, 0),
        as_of_b=pick(dates, 1),
        known_by_a=pick(knows, 0),
        known_by_b=pick(knows, 1),
        sources=tuple(sorted(set(sources))) or None,
    )
    _emit(render_diff(result, fmt, b, summary=summary), fmt)


@cli.command()
@ruleset_arg
@_format_option("text", "json", "markdown")
def timeline(ruleset: str, fmt: str) -> None:
    """Claims and rule periods in date order, grouped by source; undated ones listed apart.

    Example: claimrules timeline rules/us-weapons-inside-russia
    """
    from claimrules.analysis import timeline as tl  # noqa: PLC0415
    from claimrules.reporters.analysis import render_timeline  # noqa: PLC0415

    rs = _load(ruleset)
    _emit(render_timeline(tl.timeline(rs), fmt, rs), fmt)


@cli.command()
@ruleset_arg
@_format_option("markdown", "html")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomically).")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
def report(ruleset: str, fmt: str, output: str | None, force: bool) -> None:
    """A publishable brief: provisions with quotes, the timeline of reporting, disagreements,
    what is left unaddressed, and the decision table.

    Example: claimrules report rules/us-weapons-inside-russia --format html -o brief.html
    """
    from claimrules.reporters.brief import render_brief  # noqa: PLC0415

    brief_format = cast(Literal["markdown", "html"], fmt)
    _write_output(render_brief(_load(ruleset), brief_format), output, force, fmt)


@cli.command()
@ruleset_arg
@click.argument("statement", type=click.Path(dir_okay=False, allow_dash=True))
@_format_option("text", "json", "jsonld")
@click.option("--reviewer", metavar="NAME", help="Who publishes the review (ClaimReview author).")
@click.option("--review-url", metavar="URL", help="Where the review is published.")
@click.option("--date-published", metavar="DATE", help="When the review is published.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomically)."
)
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@_no_cache_option
def review(
    ruleset: str,
    statement: str,
    fmt: str,
    reviewer: str | None,
    review_url: str | None,
    date_published: str | None,
    output: str | None,
    force: bool,
    no_cache: bool,
) -> None:
    """Check a public statement against the reported policy and rate it: accurate,
    inaccurate, disputed, not supported by the reporting, or cannot be determined.

    STATEMENT is a YAML or JSON file (`claimrules schema statement`). `--format jsonld` writes
    a schema.org ClaimReview.

    Example: claimrules review rules/us-weapons-inside-russia statement.yaml --format jsonld
    """
    from claimrules.analysis import review as rv  # noqa: PLC0415
    from claimrules.engine.evaluator import decide  # noqa: PLC0415
    from claimrules.load.scenario import coerce_facts  # noqa: PLC0415
    from claimrules.reporters import json as rjson  # noqa: PLC0415
    from claimrules.reporters.review import review_json, review_text  # noqa: PLC0415

    rs = _load_cached(ruleset, no_cache)
    if statement == "-":
        name, raw = "<stdin>", _read_stdin()
    else:
        from claimrules.load.yamlsafe import read_text  # noqa: PLC0415

        name, raw = statement, read_text(Path(statement), statement)
    stmt, doc = rv.read_statement(raw, name)
    typed = coerce_facts(rs.facts, stmt.facts, file=name, base=("facts",),
                         positions=doc.positions)
    for s in stmt.sources or ():
        if s not in rs.sources:
            _unknown_source(s, list(rs.sources))
    said_by = _speakers_from(rs, tuple(stmt.speakers or ()))
    decision = decide(
        rs.compiled(), typed, as_of=stmt.as_of, known_by=stmt.known_by,
        sources=tuple(sorted(set(stmt.sources))) if stmt.sources else None, speakers=said_by,
    )
    given = stmt.review or None
    publication = rv.Publication(
        author=reviewer or (given.author if given else None),
        url=review_url or (given.url if given else None),
        date_published=_date_option(date_published, "--date-published")
        or (given.date_published if given else None),
    )
    result = rv.review(stmt, decision, publication)
    if fmt == "jsonld":
        lacking = rv.missing_for_jsonld(publication)
        if lacking:
            raise LoadError([Diagnostic(
                "review-incomplete",
                "a ClaimReview needs " + ", ".join(f"`{n}`" for n in lacking),
                Span(name),
                help="give them under `review:` in the statement file, or as --reviewer, "
                "--review-url and --date-published",
            )])
        out = rjson.dumps(rv.claim_review(result, rs)) + "\n"
    elif fmt == "json":
        out = rjson.dumps(review_json(result)) + "\n"
    else:
        out = review_text(result, rs, color=_color() and output is None)
    _write_output(out, output, force, fmt)


@cli.command()
@ruleset_arg
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomically)."
)
@click.option("--force", is_flag=True, help="Replace an existing output file.")
def explore(ruleset: str, output: str | None, force: bool) -> None:
    """An interactive explorer page: one self-contained HTML file (no network) where a reader
    picks the facts, dates, sources and speakers and sees the answer with its quotes.

    Example: claimrules explore rules/us-weapons-inside-russia -o explorer.html
    """
    from claimrules.reporters.explorer import render_explorer  # noqa: PLC0415

    _write_output(render_explorer(_load(ruleset)), output, force, "html")


@cli.command()
@ruleset_arg
@_format_option("jsonld", "json")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomically).")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
def export(ruleset: str, fmt: str, output: str | None, force: bool) -> None:
    """Export claims: schema.org Claim JSON-LD with Web Annotation selectors, or plain JSON.

    Example: claimrules export rules/us-weapons-inside-russia --format jsonld -o claims.jsonld
    """
    from claimrules.reporters import export as ex  # noqa: PLC0415
    from claimrules.reporters import json as rjson  # noqa: PLC0415

    rs = _load(ruleset)
    data = ex.jsonld(rs) if fmt == "jsonld" else rjson.claims(rs, rs.claims.values())
    _write_output(rjson.dumps(data) + "\n", output, force, "json")


@cli.command()
@click.argument(
    "kind",
    required=False,
    type=click.Choice(["ruleset", "sources", "claims", "rules", "cases", "scenario", "statement"]),
)
def schema(kind: str | None) -> None:
    """Print the JSON Schema (draft 2020-12) of a file kind, or list the kinds.

    Example: claimrules schema rules
    """
    from claimrules.load import schema as sc  # noqa: PLC0415

    if kind is None:
        for k in get_args(sc.SchemaKind):
            click.echo(f"{k}\t{sc.schema_path(k)}")
        return
    click.echo(sc.dumps_schema(cast("sc.SchemaKind", kind)), nl=False)


@cli.command()
@_format_option("text", "json")
def rulesets(fmt: str) -> None:
    """List the rulesets installed with claimrules: the ids any command takes in place of a
    path, and where the example scenarios are.

    Example: claimrules rulesets
    """
    from claimrules.load.installed import examples_folder, installed_rulesets  # noqa: PLC0415

    found = installed_rulesets()
    examples = examples_folder()
    if fmt == "json":
        click.echo(json.dumps({
            "rulesets": [{"id": k, "path": str(v)} for k, v in found.items()],
            "examples": str(examples) if examples else None,
        }, indent=2))
        return
    for name, path in found.items():
        click.echo(f"{name}\t{path}")
    if examples is not None:
        click.echo(f"examples: {examples}", err=True)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Write into a non-empty directory.")
def init(directory: str, force: bool) -> None:
    """Scaffold a new ruleset for another reported policy, passing `check` as generated.

    Example: claimrules init rules/my-policy
    """
    from claimrules.cli.scaffold import init_ruleset  # noqa: PLC0415

    for path in init_ruleset(Path(directory), force=force):
        _emit(f"created {path}\n")
    click.echo(
        f"next: replace the placeholder archive, then `claimrules check {directory}`", err=True
    )

# --- authoring: source add / source rehash / claim add -------------------------------------------


def _show_plan(plan: Any, dry_run: bool) -> None:
    """Print a plan's diff (dry run) or apply it; then its summary lines."""
    if dry_run:
        click.echo(plan.diff(), nl=False)
        for line in plan.summary:
            click.echo(f"would have {line} (dry run: nothing written)", err=True)
        return
    plan.apply()
    for line in plan.summary:
        click.echo(line, err=True)


@cli.group()
def source() -> None:
    """Add a source from a saved page, or re-record its archive's hash after an edit."""


@source.command("add")
@ruleset_arg
@click.argument("page", required=False, type=click.Path(dir_okay=False))
@click.option("--id", "ident", required=True, metavar="ID", help="The new source's id.")
@click.option("--excerpt", "excerpts", multiple=True, metavar="TEXT",
              help="A passage held instead of the page (repeatable; archived as excerpts).")
@click.option("--content", type=click.Choice(["full", "excerpts"]),
              help="What a text FILE holds: the full text (default) or excerpts separated by "
                   "blank lines.")
@click.option("--title", help="The headline, as the page shows it.")
@click.option("--outlet", help="Who published it.")
@click.option("--url", help="Where it was published.")
@click.option("--published", metavar="DATE",
              help="YYYY-MM-DD as the page shows it; leave out when it shows none.")
@click.option("--retrieved", metavar="DATE", help="When the text was saved (default: today).")
@click.option("--dry-run", is_flag=True, help="Show the change; write nothing.")
def source_add(ruleset: str, page: str | None, ident: str, excerpts: tuple[str, ...],
               content: str | None, title: str | None, outlet: str | None, url: str | None,
               published: str | None, retrieved: str | None, dry_run: bool) -> None:
    """Archive a saved page (HTML reduced to its article text; text and Markdown as they are)
    or --excerpt passages, record its sha256, and add it to sources.yaml (comments kept).

    Example: claimrules source add rules/my-policy saved/article.html --id dw-2024-05-30
    --outlet DW --published 2024-05-30
    """
    from claimrules.authoring.sources import add_source  # noqa: PLC0415

    plan = add_source(
        Path(ruleset), ident, page=Path(page) if page else None, excerpts=excerpts,
        content=cast(Literal["full", "excerpts"] | None, content), title=title, outlet=outlet,
        url=url, published=_date_option(published, "--published"),
        retrieved=_date_option(retrieved, "--retrieved") or date.today(),
    )
    _show_plan(plan, dry_run)
    if not dry_run:
        click.echo(f"next: claimrules claim add {ruleset} --source {ident} --quote \"...\"",
                   err=True)


@source.command("rehash")
@ruleset_arg
@click.argument("source_id", metavar="ID")
@click.option("--dry-run", is_flag=True, help="Show the change; write nothing.")
def source_rehash(ruleset: str, source_id: str, dry_run: bool) -> None:
    """Record the sha256 of a source's archive after an intended edit, and re-verify every
    quote of its claims against the edited text.

    Exit 1 when a quote is no longer in the archive.

    Example: claimrules source rehash rules/my-policy dw-2024-05-30
    """
    from claimrules.authoring.sources import rehash_source  # noqa: PLC0415

    result = rehash_source(Path(ruleset), source_id)
    if result.plan is None:
        click.echo(f"sha256 of `{source_id}`'s archive unchanged: {result.new}", err=True)
    else:
        _show_plan(result.plan, dry_run)
    held = result.quotes - len(result.not_found)
    click.echo(f"{held} of {result.quotes} quotes of `{source_id}` found in the archive",
               err=True)
    if result.not_found:
        _print_diagnostics(list(result.not_found))
        raise Findings


@cli.group()
def claim() -> None:
    """Add a claim quoted from a source, after verifying the quote."""


@claim.command("add")
@ruleset_arg
@click.option("--source", "source_id", required=True, metavar="ID", help="The source quoted.")
@click.option("--quote", required=True, help="The words, copied verbatim from the archive.")
@click.option("--id", "ident", metavar="ID",
              help="The claim's id (default: the source id and the quote's first words).")
@click.option("--kind", type=click.Choice(["provision", "rationale", "context", "reaction",
                                           "assessment", "forecast"]),
              default="provision", show_default=True)
@click.option("--modality", type=click.Choice(["asserted", "attributed", "hedged",
                                               "speculative"]),
              help="Default: attributed with --attributed-to, else asserted.")
@click.option("--attributed-to", metavar="WHO", help="Who the source says said it.")
@click.option("--on-record", is_flag=True, help="The source names them (with --attributed-to).")
@click.option("--via", metavar="WHO", help="Through whom it was reported.")
@click.option("--reported-on", metavar="DATE", help="When, if not the source's date.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag (repeatable).")
@click.option("--note", help="How the quote is read, or what to know about it.")
@click.option("--dry-run", is_flag=True, help="Show the change; write nothing.")
def claim_add(ruleset: str, source_id: str, quote: str, ident: str | None, kind: str,
              modality: str | None, attributed_to: str | None, on_record: bool,
              via: str | None, reported_on: str | None, tags: tuple[str, ...],
              note: str | None, dry_run: bool) -> None:
    """Verify a quote against its source's archive, then add the claim to that source's
    claims file (comments kept). A quote not in the archive is refused with the archive's
    nearest passage and the characters that differ.

    Example: claimrules claim add rules/my-policy --source dw-2024-05-30 --quote "..."
    --attributed-to "US officials"
    """
    from claimrules.authoring.claims import add_claim  # noqa: PLC0415

    plan = add_claim(
        Path(ruleset), source_id, quote, ident=ident, kind=kind, modality=modality,
        attributed_to=attributed_to, on_record=on_record, via=via,
        reported_on=_date_option(reported_on, "--reported-on"), tags=tags, note=note,
    )
    _show_plan(plan, dry_run)


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
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "  help: this is a bug in claimrules; please report it with the command you ran",
            err=True,
        )
        return EXIT_INTERNAL
    return EXIT_OK
