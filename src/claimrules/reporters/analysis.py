"""Renderers for the whole-space analyses: case runs, lint findings, decision tables, diffs and
timelines, each as text, JSON (versioned), Markdown and — where it fits — CSV or GitHub
workflow commands. Renderers build strings only; they never print."""

from __future__ import annotations

import csv
import io
import textwrap
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from claimrules.analysis.casetest import CaseReport, CaseResult, Coverage
from claimrules.analysis.diff import Diff
from claimrules.analysis.findings import Finding
from claimrules.analysis.space import Cell, Region, When, show_value
from claimrules.analysis.table import Table
from claimrules.analysis.timeline import SourceDay, Timeline
from claimrules.diagnostics import Severity
from claimrules.engine.decision import CitedClaim
from claimrules.load.ruleset import Ruleset
from claimrules.reporters import escape
from claimrules.reporters import json as rjson
from claimrules.reporters import markdown as rmarkdown
from claimrules.reporters import text as rtext

CASE_FORMATS = ("text", "json", "markdown", "github")
LINT_FORMATS = ("text", "json", "markdown", "csv", "github")
TABLE_FORMATS = ("text", "csv", "markdown", "json")
DIFF_FORMATS = ("text", "json", "markdown")
TIMELINE_FORMATS = ("text", "json", "markdown")

#: How a cell that allows any value is shown in text and CSV tables.
ANY = "*"


def _unknown(fmt: str, known: Sequence[str]) -> ValueError:
    names = ", ".join(f"`{f}`" for f in known)
    return ValueError(f"unknown format `{fmt}`; expected one of {names}")


