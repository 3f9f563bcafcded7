"""Data embedded in an HTML page: JSON inside a `<script>` element, inert whatever strings a
ruleset holds (no `</script>`, `<!--` or line separators survive as themselves)."""

from __future__ import annotations

import json

#: Characters written as JSON escapes inside a script element: `<` (so neither `</script` nor
#: `<!--` can appear), `>` and `&` (for good measure), and the two line separators JavaScript
#: once treated as line ends.
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
            "\u2029": "\\u2029"}


def script_json(obj: object, *, indent: int | None = None) -> str:
    """JSON text safe to place between `<script ...>` and `</script>`."""
    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def script_element(obj: object, kind: str, element_id: str | None = None) -> str:
    """A `<script type="KIND">` element holding `obj` as JSON (kind: `application/ld+json`,
    `application/json`)."""
    ident = f' id="{element_id}"' if element_id else ""
    return f'<script type="{kind}"{ident}>{script_json(obj, indent=1)}</script>'
