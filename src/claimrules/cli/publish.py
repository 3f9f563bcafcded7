"""Commands that publish what the reporting says: `report`, `review`, `explore`, `export`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, cast

import click

from claimrules.cli.common import (
    check_sources,
    color,
    date_option,
    format_option,
    load_cached,
    load_checked,
    no_cache_option,
    output_options,
    read_stdin,
    ruleset_arg,
    speakers_from,
    write_output,
)
from claimrules.diagnostics import Diagnostic, LoadError, Span


@click.command()
@ruleset_arg
@format_option("markdown", "html")
@output_options
def report(ruleset: str, fmt: str, output: str | None, force: bool) -> None:
    """A publishable brief: provisions with quotes, the timeline of reporting, disagreements,
    what is left unaddressed, and the decision table.

    Example: claimrules report rules/us-weapons-inside-russia --format html -o brief.html
    """
    from claimrules.reporters import render_brief  # noqa: PLC0415

    brief_format = cast(Literal["markdown", "html"], fmt)
    write_output(render_brief(load_checked(ruleset), brief_format), output, force, fmt)


@click.command()
@ruleset_arg
@click.argument("statement", type=click.Path(dir_okay=False, allow_dash=True))
@format_option("text", "json", "jsonld")
@click.option("--reviewer", metavar="NAME", help="Who publishes the review (ClaimReview author).")
@click.option("--review-url", metavar="URL", help="Where the review is published.")
@click.option("--date-published", metavar="DATE", help="When the review is published.")
@output_options
@no_cache_option
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
    from claimrules.engine.evaluator import evaluate  # noqa: PLC0415
    from claimrules.load.scenario import coerce_facts  # noqa: PLC0415
    from claimrules.reporters import json as rjson  # noqa: PLC0415
    from claimrules.reporters.review import review_json, review_text  # noqa: PLC0415

    rs = load_cached(ruleset, no_cache)
    if statement == "-":
        name, raw = "<stdin>", read_stdin()
    else:
        from claimrules.load.yamlsafe import read_text  # noqa: PLC0415

        name, raw = statement, read_text(Path(statement), statement)
    stmt, doc = rv.read_statement(raw, name)
    typed = coerce_facts(rs.facts, stmt.facts, file=name, base=("facts",),
                         positions=doc.positions)
    check_sources(stmt.sources or (), rs.sources)
    said_by = speakers_from(rs, tuple(stmt.speakers or ()))
    decision = evaluate(
        rs, typed, as_of=stmt.as_of, known_by=stmt.known_by,
        sources=tuple(sorted(set(stmt.sources))) if stmt.sources else None, speakers=said_by,
    )
    given = stmt.review or None
    publication = rv.Publication(
        author=reviewer or (given.author if given else None),
        url=review_url or (given.url if given else None),
        date_published=date_option(date_published, "--date-published")
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
        out = review_text(result, rs, color=color() and output is None)
    write_output(out, output, force, fmt)


@click.command()
@ruleset_arg
@output_options
def explore(ruleset: str, output: str | None, force: bool) -> None:
    """An interactive explorer page: one self-contained HTML file (no network) where a reader
    picks the facts, dates, sources and speakers and sees the answer with its quotes.

    Example: claimrules explore rules/us-weapons-inside-russia -o explorer.html
    """
    from claimrules.reporters.explorer import render_explorer  # noqa: PLC0415

    write_output(render_explorer(load_checked(ruleset)), output, force, "html")


@click.command()
@ruleset_arg
@format_option("jsonld", "json")
@output_options
def export(ruleset: str, fmt: str, output: str | None, force: bool) -> None:
    """Export claims: schema.org Claim JSON-LD with Web Annotation selectors, or plain JSON.

    Example: claimrules export rules/us-weapons-inside-russia --format jsonld -o claims.jsonld
    """
    from claimrules.reporters import export as ex  # noqa: PLC0415
    from claimrules.reporters import json as rjson  # noqa: PLC0415

    rs = load_checked(ruleset)
    data = ex.jsonld(rs) if fmt == "jsonld" else rjson.claims(rs, rs.claims.values())
    write_output(rjson.dumps(data) + "\n", output, force, "json")


#: The commands this module adds to the `claimrules` group.
COMMANDS = (report, review, explore, export)