def _date(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _md(s: str) -> str:
    """Markdown inline text, safe in a table cell (the one escaper, `escape.markdown`)."""
    return escape.markdown(s)


def _md_code(s: str) -> str:
    """A code span, safe in a table cell."""
    return escape.markdown_cell(escape.markdown_code(s))


def _md_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _dumps(obj: object) -> str:
    return rjson.dumps(obj) + "\n"


def _cell_json(c: Cell) -> dict[str, Any]:
    """Enum and bool cells list their `values`; number and date cells their `ranges` (and the
    explored `representatives` those ranges stand for)."""
    values = [rjson.fact_value(v) for v in c.values]
    if not c.intervals:
        return {"fact": c.fact, "values": values}
    return {
        "fact": c.fact,
        "ranges": [
            {"min": rjson.fact_value(i.low), "min_inclusive": i.low_closed,
             "max": rjson.fact_value(i.high), "max_inclusive": i.high_closed}
            for i in c.intervals
        ],
        "representatives": values,
    }


def _when_json(w: When | None) -> dict[str, Any] | None:
    if w is None:
        return None
    return {
        "always": w.always,
        "no_as_of": w.unset,
        "spans": [{"from": _date(s.start), "until": _date(s.until)} for s in w.spans],
    }


def _region_json(r: Region) -> dict[str, Any]:
    return {"cells": [_cell_json(c) for c in r.cells], "when": _when_json(r.when)}


# --- cases ---------------------------------------------------------------------------------------


def render_cases(report: CaseReport, fmt: str, ruleset: Ruleset) -> str:
    """A case run: each case passed or failed (with expected vs got and, on failure, the
    decision's explanation), totals, and coverage.

    `github` gives one `::error` workflow command per failing case, at the case's file:line,
    and a `::notice` with the totals and coverage.

    CLI: `claimrules test RULESET [CASES.yaml ...] [--fail-under PERCENT]
    [--format text|json|markdown|github]`.
    """
    if fmt == "text":
        return _cases_text(report, ruleset)
    if fmt == "github":
        return _cases_github(report)
    if fmt == "json":
        return _dumps(_cases_json(report))
    if fmt == "markdown":
        return _cases_markdown(report, ruleset)
    raise _unknown(fmt, CASE_FORMATS)


def _mismatch_lines(result: CaseResult) -> list[str]:
    out = []
    for m in result.mismatches:
        if m.field == "verdict":
            out.append(f"verdict: expected {m.expected[0]}, got {m.got[0]}")
        elif m.field == "deciding_rules":
            out.append(f"deciding rules: expected to include {', '.join(m.expected)}; "
                       f"got {', '.join(m.got) or 'none'}")
        else:
            out.append(f"missing facts: expected {', '.join(m.expected) or 'none'}; "
                       f"got {', '.join(m.got) or 'none'}")
    return out


def _coverage_lines(c: Coverage) -> list[str]:
    lines = [
        f"coverage: {c.percent:.1f}% — {len(c.exercised_rules)}/{len(c.rules)} rules exercised, "
        f"{len(c.covered_claims)}/{len(c.claims)} provision claims covered"
    ]
    if c.unexercised_rules:
        lines += textwrap.wrap("rules not exercised: " + ", ".join(c.unexercised_rules),
                               width=96, initial_indent="  ", subsequent_indent="    ",
                               break_on_hyphens=False)
    if c.uncovered_claims:
        lines += textwrap.wrap("provision claims not covered: " + ", ".join(c.uncovered_claims),
                               width=96, initial_indent="  ", subsequent_indent="    ",
                               break_on_hyphens=False)
    return lines


def _cases_text(report: CaseReport, ruleset: Ruleset) -> str:
    from claimrules.reporters import render  # noqa: PLC0415 - the package imports this module's peers

    lines: list[str] = []
    for r in report.results:
        if r.passed:
            lines.append(f"PASS  {r.case.id}")
            continue
        lines.append(f"FAIL  {r.case.id}  ({r.span})")
        lines += [f"      {m}" for m in _mismatch_lines(r)]
        explanation = render(r.decision, ruleset, "text").rstrip("\n")
        lines += ["      got:"] + [f"        {x}" if x else "" for x in explanation.splitlines()]
    lines.append("")
    lines.append(f"{_plural(len(report.results), 'case')}: {report.passed} passed, "
                 f"{report.failed} failed")
    lines += _coverage_lines(report.coverage)
    return "\n".join(lines) + "\n"


def _cases_github(report: CaseReport) -> str:
    lines = []
    for r in report.results:
        if r.passed:
            continue
        message = f"case `{r.case.id}`: " + "; ".join(_mismatch_lines(r))
        lines.append(escape.github_command("error", message, file=r.span.file,
                                           line=r.span.line, col=r.span.col,
                                           title="case-failed"))
    c = report.coverage
    lines.append(escape.github_command(
        "notice", f"{_plural(len(report.results), 'case')}: {report.passed} passed, "
        f"{report.failed} failed; coverage {c.percent:.1f}%", title="claimrules test"))
    return "\n".join(lines) + "\n"


def _coverage_json(c: Coverage) -> dict[str, Any]:
    return {
        "percent": round(c.percent, 2),
        "covered": c.covered,
        "total": c.total,
        "rules": list(c.rules),
        "exercised_rules": list(c.exercised_rules),
        "provision_claims": list(c.claims),
        "covered_claims": list(c.covered_claims),
    }


def _cases_json(report: CaseReport) -> dict[str, Any]:
    return {
        "schema_version": rjson.SCHEMA_VERSION,
        "kind": "test",
        "ruleset": report.ruleset,
        "cases": [
            {
                "id": r.case.id,
                "passed": r.passed,
                "file": r.span.file,
                "line": r.span.line,
                "col": r.span.col,
                "expected": {
                    "verdict": r.case.expect.verdict,
                    "deciding_rules": r.case.expect.deciding_rules,
                    "missing_facts": r.case.expect.missing_facts,
                },
                "mismatches": [
                    {"field": m.field, "expected": list(m.expected), "got": list(m.got)}
                    for m in r.mismatches
                ],
                "decision": rjson.decision(r.decision),
            }
            for r in report.results
        ],
        "summary": {"cases": len(report.results), "passed": report.passed,
                    "failed": report.failed},
        "coverage_percent": round(report.coverage_percent, 2),
        "coverage": _coverage_json(report.coverage),
    }


def _cases_markdown(report: CaseReport, ruleset: Ruleset) -> str:
    lines = [f"# Cases of {_md_code(report.ruleset)}", ""]
    rows = []
    for r in report.results:
        status = "pass" if r.passed else "**FAIL**"
        rows.append([_md_code(r.case.id), status, _md(str(r.decision.verdict)),
                     _md("; ".join(_mismatch_lines(r)))])
    lines += _md_table(["case", "result", "verdict", "mismatch"], rows) if rows else ["No cases."]
    lines += ["", f"{_plural(len(report.results), 'case')}: {report.passed} passed, "
              f"{report.failed} failed.", ""]
    c = report.coverage
    lines += [f"**Coverage** {c.percent:.1f}% — {len(c.exercised_rules)}/{len(c.rules)} rules "
              f"exercised, {len(c.covered_claims)}/{len(c.claims)} provision claims covered.", ""]
    if c.unexercised_rules:
        lines += ["Rules not exercised: " + ", ".join(_md_code(x) for x in c.unexercised_rules),
                  ""]
    if c.uncovered_claims:
        lines += ["Provision claims not covered: "
                  + ", ".join(_md_code(x) for x in c.uncovered_claims), ""]
    for r in report.results:
        if not r.passed:
            lines += [f"## Failed: {_md_code(r.case.id)}", ""]
            lines += [f"- {_md(m)}" for m in _mismatch_lines(r)] + [""]
            body = rmarkdown.render_decision(r.decision, ruleset).rstrip("\n")
            lines += [("#" + x if x.startswith("#") else x) for x in body.splitlines()] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


# --- lint ----------------------------------------------------------------------------------------


def render_lint(findings: Sequence[Finding], fmt: str) -> str:
    """Lint findings as text (`file:line:col: severity: message [code]`), JSON, Markdown, CSV,
    or GitHub workflow commands (`::warning file=F,line=L,col=C,title=CODE::message`; info
    findings become `::notice`).

    CLI: `claimrules lint RULESET [--format text|json|markdown|csv|github]`; exit 1 when a
    finding of severity error or warning is present.
    """
    if fmt == "text":
        return _lint_text(findings)
    if fmt == "json":
        return _dumps(_lint_json(findings))
    if fmt == "markdown":
        return _lint_markdown(findings)
    if fmt == "csv":
        return _csv(["file", "line", "col", "severity", "code", "message", "rules"],
                    ([f.span.file, f.span.line, f.span.col, str(f.severity), f.code, f.message,
                      " ".join(f.rules)] for f in findings))
    if fmt == "github":
        return "".join(_github(f) + "\n" for f in findings)
    raise _unknown(fmt, LINT_FORMATS)


def _counts(findings: Sequence[Finding]) -> dict[str, int]:
    return {str(s): sum(f.severity is s for f in findings) for s in Severity}


def _summary(findings: Sequence[Finding]) -> str:
    if not findings:
        return "no findings"
    c = _counts(findings)
    return (f"{_plural(len(findings), 'finding')}: {_plural(c['error'], 'error')}, "
            f"{_plural(c['warning'], 'warning')}, {c['info']} info")


def _lint_text(findings: Sequence[Finding]) -> str:
    lines = []
    for f in findings:
        lines.append(f"{f.span}: {f.severity}: {f.message} [{f.code}]")
        if f.help:
            lines.append(f"  help: {f.help}")
    lines.append(_summary(findings))
    return "\n".join(lines) + "\n"


def _lint_json(findings: Sequence[Finding]) -> dict[str, Any]:
    return {
        "schema_version": rjson.SCHEMA_VERSION,
        "kind": "lint",
        "findings": [
            {
                "code": f.code,
                "severity": str(f.severity),
                "message": f.message,
                "file": f.span.file,
                "line": f.span.line,
                "col": f.span.col,
                "help": f.help,
                "rules": list(f.rules),
                "region": _region_json(f.region) if f.region is not None else None,
            }
            for f in findings
        ],
        "summary": _counts(findings),
        "partial": any(f.code == "partial-analysis" for f in findings),
    }


def _lint_markdown(findings: Sequence[Finding]) -> str:
    lines = ["# Lint findings", ""]
    if findings:
        lines += _md_table(
            ["severity", "code", "where", "finding"],
            ([str(f.severity), _md_code(f.code), _md_code(str(f.span)), _md(f.message)]
             for f in findings),
        )
        lines.append("")
    lines.append(_summary(findings) + ".")
    return "\n".join(lines) + "\n"


def _github(f: Finding) -> str:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(f.severity, "notice")
    return escape.github_command(level, f.message, file=f.span.file, line=f.span.line,
                                 col=f.span.col, title=f.code)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


# --- table ---------------------------------------------------------------------------------------


def render_table(table: Table, fmt: str, ruleset: Ruleset, *, width: int | None = None) -> str:
    """A decision table: one column per fact some row constrains (`*` = any value), the
    verdict and the deciding rules; text (aligned columns), CSV, Markdown or JSON.

    CLI: `claimrules table RULESET [--as-of D] [--known-by D] [--source ID ...]
    [--format text|csv|markdown|json]`.
    """
    if fmt == "text":
        return _table_text(table, ruleset, width)
    if fmt == "csv":
        return _csv([*table.facts, "verdict", "deciding_rules"],
                    ([*_row_values(table, r.cells, "|"), str(r.verdict), " ".join(r.deciding_rules)]
                     for r in table.rows))
    if fmt == "markdown":
        return _table_markdown(table, ruleset)
    if fmt == "json":
        return _dumps(_table_json(table))
    raise _unknown(fmt, TABLE_FORMATS)


def _row_values(table: Table, cells: Sequence[Cell], sep: str) -> list[str]:
    by_fact = {c.fact: c for c in cells}
    out = []
    for f in table.facts:
        c = by_fact.get(f)
        if c is None:
            out.append(ANY)
        elif c.intervals:
            out.append(c.value_text())
        else:
            out.append(sep.join(show_value(v) for v in c.values))
    return out


def _context(as_of: date | None, known_by: date | None, sources: Sequence[str] | None) -> str:
    parts = [f"as of {as_of}" if as_of
             else "at no particular date (every reported rule counts at once)"]
    if known_by:
        parts.append(f"known by {known_by}")
    if sources:
        parts.append("according to " + ", ".join(sources))
    return "; ".join(parts)


def _left_out(count: int) -> str:
    return (f"{_plural(count, 'impossible scenario')} of the grid left out: they break a "
            "constraint of the vocabulary")


def _table_text(table: Table, ruleset: Ruleset, width: int | None = None) -> str:
    """Aligned columns when they fit in `width` (None: any width); else one block per row,
    transposed: the verdict and deciding rules, then the facts the row constrains, wrapped."""
    context = _context(table.as_of, table.known_by, table.sources)
    head = [
        f"Decision table of {ruleset.id}, as reported — {context}",
        f"{_plural(len(table.rows), 'row')} from "
        f"{_plural(table.leaves, 'explored box', 'explored boxes')}; {ANY} = any value",
    ]
    if not table.complete:
        head.append("PARTIAL: the fact space was too large to explore completely; rows cover "
                    "only the explored part")
    if table.left_out:
        head.append(_left_out(table.left_out))
    header = [*table.facts, "verdict", "deciding rules"]
    body = [[*_row_values(table, r.cells, "|"), str(r.verdict), ", ".join(r.deciding_rules) or "—"]
            for r in table.rows]
    widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h)
              for i, h in enumerate(header)]
    if width is not None and sum(widths) + 2 * (len(widths) - 1) > width:
        wrapped = [w for h in head for w in textwrap.wrap(h, width=max(width, 40))]
        return "\n".join([*wrapped, *_table_records(table, width)]) + "\n"
    lines = [*head, ""]
    lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
              for row in body]
    return "\n".join(lines) + "\n"


