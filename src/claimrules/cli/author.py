"""Commands that write rulesets: `init`, `source add`, `source rehash`, `claim add`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal, cast

import click

from claimrules.cli.common import (
    Findings,
    date_option,
    emit,
    print_diagnostics,
    ruleset_arg,
)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Write into a non-empty directory.")
def init(directory: str, force: bool) -> None:
    """Scaffold a new ruleset for another reported policy, passing `check` as generated.

    Example: claimrules init rules/my-policy
    """
    from claimrules.authoring.scaffold import init_ruleset  # noqa: PLC0415

    for path in init_ruleset(Path(directory), force=force):
        emit(f"created {path}\n")
    click.echo(
        f"next: replace the placeholder archive, then `claimrules check {directory}`", err=True
    )


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


@click.group()
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
        url=url, published=date_option(published, "--published"),
        retrieved=date_option(retrieved, "--retrieved") or date.today(),
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
        print_diagnostics(list(result.not_found))
        raise Findings


@click.group()
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
        reported_on=date_option(reported_on, "--reported-on"), tags=tags, note=note,
    )
    _show_plan(plan, dry_run)


#: The commands this module adds to the `claimrules` group.
COMMANDS = (init, source, claim)
