"""Commands that check a ruleset or analyse its whole fact space: `check`, `test`, `lint`,
`table`, `diff`, `timeline`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from claimrules.cli.common import (
    Findings,
    check_sources,
    date_option,
    emit,
    format_option,
    load_checked,
    print_diagnostics,
    ruleset_arg,
    scenario_from,
    time_options,
)


@click.command()
@click.argument("rulesets", nargs=-1, required=True, type=click.Path())
@format_option("text", "json", "github", help_text="How to print findings.")
def check(rulesets: tuple[str, ...], fmt: str) -> None:
    """Load and validate rulesets and verify every quote against its archived text.

    A folder that holds rulesets (such as `rules/`) checks each of them.

    Exit 0 when clean, 1 with findings.

    Example: claimrules check rules/us-weapons-inside-russia
    """
    from claimrules.load.check_report import check_rulesets  # noqa: PLC0415
    from claimrules.reporters.listing import check_summary_text  # noqa: PLC0415

    report = check_rulesets(rulesets)
    found = report.errors
    if fmt == "json":
        click.echo(json.dumps({
            "ok": not found,
            "rulesets": [s.to_dict() for s in report.rulesets],
            "diagnostics": [d.to_dict() for d in (*found, *report.warnings)],
        }, indent=2))
    else:
        print_diagnostics([*found, *report.warnings], fmt)
        for s in report.rulesets:
            emit(check_summary_text(s), err=fmt == "github")
        if found:
            n = len(found)
            click.echo(f"{n} problem{'s' if n != 1 else ''} found", err=True)
    if found:
        raise Findings


@click.command("test")
@ruleset_arg
@click.argument("cases", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PERCENT",
    help="Fail when coverage is below PERCENT.",
)
@format_option("text", "json", "markdown", "github")
def test_(ruleset: str, cases: tuple[str, ...], fail_under: float | None, fmt: str) -> None:
    """Run the ruleset's cases (or CASES files) and report rule and provision-claim coverage.

    Exit 1 when a case fails or coverage is under --fail-under.

    Example: claimrules test rules/us-weapons-inside-russia --fail-under 100
    """
    from claimrules.analysis import casetest  # noqa: PLC0415
    from claimrules.reporters.analysis import render_cases  # noqa: PLC0415

    rs = load_checked(ruleset)
    extra = [c for f in cases for c in casetest.load_case_file(Path(f), rs)] if cases else None
    report = casetest.run_cases(rs, extra)
    emit(render_cases(report, fmt, rs), fmt)
    if report.failed or (fail_under is not None and report.coverage_percent < fail_under):
        if fail_under is not None and report.coverage_percent < fail_under:
            click.echo(
                f"coverage {report.coverage_percent:.1f}% is under {fail_under:g}%", err=True
            )
        raise Findings


@click.command()
@ruleset_arg
@format_option("text", "json", "markdown", "csv", "github")
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
    from claimrules.analysis.lint import lint  # noqa: PLC0415
    from claimrules.reporters.analysis import render_lint  # noqa: PLC0415

    findings = lint(load_checked(ruleset))
    emit(render_lint(findings, fmt), fmt)
    failing = {"error": ("error",), "warning": ("error", "warning"), "never": ()}[fail_on]
    if any(str(f.severity) in failing for f in findings):
        raise Findings


@click.command()
@ruleset_arg
@time_options
@format_option("text", "csv", "markdown", "json")
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
    from claimrules.analysis.table import table  # noqa: PLC0415
    from claimrules.reporters.analysis import render_table  # noqa: PLC0415

    rs = load_checked(ruleset)
    _, a, k, s = scenario_from(rs, None, (), as_of, known_by, sources)
    if width is None:
        import shutil  # noqa: PLC0415

        width = shutil.get_terminal_size((100, 24)).columns
    emit(render_table(table(rs, a, k, s), fmt, rs, width=width or None), fmt)


@click.command()
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
@format_option("text", "json", "markdown")
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
    from claimrules.analysis.diff import diff  # noqa: PLC0415
    from claimrules.reporters.analysis import render_diff  # noqa: PLC0415

    if len(rulesets) > 2:
        raise click.UsageError("diff compares one ruleset at two dates, or two rulesets")
    if len(as_of) > 2 or len(known_by) > 2:
        raise click.UsageError("give at most two --as-of and two --known-by dates")
    if len(rulesets) == 1 and len(as_of) != 2 and len(known_by) != 2:
        raise click.UsageError("one ruleset needs two --as-of or two --known-by dates")
    a = load_checked(rulesets[0])
    b = load_checked(rulesets[1]) if len(rulesets) == 2 else a
    dates = [date_option(d, "--as-of") for d in as_of]
    knows = [date_option(d, "--known-by") for d in known_by]

    def pick(values: list[date | None], i: int) -> date | None:
        return values[i] if len(values) == 2 else (values[0] if values else None)

    check_sources(sources, a.sources)
    result = diff(
        a,
        b,
        as_of_a=pick(dates, 0),
        as_of_b=pick(dates, 1),
        known_by_a=pick(knows, 0),
        known_by_b=pick(knows, 1),
        sources=tuple(sorted(set(sources))) or None,
    )
    emit(render_diff(result, fmt, b, summary=summary), fmt)


@click.command()
@ruleset_arg
@format_option("text", "json", "markdown")
def timeline(ruleset: str, fmt: str) -> None:
    """Claims and rule periods in date order, grouped by source; undated ones listed apart.

    Example: claimrules timeline rules/us-weapons-inside-russia
    """
    from claimrules.analysis import timeline as tl  # noqa: PLC0415
    from claimrules.reporters.analysis import render_timeline  # noqa: PLC0415

    rs = load_checked(ruleset)
    emit(render_timeline(tl.timeline(rs), fmt, rs), fmt)


#: The commands this module adds to the `claimrules` group.
COMMANDS = (check, test_, lint, table, diff, timeline)