def _table_records(table: Table, width: int) -> list[str]:
    """The table transposed for a narrow terminal: per row, its verdict and deciding rules, then
    `fact=value` for each fact the row constrains (the others take any value)."""
    width = max(width, 40)
    lines = textwrap.wrap("(one block per row: the table is wider than the terminal; "
                          "--width 0 prints it as columns)", width=width)
    for i, r in enumerate(table.rows, start=1):
        values = _row_values(table, r.cells, "|")
        lines.append("")
        lines += textwrap.wrap(f"{i}. {str(r.verdict).upper()} — "
                               f"{', '.join(r.deciding_rules) or 'no deciding rule'}",
                               width=width, subsequent_indent="   ", break_on_hyphens=False)
        cells = [f"{f}={v}" for f, v in zip(table.facts, values, strict=True) if v != ANY]
        lines += textwrap.wrap(" · ".join(cells) or "any case", width=width,
                               initial_indent="   ", subsequent_indent="   ",
                               break_on_hyphens=False)
    return lines


def _table_markdown(table: Table, ruleset: Ruleset) -> str:
    lines = [f"# Decision table of {_md_code(ruleset.id)}, as reported", "",
             _md(_context(table.as_of, table.known_by, table.sources)) + ".", ""]
    if not table.complete:
        lines += ["**Partial:** the fact space was too large to explore completely.", ""]
    if table.left_out:
        lines += [_md(_left_out(table.left_out)), ""]
    rows = []
    for r in table.rows:
        values = _row_values(table, r.cells, ", ")
        rows.append([("any" if v == ANY else _md(v)) for v in values]
                    + [f"**{_md(str(r.verdict))}**",
                       ", ".join(_md_code(x) for x in r.deciding_rules) or "—"])
    lines += _md_table([_md_code(f) for f in table.facts] + ["verdict", "deciding rules"], rows)
    return "\n".join(lines) + "\n"


