"""The `claimrules` command line: option plumbing around one library call per command.

The only module that prints or chooses exit codes: 0 ok · 1 findings · 2 usage or input error ·
3 internal error (a bug).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from claimrules import __version__
from claimrules.diagnostics import Diagnostic, LoadError, Span

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class Findings(Exception):
    """Raised by a command that found problems (exit 1) after printing them."""


def _color(stream: Any = None) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def _print_diagnostics(diags: list[Diagnostic], fmt: str = "text") -> None:
    for d in diags:
        if fmt == "github":
            level = "error" if d.severity == "error" else "warning"
            loc = f"file={d.span.file}"
            if d.span.line:
                loc += f",line={d.span.line},col={d.span.col}"
            click.echo(f"::{level} {loc},title={d.code}::{d.message}")
        else:
            click.echo(d.render(), err=True)


def _date_option(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else _bad_date(value, name)
    except ValueError:
        _bad_date(value, name)


def _bad_date(value: str, name: str) -> NoReturn:
    raise click.BadParameter(f"`{value}` is not a date written YYYY-MM-DD", param_hint=name)


def _load(path: str) -> Any:
    from claimrules.loader import load_ruleset  # noqa: PLC0415 - lazy: keeps --help fast

    return load_ruleset(path)


def _write_output(text: str, output: str | None, force: bool) -> None:
    if output is None or output == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return
    from claimrules.output import write_atomic  # noqa: PLC0415

    write_atomic(Path(output), text.encode("utf-8"), force=force)
    click.echo(f"wrote {output}", err=True)


ruleset_arg = click.argument("ruleset", type=click.Path(file_okay=False, dir_okay=True))


def _time_options(f: F) -> F:
    f = click.option(
        "--source", "sources", multiple=True, metavar="ID",
        help="Evaluate according to these sources only (repeatable).",
    )(f)
    f = click.option("--known-by", metavar="DATE", help="Count only claims reported by DATE.")(f)
    return click.option("--as-of", metavar="DATE", help="The policy in effect on DATE.")(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="claimrules")
def cli() -> None:
    """Reported policy as code: claims quoted from sources, rules derived from them, and
    verdicts that say what the reporting says — and according to whom."""


@cli.command()
@click.argument("rulesets", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="How to print findings.")
def check(rulesets: tuple[str, ...], fmt: str) -> None:
    """Load and validate rulesets and verify every quote against its archived text.

    Exit 0 when clean, 1 with findings.

    Example: claimrules check rules/us-weapons-inside-russia
    """
    found: list[Diagnostic] = []
    summaries = []
    for path in rulesets:
        try:
            rs = _load(path)
        except LoadError as exc:
            found.extend(exc.diagnostics)
            continue
        verified = sum(1 for c in rs.claims.values() if c.start >= 0)
        summaries.append(
            {"ruleset": path, "sources": len(rs.sources), "claims": len(rs.claims),
             "quotes_verified": verified, "facts": len(rs.facts), "rules": len(rs.rules),
             "cases": len(rs.cases)}
        )
    if fmt == "json":
        click.echo(json.dumps({"ok": not found, "rulesets": summaries,
                               "diagnostics": [d.to_dict() for d in found]}, indent=2))
    else:
        _print_diagnostics(found, fmt)
        for s in summaries:
            click.echo(
                f"ok: {s['ruleset']}: {s['sources']} sources, {s['claims']} claims "
                f"({s['quotes_verified']} quotes verified), {s['facts']} facts, "
                f"{s['rules']} rules, {s['cases']} cases", err=fmt == "github",
            )
        if found:
            n = len(found)
            click.echo(f"{n} problem{'s' if n != 1 else ''} found", err=True)
    if found:
        raise Findings


@cli.command()
@ruleset_arg
@click.option("--source", "source", metavar="ID", help="Only claims from this source.")
@click.option("--kind", type=click.Choice(
    ["provision", "rationale", "context", "reaction", "assessment", "forecast"]),
    help="Only claims of this kind.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
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
        r for r in rs.claims.values()
        if (source is None or r.claim.source == source) and (kind is None or r.claim.kind == kind)
    ]
    records.sort(key=lambda r: (r.claim.source, r.start, r.claim.id))
    if fmt == "json":
        click.echo(rjson.dumps(rjson.claims(rs, records)))
    else:
        click.echo(listing.claims_text(rs, records), nl=False)


@cli.command()
@ruleset_arg
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def sources(ruleset: str, fmt: str) -> None:
    """List the sources: outlet, date (or undated), headline, URL, archive and claim count.

    Example: claimrules sources rules/us-weapons-inside-russia --format json
    """
    from claimrules.reporters import json as rjson  # noqa: PLC0415
    from claimrules.reporters import listing  # noqa: PLC0415

    rs = _load(ruleset)
    if fmt == "json":
        click.echo(rjson.dumps(rjson.sources(rs)))
    else:
        click.echo(listing.sources_text(rs), nl=False)


def _unknown_source(source: str, known: list[str]) -> NoReturn:
    from claimrules.diagnostics import did_you_mean  # noqa: PLC0415

    raise LoadError([
        Diagnostic("unknown-source", f"unknown source `{source}`", Span("--source"),
                   help=did_you_mean(source, known) or "see `claimrules sources RULESET`")
    ])


def _parse_fact_options(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"`{pair}` is not name=value", param_hint="--fact")
        out[name.strip()] = value.strip()
    return out


def _scenario_from(
    rs: Any, scenario: str | None, facts: tuple[str, ...], as_of: str | None,
    known_by: str | None, sources: tuple[str, ...],
) -> tuple[dict[str, Any], date | None, date | None, tuple[str, ...] | None]:
    from claimrules.loader import load_scenario  # noqa: PLC0415
    from claimrules.scenario import coerce_facts  # noqa: PLC0415
    from claimrules.yamlsafe import read_text  # noqa: PLC0415

    typed: dict[str, Any] = {}
    file_as_of = file_known = None
    file_sources: list[str] | None = None
    if scenario is not None:
        if scenario == "-":
            name, text = "<stdin>", sys.stdin.read()
        else:
            name, text = scenario, read_text(Path(scenario), scenario)
        model, doc = load_scenario(text, name)
        typed = coerce_facts(rs.facts, model.facts, file=name, base=("facts",),
                             positions=doc.positions)
        file_as_of, file_known, file_sources = model.as_of, model.known_by, model.sources
    if facts:
        typed.update(coerce_facts(rs.facts, _parse_fact_options(facts), file="--fact", strings=True))
    chosen = list(sources) or file_sources
    if chosen:
        for s in chosen:
            if s not in rs.sources:
                _unknown_source(s, list(rs.sources))
    return (
        typed,
        _date_option(as_of, "--as-of") if as_of else file_as_of,
        _date_option(known_by, "--known-by") if known_by else file_known,
        tuple(sorted(set(chosen))) if chosen else None,
    )


@cli.command("eval")
@ruleset_arg
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--fact", "facts", multiple=True, metavar="NAME=VALUE",
              help="A fact of the scenario (repeatable); typed by the vocabulary.")
@_time_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
@click.option("--batch", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE.jsonl",
              help="Evaluate one JSON scenario per line; print one JSON decision per line.")
def eval_(
    ruleset: str, scenario: str | None, facts: tuple[str, ...], as_of: str | None,
    known_by: str | None, sources: tuple[str, ...], fmt: str, batch: str | None,
) -> None:
    """Evaluate one scenario: the verdict, and an explanation quoting the sources.

    SCENARIO is a YAML or JSON file (`-` for stdin) with `facts` and optional `as_of`,
    `known_by`, `sources`; options override it.

    Example: claimrules eval rules/us-weapons-inside-russia --fact actor=ukraine
    --fact munitions_origin=us --fact target_location=russia --fact target_type=military_unit
    --fact directly_involved_in_invasion=true
    """
    rs = _load(ruleset)
    if batch is not None:
        _run_batch(rs, batch, as_of, known_by, sources)
        return
    from claimrules.evaluator import decide  # noqa: PLC0415
    from claimrules.reporters import render  # noqa: PLC0415

    typed, a, k, s = _scenario_from(rs, scenario, facts, as_of, known_by, sources)
    decision = decide(rs.compiled(), typed, as_of=a, known_by=k, sources=s)
    click.echo(render(decision, rs, fmt, color=_color() and fmt == "text"), nl=False)


def _batch_lines(batch: str) -> Iterator[tuple[int, str]]:
    stream = sys.stdin if batch == "-" else open(batch, encoding="utf-8", errors="strict")  # noqa: SIM115
    try:
        yield from enumerate(stream, start=1)
    finally:
        if stream is not sys.stdin:
            stream.close()


def _run_batch(
    rs: Any, batch: str, as_of: str | None, known_by: str | None, sources: tuple[str, ...]
) -> None:
    from claimrules.evaluator import decide  # noqa: PLC0415
    from claimrules.loader import load_scenario  # noqa: PLC0415
    from claimrules.reporters import json as rjson  # noqa: PLC0415
    from claimrules.scenario import coerce_facts  # noqa: PLC0415

    if batch != "-":
        from claimrules.yamlsafe import read_text  # noqa: PLC0415

        read_text(Path(batch), batch, max_bytes=1 << 40)  # refuses FIFOs, devices, bad paths
    compiled = rs.compiled()
    base_as_of = _date_option(as_of, "--as-of")
    base_known = _date_option(known_by, "--known-by")
    for s in sources:
        if s not in rs.sources:
            _unknown_source(s, list(rs.sources))
    show_progress = sys.stderr.isatty()
    done = bad = 0
    name = "<stdin>" if batch == "-" else batch
    try:
        lines = list(_batch_lines(batch)) if show_progress else _batch_lines(batch)
        total = len(lines) if isinstance(lines, list) else None
        for number, line in lines:
            if not line.strip():
                continue
            try:
                text = line if line.lstrip().startswith("{") else "{" + line + "}"
                model, doc = load_scenario(text, f"{name}:{number}")
                typed = coerce_facts(rs.facts, model.facts, file=f"{name}:{number}")
                chosen = tuple(sorted(set(sources))) or (
                    tuple(sorted(set(model.sources))) if model.sources else None)
                for s in chosen or ():
                    if s not in rs.sources:
                        _unknown_source(s, list(rs.sources))
                decision = decide(
                    compiled, typed, as_of=base_as_of or model.as_of,
                    known_by=base_known or model.known_by, sources=chosen, explain=False,
                )
                out = rjson.decision(decision)
                out.pop("rules")
                out["line"] = number
                click.echo(json.dumps(out, ensure_ascii=False))
                done += 1
            except LoadError as exc:
                bad += 1
                first = exc.diagnostics[0]
                message = f"{name}:{number}: error: {first.message}"
                click.echo(message, err=True)
                click.echo(json.dumps({"line": number, "error": first.message,
                                       "code": first.code}, ensure_ascii=False))
            if show_progress and total:
                click.echo(f"\r{done + bad}/{total} scenarios", err=True, nl=False)
    except UnicodeDecodeError as exc:
        raise LoadError([Diagnostic("file-encoding", f"not valid UTF-8 at byte {exc.start}",
                                    Span(name))]) from None
    if show_progress:
        click.echo("", err=True)
    click.echo(f"{done} decisions, {bad} bad lines", err=True)


@cli.command()
@ruleset_arg
@_time_options
@click.option("--fact", "facts", multiple=True, metavar="NAME=VALUE", help="A fact already known.")
def ask(ruleset: str, as_of: str | None, known_by: str | None, sources: tuple[str, ...],
        facts: tuple[str, ...]) -> None:
    """Interview: asks only the facts that can still change the verdict, most decisive first,
    and stops as soon as the verdict is settled.

    Example: claimrules ask rules/us-weapons-inside-russia --as-of 2024-06-15
    """
    from claimrules.interview import next_question  # noqa: PLC0415
    from claimrules.reporters import render  # noqa: PLC0415
    from claimrules.evaluator import decide  # noqa: PLC0415
    from claimrules.scenario import coerce_value  # noqa: PLC0415

    rs = _load(ruleset)
    typed, a, k, s = _scenario_from(rs, None, facts, as_of, known_by, sources)
    compiled = rs.compiled()
    while True:
        question = next_question(compiled, typed, as_of=a, known_by=k, sources=s)
        if question is None:
            break
        fact = rs.facts[question]
        choices = [str(v).lower() if isinstance(v, bool) else str(v)
                   for v in compiled.domains[question]]
        click.echo(f"\n{fact.question}")
        for i, value in enumerate(choices, start=1):
            label = fact.label(value) if isinstance(value, str) else None
            click.echo(f"  {i}. {value}" + (f" — {label}" if label else ""))
        while True:
            answer = click.prompt("answer (number or value)", default="", show_default=False,
                                  err=False).strip()
            if answer.isdigit() and 1 <= int(answer) <= len(choices):
                answer = choices[int(answer) - 1]
            try:
                typed[question] = coerce_value(fact, answer, strings=True)
                break
            except ValueError as exc:
                click.echo(f"  {exc}")
    decision = decide(compiled, typed, as_of=a, known_by=k, sources=s)
    click.echo("")
    click.echo(render(decision, rs, "text", color=_color()), nl=False)


def main() -> None:
    """Entry point: run the group, render errors once, choose the exit code."""
    try:
        cli.main(standalone_mode=False, prog_name="claimrules")
    except Findings:
        sys.exit(EXIT_FINDINGS)
    except LoadError as exc:
        for d in exc.diagnostics:
            click.echo(d.render(), err=True)
        sys.exit(EXIT_INPUT)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_INPUT)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_INPUT)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(EXIT_OK)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except OSError as exc:
        name = exc.filename or "<input>"
        click.echo(f"{name}: error: {exc.strerror or exc} [os-error]", err=True)
        sys.exit(EXIT_INPUT)
    except RecursionError:
        click.echo("error: input nested too deeply [too-deep]", err=True)
        sys.exit(EXIT_INPUT)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug, reported as one
        click.echo(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "  help: this is a bug in claimrules; please report it with the command you ran",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(EXIT_OK)
