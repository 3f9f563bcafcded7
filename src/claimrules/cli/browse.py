"""Commands that list what a ruleset holds: `claims`, `facts`, `sources`, `speakers`, and
what claimrules ships: `rulesets`, `schema`."""

from __future__ import annotations

import json
from typing import cast, get_args

import click

from claimrules.cli.common import (
    check_sources,
    emit,
    format_option,
    load_cached,
    load_checked,
    ruleset_arg,
)


@click.command()
@ruleset_arg
@click.option("--source", "source", metavar="ID", help="Only claims from this source.")
@click.option(
    "--kind",
    type=click.Choice(["provision", "rationale", "context", "reaction", "assessment", "forecast"]),
    help="Only claims of this kind.",
)
@format_option("text", "json")
def claims(ruleset: str, source: str | None, kind: str | None, fmt: str) -> None:
    """List claims with their quotes, kind, modality, attribution, date and offsets.

    Example: claimrules claims rules/us-weapons-inside-russia --source biden-decision-article
    """
    from claimrules.reporters import json as rjson  # noqa: PLC0415
    from claimrules.reporters import listing  # noqa: PLC0415

    rs = load_checked(ruleset)
    if source is not None:
        check_sources((source,), rs.sources)
    records = [
        r
        for r in rs.claims.values()
        if (source is None or r.claim.source == source) and (kind is None or r.claim.kind == kind)
    ]
    records.sort(key=lambda r: (r.claim.source, r.start, r.claim.id))
    if fmt == "json":
        emit(rjson.dumps(rjson.claims(rs, records)), fmt)
    else:
        emit(listing.claims_text(rs, records))


@click.command()
@ruleset_arg
@format_option("text", "json")
def facts(ruleset: str, fmt: str) -> None:
    """List the facts a scenario may state: type, question, description, values and labels.

    Example: claimrules facts rules/us-weapons-inside-russia
    """
    from claimrules.reporters import listing  # noqa: PLC0415

    rs = load_cached(ruleset, False)
    if fmt == "json":
        emit(json.dumps(listing.facts_json(rs), ensure_ascii=False, indent=2), fmt)
    else:
        emit(listing.facts_text(rs))


@click.command()
@ruleset_arg
@format_option("text", "json")
def sources(ruleset: str, fmt: str) -> None:
    """List the sources: outlet, date (or undated), headline, URL, archive and claim count.

    Example: claimrules sources rules/us-weapons-inside-russia --format json
    """
    from claimrules.reporters import json as rjson  # noqa: PLC0415
    from claimrules.reporters import listing  # noqa: PLC0415

    rs = load_checked(ruleset)
    if fmt == "json":
        emit(rjson.dumps(rjson.sources(rs)), fmt)
    else:
        emit(listing.sources_text(rs))


@click.command()
@ruleset_arg
@format_option("text", "json")
def speakers(ruleset: str, fmt: str) -> None:
    """List who the claims quote — named speakers, anonymous officials, outlets in their own
    voice — with their claims: the names `eval --speaker` takes.

    Example: claimrules speakers rules/us-weapons-inside-russia
    """
    from claimrules.engine.evaluator import speakers_of  # noqa: PLC0415

    found = speakers_of(load_checked(ruleset))
    if fmt == "json":
        click.echo(json.dumps({"speakers": [
            {"speaker": name, "claims": list(ids)} for name, ids in found.items()
        ]}, ensure_ascii=False, indent=2))
        return
    for name, ids in found.items():
        click.echo(f"{name} ({len(ids)} claim{'' if len(ids) == 1 else 's'}): {', '.join(ids)}")


@click.command()
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


@click.command()
@format_option("text", "json")
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


#: The commands this module adds to the `claimrules` group.
COMMANDS = (claims, facts, sources, speakers, rulesets, schema)