def _table_json(table: Table) -> dict[str, Any]:
    return {
        "schema_version": rjson.SCHEMA_VERSION,
        "kind": "table",
        "ruleset": table.ruleset,
        "as_of": _date(table.as_of),
        "known_by": _date(table.known_by),
        "sources": list(table.sources) if table.sources is not None else None,
        "complete": table.complete,
        "left_out_impossible": table.left_out,
        "facts": list(table.facts),
        "rows": [
            {
                "when": [_cell_json(c) for c in r.cells],
                "verdict": str(r.verdict),
                "as_reported": True,
                "deciding_rules": list(r.deciding_rules),
            }
            for r in table.rows
        ],
    }


# --- diff ----------------------------------------------------------------------------------------


def render_diff(diff: Diff, fmt: str, ruleset: Ruleset, *, summary: bool = False) -> str:
    """Verdict changes old → new: each region, its verdicts, the rules that entered and left
    the deciding set, and the claims (source, date, quote) behind those rules.

    `ruleset` is the new side (used for labels only). CLI: `claimrules diff RULESET
    [RULESET_B] [--as-of D [--as-of D]] [--known-by D [--known-by D]] [--source ID ...]
    [--format text|json|markdown]`.
    """
    if fmt == "text":
        return _diff_summary(diff) if summary else _diff_text(diff)
    if fmt == "json":
        return _dumps(_diff_json(diff))
    if fmt == "markdown":
        return _diff_markdown(diff)
    raise _unknown(fmt, DIFF_FORMATS)


