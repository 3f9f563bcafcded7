"""JSON read, and JSON strings written, by the C accelerator `_json` that the `json` package
itself uses, called directly: the package's Python modules (its decoder, scanner and encoder,
and the regular expressions they compile at import) cost a cached `claimrules eval` about a
millisecond, for two calls. `loads` and `string` give exactly what `json.loads` and
`json.encoder.encode_basestring` give (tests/test_jsontext.py); where CPython has no `_json`
they are those functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast


class _Decoder:
    """What the C scanner reads from a `json.JSONDecoder()`: its default settings."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int

    @staticmethod
    def parse_constant(name: str) -> float:
        return {"NaN": float("nan"), "Infinity": float("inf"),
                "-Infinity": float("-inf")}[name]


_WHITESPACE = " \t\n\r"

string: Callable[[str], str]
_scan: Callable[[str, int], tuple[Any, int]] | None

try:
    from _json import encode_basestring as string
    from _json import make_scanner
except ImportError:  # pragma: no cover - a Python without the accelerator
    import json.encoder

    string = json.encoder.encode_basestring
    _scan = None
else:
    _scan = make_scanner(cast(Any, _Decoder()))


def loads(text: str) -> Any:
    """`json.loads(text)`: the value, or ValueError (`json.JSONDecodeError` where the scanner
    says where it stopped)."""
    if _scan is None:  # pragma: no cover
        import json  # noqa: PLC0415

        return json.loads(text)
    start = len(text) - len(text.lstrip(_WHITESPACE))
    try:
        value, end = _scan(text, start)
    except StopIteration:
        raise ValueError("Expecting value") from None
    if text[end:].strip(_WHITESPACE):
        raise ValueError("Extra data")
    return value
