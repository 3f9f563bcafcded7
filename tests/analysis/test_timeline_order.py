"""`timeline` lists entries in date order, undated ones last, in every format (a property)."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from claimrules import load_ruleset
from claimrules.analysis.timeline import timeline
from claimrules.reporters.analysis import TIMELINE_FORMATS, render_timeline

DAY0 = date(2024, 1, 1)
DATED_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})  ")
MD_DATED = re.compile(r"^## (\d{4}-\d{2}-\d{2}) ")

#: Each source: its published day offset (None: undated), and a stated start offset for its
#: rule (None: the rule's period is derived from the claim's date, or undated).
SOURCES = st.lists(
    st.tuples(st.one_of(st.none(), st.integers(0, 400)), st.one_of(st.none(), st.integers(0, 400))),
    min_size=1,
    max_size=6,
)


def _day(offset: int) -> str:
    return (DAY0 + timedelta(days=offset)).isoformat()


def _write(root: Path, spec: list[tuple[int | None, int | None]]) -> None:
    (root / "archive").mkdir()
    (root / "claims").mkdir()
    (root / "rules").mkdir()
    (root / "ruleset.yaml").write_text(
        "id: order\ntitle: Order\nfacts:\n  - name: actor\n    type: enum\n    values: [a, b]\n"
        "    description: Who.\n    question: Who?\n", encoding="utf-8")
    sources, claims, rules = ["sources:"], ["claims:"], ["rules:"]
    for i, (published, start) in enumerate(spec):
        text = f"Statement number {i} says the party may act.\n".encode()
        (root / "archive" / f"s{i}.txt").write_bytes(text)
        sources += [f"  - id: s{i}", f"    outlet: Outlet {i}",
                    f"    published: {_day(published) if published is not None else 'null'}",
                    f"    archive: {{file: archive/s{i}.txt, sha256: "
                    f"{hashlib.sha256(text).hexdigest()}, content: full}}"]
        claims += [f"  - {{id: c{i}, source: s{i}, quote: 'Statement number {i} says',"
                   " kind: provision, modality: asserted}"]
        rules += [f"  - id: r{i}", "    effect: permit", "    when: {fact: actor, is: a}",
                  f"    because: [c{i}]", "    note: toy."]
        if start is not None:
            rules.append(f"    effective: {{from: {_day(start)}, basis: stated for the test}}")
    (root / "sources.yaml").write_text("\n".join(sources) + "\n", encoding="utf-8")
    (root / "claims" / "c.yaml").write_text("\n".join(claims) + "\n", encoding="utf-8")
    (root / "rules" / "r.yaml").write_text("\n".join(rules) + "\n", encoding="utf-8")


def _before(lines: list[str], marker: str) -> list[str]:
    return lines[: lines.index(marker)] if marker in lines else lines


@settings(max_examples=40)
@given(SOURCES)
def test_timeline_is_in_date_order_in_every_format(
    spec: list[tuple[int | None, int | None]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "order"
        root.mkdir()
        _write(root, spec)
        rs = load_ruleset(root)
    tl = timeline(rs)
    periods = [(p.period.start, p.period.until) for p in tl.rules]
    undated = [s is None and u is None for s, u in periods]
    assert undated == sorted(undated), "undated rule periods come last"
    starts = [s or date.min for (s, _), u in zip(periods, undated, strict=True) if not u]
    assert starts == sorted(starts)
    for fmt in TIMELINE_FORMATS:
        out = render_timeline(tl, fmt, rs)
        if fmt == "json":
            data = json.loads(out)
            days = [d["date"] for d in data["dated"]]
            assert None not in days and days == sorted(days)
            assert all(d["date"] is None for d in data["undated"])
            assert [r["rule"] for r in data["rules"]] == [p.rule for p in tl.rules]
            continue
        lines = out.splitlines()
        if fmt == "text":
            head = _before(_before(lines, "Undated claims"), "Rule periods")
            days = [m.group(1) for line in head if (m := DATED_LINE.match(line))]
            assert days == sorted(days)
            dated_rules = {p.rule for p, u in zip(tl.rules, undated, strict=True) if not u}
            rule_lines = lines[lines.index("Rule periods") + 1:]
            order = [line.split()[1] for line in rule_lines if line.startswith("  ") and
                     line.split() and line.split()[0] in ("permit", "prohibit")]
            assert order == [p.rule for p in tl.rules]
            assert all(r in dated_rules for r in order[: len(dated_rules)])
        else:
            assert fmt == "markdown"
            head = _before(lines, "## Undated claims")
            head = _before(head, "## Rule periods")
            days = [m.group(1) for line in head if (m := MD_DATED.match(line))]
            assert days == sorted(days)
            assert not any(MD_DATED.match(line) for line in lines[len(head):])