def _side(name: str, as_of: date | None, known_by: date | None) -> str:
    parts = [name, f"as of {as_of}" if as_of else "no date asked"]
    if known_by:
        parts.append(f"known by {known_by}")
    return " ".join(parts[:1]) + " (" + ", ".join(parts[1:]) + ")"


def _diff_title(diff: Diff) -> str:
    return (f"{_side(diff.ruleset_a, diff.as_of_a, diff.known_by_a)} → "
            f"{_side(diff.ruleset_b, diff.as_of_b, diff.known_by_b)}"
            + (f", according to {', '.join(diff.sources)}" if diff.sources else ""))


def _behind(diff: Diff) -> list[tuple[str, str, str, tuple[CitedClaim, ...]]]:
    """Each rule entering or leaving somewhere: (direction, rule, effect, claims), once."""
    seen: dict[tuple[str, str], tuple[str, str, str, tuple[CitedClaim, ...]]] = {}
    for c in diff.changes:
        for direction, changes in (("entered", c.entered), ("left", c.left)):
            for rc in changes:
                seen.setdefault((direction, rc.rule), (direction, rc.rule, str(rc.effect),
                                                       rc.claims))
    return sorted(seen.values(), key=lambda x: (x[0] != "entered", x[1]))


def _claim_line(c: CitedClaim) -> str:
    when = c.reported_on.isoformat() if c.reported_on else "undated"
    return f"{c.id} · {c.source} · {when}"


