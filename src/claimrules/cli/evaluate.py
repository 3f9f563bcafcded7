"""Commands that answer one scenario, or a batch of them: `eval` and `ask`."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

import click

from claimrules.cli.common import (
    Findings,
    check_sources,
    color,
    completer,
    date_option,
    emit,
    format_option,
    load_cached,
    no_cache_option,
    ruleset_arg,
    scenario_from,
    speakers_from,
    stdin,
    stdin_bytes,
    time_options,
)
from claimrules.collector import paused
from claimrules.diagnostics import Diagnostic, LoadError, Span


@click.command("eval")
@ruleset_arg
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--fact",
    "facts",
    multiple=True,
    metavar="NAME=VALUE",
    help="A fact of the scenario (repeatable); typed by the vocabulary (`claimrules facts`).",
    shell_complete=completer("fact"),
)
@time_options
@click.option(
    "--speaker",
    "speakers",
    multiple=True,
    metavar="NAME",
    help="Evaluate according to what these speakers said only (repeatable; see `speakers`).",
    shell_complete=completer("speaker"),
)
@format_option("text", "json", "markdown")
@no_cache_option
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
    rs = load_cached(ruleset, no_cache)
    if batch is not None:
        from claimrules.load.installed import resolve_example  # noqa: PLC0415

        _run_batch(rs, resolve_example(batch), as_of, known_by, sources)
        return
    with paused(freeze=True):  # one decision: the engine's modules and what it builds live on
        from claimrules.engine.evaluator import evaluate  # noqa: PLC0415
        from claimrules.reporters import render  # noqa: PLC0415

        typed, a, k, s = scenario_from(rs, scenario, facts, as_of, known_by, sources)
        said_by = speakers_from(rs, speakers)
        decision = evaluate(rs, typed, as_of=a, known_by=k, sources=s, speakers=said_by)
        rendered = render(decision, rs, fmt, color=color() and fmt == "text")
        if fmt == "text":
            click.echo(rendered, nl=False)  # escaped by the text reporter, before its colour
        else:
            emit(rendered, fmt)


def _run_batch(
    rs: Any, batch: str, as_of: str | None, known_by: str | None, sources: tuple[str, ...]
) -> None:
    """`eval --batch`: stream the batch through `engine.batch.evaluate_batch`, one JSON line
    out per scenario line, progress on a terminal's stderr."""
    from claimrules.engine.batch import evaluate_batch  # noqa: PLC0415
    from claimrules.load.batch import read_lines, resolve_lines  # noqa: PLC0415
    from claimrules.reporters.json import batch_line  # noqa: PLC0415

    base_as_of = date_option(as_of, "--as-of")
    base_known = date_option(known_by, "--known-by")
    check_sources(sources, rs.sources)
    if batch == "-":
        name, stream, size = "<stdin>", stdin_bytes(), 0
    else:
        from pathlib import Path  # noqa: PLC0415

        from claimrules.load.yamlsafe import open_regular  # noqa: PLC0415

        name = batch
        stream = open_regular(Path(batch), batch)  # refuses FIFOs, devices, bad paths
        size = os.fstat(stream.fileno()).st_size
    progress = sys.stderr.isatty()
    done = bad = 0
    with stream if batch != "-" else contextlib.nullcontext():  # stdin is not ours to close
        items = resolve_lines(read_lines(stream, name), name, rs.facts, rs.sources,
                              sources=sources)
        for outcome in evaluate_batch(rs, items, as_of=base_as_of, known_by=base_known):
            if isinstance(outcome.answer, Diagnostic):
                bad += 1
                click.echo(outcome.answer.render(), err=True)
            else:
                done += 1
            emit(batch_line(outcome.number, outcome.answer), "json")
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


@click.command()
@ruleset_arg
@time_options
@click.option("--fact", "facts", multiple=True, metavar="NAME=VALUE", help="A fact already known.",
              shell_complete=completer("fact"))
@click.option(
    "--order",
    type=click.Choice(["decisive", "vocabulary"]),
    default="decisive",
    show_default=True,
    help="decisive: the question settling most first; vocabulary: always the ruleset's order.",
)
@format_option("text", "json", "markdown", help_text="How to print the answer.")
@no_cache_option
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
    from claimrules.engine.compile import compiled_ruleset  # noqa: PLC0415
    from claimrules.engine.evaluator import evaluate  # noqa: PLC0415
    from claimrules.load.scenario import coerce_value  # noqa: PLC0415
    from claimrules.reporters import render  # noqa: PLC0415

    rs = load_cached(ruleset, no_cache)
    typed, a, k, s = scenario_from(rs, None, facts, as_of, known_by, sources)
    compiled = compiled_ruleset(rs)
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
        emit(f"\n{fact.question}\n", err=True)
        for i, value in enumerate(choices, start=1):
            label = {"true": "yes", "false": "no"}.get(value) if isinstance(
                compiled.domains[question][0], bool) else fact.label(value)
            emit(f"  {i}. {value}" + (f" — {label}" if label else "") + "\n", err=True)
        emit("  ?. don't know\n", err=True)
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
                emit(f"  {exc}\n", err=True)
    decision = evaluate(rs, typed, as_of=a, known_by=k, sources=s)
    click.echo("", err=True)
    # the text reporter escapes by itself; JSON and Markdown go through emit
    if fmt == "text":
        click.echo(render(decision, rs, fmt, color=color()), nl=False)
    else:
        emit(render(decision, rs, fmt), fmt)


#: Longest answer `ask` reads (the longest value of a fact is far shorter).
MAX_ANSWER_BYTES = 4096


def _answer(prompt: str) -> str:
    """One answer line from standard input, at most `MAX_ANSWER_BYTES` long; end of input is
    an abort (exit 2), a longer line an input error, never a read without end."""
    click.echo(prompt, nl=False, err=True)  # questions on stderr: stdout holds the answer
    sys.stderr.flush()
    stream = stdin()
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


#: The commands this module adds to the `claimrules` group.
COMMANDS = (eval_, ask)
