"""Batch evaluation as a library: lines read and resolved (`load.batch`), then decided through
`evaluate_many` (`engine.batch`), exactly as the Python API decides each scenario."""

from __future__ import annotations

import io
import json

from claimrules import evaluate
from claimrules.diagnostics import Diagnostic
from claimrules.engine.batch import evaluate_batch
from claimrules.load.batch import BadLine, Item, read_lines, resolve_lines

FACTS = {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia"}
LINES = [
    json.dumps({"facts": FACTS}),
    json.dumps({"facts": {**FACTS, "target_type": "military_unit"}, "as_of": "2024-06-15"}),
    json.dumps({"facts": {**FACTS, "target_type": "military_unit"}, "as_of": "2024-06-15"}),
    "",
    '"facts": {"actor": "ukraine"}, "known_by": "2024-06-01"',
    json.dumps({"facts": {"actr": "ukraine"}}),
    json.dumps({"facts": FACTS, "sources": ["no-such-source"]}),
    json.dumps({"facts": FACTS, "sources": []}),
    json.dumps({"facts": FACTS}),
]


def _resolved(shipped, text: str, **kw):
    lines = read_lines(io.BytesIO(text.encode("utf-8")), "b.jsonl")
    return list(resolve_lines(lines, "b.jsonl", shipped.facts, shipped.sources, **kw))


def test_each_line_is_decided_as_evaluate_decides_it(shipped) -> None:
    items = _resolved(shipped, "\n".join(LINES) + "\n")
    outcomes = list(evaluate_batch(shipped, items))
    assert [o.number for o in outcomes] == [1, 2, 3, 5, 6, 7, 8, 9]  # the blank line skipped
    for outcome, line in zip(outcomes, [LINES[i] for i in (0, 1, 2, 4, 5, 6, 7, 8)],
                             strict=True):
        data = json.loads(line if line.startswith("{") else "{" + line + "}")
        try:
            expected: object = evaluate(shipped, data["facts"], as_of=data.get("as_of"),
                                        known_by=data.get("known_by"),
                                        sources=data.get("sources"), explain=False)
        except Exception as exc:  # the API's refusal is the batch's bad line
            expected = type(exc)
        if isinstance(outcome.answer, Diagnostic):
            assert isinstance(expected, type) and issubclass(expected, Exception), outcome
            assert outcome.answer.span.line == outcome.number
        else:
            assert outcome.answer == expected


def test_bad_lines_say_why_at_their_line(shipped) -> None:
    items = _resolved(shipped, "\n".join(LINES))
    bad = {i.number: i.problem.code for i in items if isinstance(i, BadLine)}
    assert bad == {6: "unknown-fact", 7: "unknown-source"}


def test_options_override_each_lines_reading(shipped) -> None:
    items = _resolved(shipped, json.dumps({"facts": FACTS, "sources": ["nope"]}),
                      sources=("biden-decision-article",))
    assert [type(i) for i in items] == [Item]
    assert items[0].scenario.sources == ("biden-decision-article",)
    (outcome,) = evaluate_batch(shipped, items, as_of=None)
    assert outcome.answer == evaluate(shipped, FACTS, sources=["biden-decision-article"],
                                      explain=False)