def _diff_summary(diff: Diff) -> str:
    """The changes in short: per kind of change (old → new verdict), how many regions, and the
    rules that entered and left the deciding set; no regions or quotes."""
    lines = [f"Verdict changes, as reported: {_diff_title(diff)}"]
    if not diff.complete:
        lines.append("PARTIAL: the fact space was too large to explore completely")
    if not diff.changes:
        lines.append("no verdict changes")
        return "\n".join(lines) + "\n"
    lines.append(f"{diff.changed_cells} of {diff.total_cells} cases of the explored grid change "
                 f"verdict, in {_plural(len(diff.changes), 'region')}")
    kinds: dict[tuple[str, str], list[Any]] = {}
    for c in diff.changes:
        kinds.setdefault((str(c.before), str(c.after)), []).append(c)
    for (before, after), changes in kinds.items():
        lines += ["", f"{before} → {after}: {_plural(len(changes), 'region')}"]
        for label, attr in (("entered: ", "entered"), ("left:    ", "left")):
            seen: dict[str, str] = {}
            for c in changes:
                for r in getattr(c, attr):
                    seen.setdefault(r.rule, f"{r.effect} {r.rule}")
            if seen:
                lines += textwrap.wrap(label + ", ".join(seen.values()), width=96,
                                       initial_indent="   ", subsequent_indent="            ",
                                       break_on_hyphens=False)
    lines += ["", "Without --summary: each region, and the quotes behind each change."]
    return "\n".join(lines) + "\n"


def _diff_text(diff: Diff) -> str:
    lines = [f"Verdict changes, as reported: {_diff_title(diff)}"]
    if not diff.complete:
        lines.append("PARTIAL: the fact space was too large to explore completely")
    if diff.left_out:
        lines.append(_left_out(diff.left_out))
    if not diff.changes:
        lines.append("no verdict changes")
        return "\n".join(lines) + "\n"
    lines.append(f"{diff.changed_cells} of {diff.total_cells} cases of the explored grid change "
                 f"verdict, in {_plural(len(diff.changes), 'region')}")
    for i, c in enumerate(diff.changes, start=1):
        lines.append("")
        lines.append(f"{i}. {c.before} → {c.after}")
        lines += textwrap.wrap(f"where: {c.region}", width=96, initial_indent="   ",
                               subsequent_indent="          ")
        for label, rules in (("entered: ", c.entered), ("left:    ", c.left)):
            if rules:
                lines += textwrap.wrap(label + ", ".join(f"{r.effect} {r.rule}" for r in rules),
                                       width=96, initial_indent="   ",
                                       subsequent_indent="            ", break_on_hyphens=False)
    lines += ["", "Claims behind the changes"]
    for direction, rule, effect, claims in _behind(diff):
        lines.append(f"  {direction:<7}  {effect:<8}  {rule}")
        for cl in claims:
            lines.append(f"      {_claim_line(cl)}")
            lines += textwrap.wrap(f"“{cl.quote}”", width=92, initial_indent="        ",
                                   subsequent_indent="         ")
    return "\n".join(lines) + "\n"


def _diff_json(diff: Diff) -> dict[str, Any]:
    def rule(rc: Any) -> dict[str, Any]:
        return {"rule": rc.rule, "effect": str(rc.effect),
                "claims": [rjson.cited_claim(c) for c in rc.claims]}

    return {
        "schema_version": rjson.SCHEMA_VERSION,
        "kind": "diff",
        "old": {"ruleset": diff.ruleset_a, "as_of": _date(diff.as_of_a),
                "known_by": _date(diff.known_by_a)},
        "new": {"ruleset": diff.ruleset_b, "as_of": _date(diff.as_of_b),
                "known_by": _date(diff.known_by_b)},
        "sources": list(diff.sources) if diff.sources is not None else None,
        "complete": diff.complete,
        "changed_cells": diff.changed_cells,
        "total_cells": diff.total_cells,
        "left_out_impossible": diff.left_out,
        "changes": [
            {
                "region": _region_json(c.region),
                "before": str(c.before),
                "after": str(c.after),
                "entered": [rule(r) for r in c.entered],
                "left": [rule(r) for r in c.left],
            }
            for c in diff.changes
        ],
    }


