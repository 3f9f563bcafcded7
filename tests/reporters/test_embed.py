"""JSON embedded in HTML script elements stays inert whatever a ruleset's strings hold."""

from __future__ import annotations

import json

import pytest

from claimrules.reporters.embed import script_element, script_json

HOSTILE = ["</script><script>alert(1)</script>", "<!-- x", "a\u2028b\u2029c", "&amp; >"]


@pytest.mark.parametrize("text", HOSTILE)
def test_script_json_cannot_close_or_comment_the_script(text: str) -> None:
    out = script_json({"quote": text})
    assert "<" not in out and ">" not in out and "\u2028" not in out and "\u2029" not in out
    assert json.loads(out) == {"quote": text}


def test_script_element_holds_one_script() -> None:
    out = script_element({"q": HOSTILE[0]}, "application/ld+json")
    assert out.count("</script") == 1 and out.endswith("</script>")
