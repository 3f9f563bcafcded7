"""`claimrules review`: a statement rated against the reported policy, and its schema.org
ClaimReview, expanded offline with pyld and checked for what fact-check markup requires."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from claimrules.analysis.review import Rating, rate
from claimrules.engine.decision import Verdict
from claimrules.load.schema import json_schema
from claimrules.load.yamlsafe import parse_yaml
from conftest import ROOT, SHIPPED, run_main

STATEMENT = ROOT / "examples" / "statements" / "kharkiv-rockets.yaml"
SCHEMA_ORG = "https://schema.org/"

RATINGS = [
    ("permitted", Verdict.PERMITTED, Rating.ACCURATE),
    ("prohibited", Verdict.PROHIBITED, Rating.ACCURATE),
    ("contested", Verdict.CONTESTED, Rating.ACCURATE),
    ("not_addressed", Verdict.NOT_ADDRESSED, Rating.ACCURATE),
    ("permitted", Verdict.PROHIBITED, Rating.INACCURATE),
    ("prohibited", Verdict.PERMITTED, Rating.INACCURATE),
    ("contested", Verdict.PERMITTED, Rating.INACCURATE),
    ("not_addressed", Verdict.PROHIBITED, Rating.INACCURATE),
    ("permitted", Verdict.CONTESTED, Rating.DISPUTED),
    ("prohibited", Verdict.CONTESTED, Rating.DISPUTED),
    ("permitted", Verdict.NOT_ADDRESSED, Rating.NOT_SUPPORTED),
    ("contested", Verdict.NOT_ADDRESSED, Rating.NOT_SUPPORTED),
    ("permitted", Verdict.INDETERMINATE, Rating.CANNOT_BE_DETERMINED),
    ("not_addressed", Verdict.INDETERMINATE, Rating.CANNOT_BE_DETERMINED),
]


@pytest.mark.parametrize(("asserted", "verdict", "rating"), RATINGS)
def test_rating_table(asserted: str, verdict: Verdict, rating: Rating) -> None:
    assert rate(asserted, verdict) is rating


def test_every_rating_is_defined_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rating in Rating:
        assert f"**{rating}**" in readme, rating


def test_example_statement_matches_its_schema() -> None:
    doc = parse_yaml(STATEMENT.read_text(encoding="utf-8"), str(STATEMENT))
    assert not list(Draft202012Validator(json_schema("statement")).iter_errors(doc.data))


def _statement(tmp_path: Path, **changes: object) -> Path:
    doc = parse_yaml(STATEMENT.read_text(encoding="utf-8"), str(STATEMENT)).data
    assert isinstance(doc, dict)
    doc.update(changes)
    doc = {k: v for k, v in doc.items() if v is not None}
    out = tmp_path / "statement.json"
    out.write_text(json.dumps(doc, default=str), encoding="utf-8")
    return out


def test_review_text_and_json(monkeypatch, capsys) -> None:
    code, out, err = run_main(monkeypatch, capsys, "review", str(SHIPPED), str(STATEMENT))
    assert code == 0, err
    assert out.startswith("ACCURATE — the reporting gives the verdict the statement asserts")
    assert "PERMITTED — as reported" in out and "Why" in out
    code, out, _ = run_main(monkeypatch, capsys, "review", str(SHIPPED), str(STATEMENT),
                            "--format", "json")
    data = json.loads(out)
    assert data["rating"] == "accurate" and data["decision"]["verdict"] == "permitted"
    assert data["decision"]["claims"]


@pytest.mark.parametrize(("changes", "rating"), [
    ({"asserts": "prohibited"}, "inaccurate"),
    ({"facts": {"actor": "ukraine", "munitions_origin": "us", "target_location": "russia"},
      "as_of": "2024-11-20"}, "cannot be determined"),
    ({"facts": {"actor": "ukraine", "munitions_origin": "us", "target_location": "ukraine"}},
     "not supported by the reporting"),
])
def test_other_ratings_from_the_cli(tmp_path, monkeypatch, capsys, changes, rating) -> None:
    path = _statement(tmp_path, **changes)
    code, out, err = run_main(monkeypatch, capsys, "review", str(SHIPPED), str(path),
                              "--format", "json")
    assert code == 0, err
    assert json.loads(out)["rating"] == rating


def _no_fetching(url: str, options: object = None) -> object:
    raise AssertionError(f"pyld tried to fetch {url}")


def test_claim_review_expands_offline_with_every_required_property(monkeypatch, capsys) -> None:
    from pyld import jsonld

    code, out, err = run_main(monkeypatch, capsys, "review", str(SHIPPED), str(STATEMENT),
                              "--format", "jsonld")
    assert code == 0, err
    doc = json.loads(out)
    (node,) = jsonld.expand(doc, {"documentLoader": _no_fetching})

    def one(n: dict, prop: str) -> object:
        values = n[SCHEMA_ORG + prop]
        assert len(values) == 1, prop
        return values[0]

    def value(n: dict, prop: str) -> object:
        v = one(n, prop)
        assert isinstance(v, dict)
        return v.get("@value", v.get("@id"))

    assert node["@type"] == [SCHEMA_ORG + "ClaimReview"]
    # Google's fact-check markup: claimReviewed, reviewRating (alternateName), url; and the
    # author, datePublished and itemReviewed it recommends.
    assert value(node, "claimReviewed").startswith("By mid-June")
    assert value(node, "url") == "https://example.org/fact-checks/kharkiv-rockets"
    assert value(node, "datePublished") == "2024-06-21"
    author = one(node, "author")
    assert author["@type"] == [SCHEMA_ORG + "Organization"]
    assert value(author, "name") == "Example Fact Check Desk"
    rating = one(node, "reviewRating")
    assert value(rating, "alternateName") == "accurate"
    assert (value(rating, "ratingValue"), value(rating, "bestRating"),
            value(rating, "worstRating")) == (5, 5, 1)
    item = one(node, "itemReviewed")
    assert item["@type"] == [SCHEMA_ORG + "Claim"]
    assert value(one(item, "author"), "name") == "An Example Commentator"
    assert value(item, "datePublished") == "2024-06-20"
    assert value(one(item, "appearance"), "url") == "https://example.org/commentary/2024-06-20"
    cited = node[SCHEMA_ORG + "citation"]
    assert len(cited) >= 2
    assert all(c["@type"] == [SCHEMA_ORG + "NewsArticle"] for c in cited)


def test_claim_review_needs_author_url_and_date(tmp_path, monkeypatch, capsys) -> None:
    path = _statement(tmp_path, review=None)
    code, _, err = run_main(monkeypatch, capsys, "review", str(SHIPPED), str(path),
                            "--format", "jsonld")
    assert code == 2
    assert "error: a ClaimReview needs `author`, `url`, `date_published`" in err
    code, out, err = run_main(monkeypatch, capsys, "review", str(SHIPPED), str(path),
                              "--format", "jsonld", "--reviewer", "Desk", "--review-url",
                              "https://example.org/r", "--date-published", "2024-07-01")
    assert code == 0, err
    assert json.loads(out)["datePublished"] == "2024-07-01"


def test_bad_statement_files_are_input_errors(tmp_path, monkeypatch, capsys) -> None:
    path = _statement(tmp_path, asserts="allowed")
    code, _, err = run_main(monkeypatch, capsys, "review", str(SHIPPED), str(path))
    assert code == 2 and "statement.json:1:" in err and "`allowed` is not allowed" in err
    assert "Traceback" not in err
    path = _statement(tmp_path, facts={"actr": "ukraine"})
    code, _, err = run_main(monkeypatch, capsys, "review", str(SHIPPED), str(path))
    assert code == 2 and "actor" in err  # did-you-mean