def _diff_markdown(diff: Diff) -> str:
    lines = ["# Verdict changes, as reported", "", _md(_diff_title(diff)) + ".", ""]
    if not diff.complete:
        lines += ["**Partial:** the fact space was too large to explore completely.", ""]
    if diff.left_out:
        lines += [_md(_left_out(diff.left_out)), ""]
    if not diff.changes:
        return "\n".join([*lines, "No verdict changes."]) + "\n"
    lines += [f"{diff.changed_cells} of {diff.total_cells} cases of the explored grid change "
              "verdict.", ""]
    rows = [[_md(str(c.region)), f"{_md(str(c.before))} → **{_md(str(c.after))}**",
             ", ".join(_md_code(r.rule) for r in c.entered) or "—",
             ", ".join(_md_code(r.rule) for r in c.left) or "—"] for c in diff.changes]
    lines += _md_table(["where", "verdict", "entered", "left"], rows)
    lines += ["", "## Claims behind the changes", ""]
    for direction, rule, effect, claims in _behind(diff):
        lines.append(f"- {direction}: {effect} {_md_code(rule)}")
        for cl in claims:
            lines.append(f"  - {_md_code(cl.id)} ({_md(cl.source)}, "
                         f"{cl.reported_on.isoformat() if cl.reported_on else 'undated'}): "
                         f"“{_md(cl.quote)}”")
    return "\n".join(lines) + "\n"


# --- timeline ------------------------------------------------------------------------------------


def render_timeline(tl: Timeline, fmt: str, ruleset: Ruleset) -> str:
    """The timeline: dated claims oldest first by source, undated claims apart, and each
    rule's period (stated or derived); text, JSON or Markdown.

    CLI: `claimrules timeline RULESET [--format text|json|markdown]`.
    """
    if fmt == "text":
        return _timeline_text(tl)
    if fmt == "json":
        return _dumps(_timeline_json(tl))
    if fmt == "markdown":
        return _timeline_markdown(tl)
    raise _unknown(fmt, TIMELINE_FORMATS)


def _day_head(day: SourceDay) -> str:
    return f"{day.source} · {day.outlet or '(outlet unknown)'}"


def _period_text(start: date | None, until: date | None) -> str:
    return rtext.dates_text(start, until)


def _rule_period_note(p: Any) -> str:
    if p.stated:
        return "stated: " + " ".join(p.period.basis.split())
    if p.period.derived_from:
        return f"derived from {p.period.derived_from}"
    return "undated: none of its claims carries a date"


def _timeline_claims(day: SourceDay, indent: str) -> list[str]:
    out = []
    for item in day.claims:
        c = item.claim
        tail = f"  → {', '.join(item.rules)}" if item.rules else ""
        out.append(f"{indent}{c.id}  [{c.kind} · {c.modality}]{tail}")
        if item.states_period:
            out.append(f"{indent}  states a period: "
                       f"{_period_text(item.effective_from, item.effective_until)}")
        out += textwrap.wrap(f"“{c.quote}”", width=96, initial_indent=indent + "  ",
                             subsequent_indent=indent + "   ")
    return out


def _timeline_text(tl: Timeline) -> str:
    lines = [f"Timeline of {tl.ruleset}, as reported", ""]
    starts: dict[date, list[Any]] = {}
    for p in tl.rules:
        if p.period.start is not None:
            starts.setdefault(p.period.start, []).append(p)
    # One list in date order: each source's day of claims, and each rule start on a date no
    # claim carries (a stated period), so no entry is printed after a later one.
    entries: list[tuple[date, int, SourceDay | None]] = [
        (day.date, 0, day) for day in tl.dated if day.date is not None
    ]
    claim_days = {day.date for day in tl.dated}
    entries += [(d, 1, None) for d in starts if d not in claim_days]
    shown: set[date] = set()
    for d, _, entry in sorted(entries, key=lambda e: (e[0], e[1])):
        if entry is None:
            lines.append(f"{d}  (no dated claim)")
            lines += [f"    ▶ {p.effect} {p.rule} in force from {d}" for p in starts[d]] + [""]
            continue
        lines.append(f"{d}  {_day_head(entry)}")
        lines += _timeline_claims(entry, "    ")
        if d in starts and d not in shown:
            shown.add(d)
            for p in starts[d]:
                lines.append(f"    ▶ {p.effect} {p.rule} in force from {d}")
        lines.append("")
    if tl.undated:
        lines.append("Undated claims")
        for day in tl.undated:
            lines.append(f"  {_day_head(day)}")
            lines += _timeline_claims(day, "    ")
        lines.append("")
    lines.append("Rule periods")
    width = max((len(p.rule) for p in tl.rules), default=0)
    for p in tl.rules:
        lines.append(f"  {p.effect:<8}  {p.rule:<{width}}  "
                     f"{_period_text(p.period.start, p.period.until)}")
        pad = " " * (14 + width)
        lines += textwrap.wrap(_rule_period_note(p), width=96, initial_indent=pad,
                               subsequent_indent=pad)
    if tl.changes:
        changes = ", ".join(d.isoformat() for d in tl.changes)
        lines += ["", f"The rules in force change on {changes}"]
    return "\n".join(lines) + "\n"


def _day_json(day: SourceDay) -> dict[str, Any]:
    return {
        "date": _date(day.date),
        "source": day.source,
        "outlet": day.outlet,
        "title": day.title,
        "claims": [
            {
                **rjson.cited_claim(i.claim),
                "effective": ({"from": _date(i.effective_from), "until": _date(i.effective_until)}
                              if i.states_period else None),
                "rules": list(i.rules),
            }
            for i in day.claims
        ],
    }


def _timeline_json(tl: Timeline) -> dict[str, Any]:
    return {
        "schema_version": rjson.SCHEMA_VERSION,
        "kind": "timeline",
        "ruleset": tl.ruleset,
        "dated": [_day_json(d) for d in tl.dated],
        "undated": [_day_json(d) for d in tl.undated],
        "rules": [
            {
                "rule": p.rule,
                "effect": str(p.effect),
                "title": p.title,
                "from": _date(p.period.start),
                "until": _date(p.period.until),
                "stated": p.stated,
                "basis": p.period.basis,
                "derived_from": p.period.derived_from,
            }
            for p in tl.rules
        ],
        "changes": [d.isoformat() for d in tl.changes],
    }


def _timeline_markdown(tl: Timeline) -> str:
    lines = [f"# Timeline of {_md_code(tl.ruleset)}, as reported", ""]

    def claims(day: SourceDay) -> list[str]:
        out = []
        for i in day.claims:
            c = i.claim
            rules = f" → {', '.join(_md_code(r) for r in i.rules)}" if i.rules else ""
            out.append(f"- {_md_code(c.id)} ({c.kind}, {c.modality}){rules}: “{_md(c.quote)}”")
        return out

    for day in tl.dated:
        lines += [f"## {day.date} — {_md(day.source)} ({_md(day.outlet or 'outlet unknown')})", ""]
        lines += [*claims(day), ""]
    if tl.undated:
        lines += ["## Undated claims", ""]
        for day in tl.undated:
            lines += [f"### {_md(day.source)} ({_md(day.outlet or 'outlet unknown')})", ""]
            lines += [*claims(day), ""]
    lines += ["## Rule periods", ""]
    lines += _md_table(
        ["rule", "effect", "period", "basis"],
        ([_md_code(p.rule), str(p.effect), _md(_period_text(p.period.start, p.period.until)),
          _md(_rule_period_note(p))] for p in tl.rules),
    )
    return "\n".join(lines) + "\n"


__all__ = [
    "CASE_FORMATS",
    "DIFF_FORMATS",
    "LINT_FORMATS",
    "TABLE_FORMATS",
    "TIMELINE_FORMATS",
    "render_cases",
    "render_diff",
    "render_lint",
    "render_table",
    "render_timeline",
]
