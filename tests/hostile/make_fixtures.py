"""Generate the hostile fixtures that are big, binary or whitespace-sensitive.

Run `python tests/hostile/make_fixtures.py` to (re)write them next to this script
(or pass a directory). The small text fixtures in this folder are plain files.
The 5 MB oversize file is never committed: tests build it with `write_big_file`;
nor is the node bomb: tests build it with `write_node_bomb`.

`CLI_FIXTURES` go to the `cli/` subfolder: fixtures aimed at the model and CLI layers
(tests/load/test_hostile.py), kept apart from the YAML-level table of tests/load/test_yamlsafe.py.
"""

from __future__ import annotations

import itertools
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent

DEEP = 3000  # nesting levels for the deep fixtures
BLOCK_MAP_DEPTH = 100  # a block mapping needs indentation, so keep this one small


def alias_bomb() -> bytes:
    """The "billion laughs": 9 levels, each a list of 9 aliases to the level below."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    names = "abcdefghi"
    for below, name in itertools.pairwise(names):
        refs = ", ".join([f"*{below}"] * 9)
        lines.append(f"{name}: &{name} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


def deep_flow() -> bytes:
    """3000 nested flow sequences on one line."""
    return ("[" * DEEP + "]" * DEEP + "\n").encode()


def deep_block_seq() -> bytes:
    """3000 nested block sequences, written compactly (`- - - … x`)."""
    return ("- " * DEEP + "x\n").encode()


def deep_block_map() -> bytes:
    """A block mapping nested 100 deep (two spaces per level)."""
    lines = [f"{'  ' * level}k{level}:" for level in range(BLOCK_MAP_DEPTH)]
    lines.append("  " * BLOCK_MAP_DEPTH + "leaf: 1")
    return ("\n".join(lines) + "\n").encode()


FIXTURES: dict[str, bytes] = {
    "alias_bomb.yaml": alias_bomb(),
    "deep_flow.yaml": deep_flow(),
    "deep_block_seq.yaml": deep_block_seq(),
    "deep_block_map.yaml": deep_block_map(),
    # Latin-1 "café": the 0xe9 byte is not UTF-8 (line 2, column 13).
    "non_utf8.yaml": b"facts:\n  actor: caf\xe9\n",
    "nul_byte.yaml": b"facts:\n  actor: ukr\x00aine\n",
    # An ANSI escape sequence (ESC, U+001B).
    "control_char.yaml": b"facts:\n  actor: \x1b[31mukraine\x1b[0m\n",
    # U+0092 (a C1 control, typical of cp1252 text decoded as Latin-1), as UTF-8.
    "c1_control.yaml": b"facts:\n  actor: Ukraine\xc2\x92s forces\n",
    "bom.yaml": b"\xef\xbb\xbffacts:\n  actor: ukraine\n",
    "utf16.yaml": "facts:\n  actor: ukraine\n".encode("utf-16"),
    "tab_indent.yaml": b"facts:\n\tactor: ukraine\n",
    "crlf.yaml": b"facts:\r\n  actor: ukraine\r\n  distance_km: 12\r\n",
}


LONG_VALUE = 4000  # characters in the over-long value of `cli/long_value.yaml`


def long_value() -> bytes:
    """A 4000-character value where an enum value is expected."""
    return f"facts:\n  actor: {'x' * LONG_VALUE}\n".encode()


def long_value_rule() -> bytes:
    """A rule whose id (a slug of at most 120 characters) is 4000 characters long."""
    return (
        f"rules:\n  - id: {'x' * LONG_VALUE}\n    effect: permit\n"
        "    when: {fact: actor, is: ukraine}\n    because: [dw-go-ahead]\n    note: n\n"
    ).encode()


CLI_FIXTURES: dict[str, bytes] = {
    "long_value.yaml": long_value(),
    "long_value_rule.yaml": long_value_rule(),
}


def write_node_bomb(path: pathlib.Path, depth: int = 63, nodes: int = 199_900) -> pathlib.Path:
    """Write a file just inside the reader's limits (64 levels, 200,000 nodes) that makes it
    keep the most: `nodes` scalars at `depth`, each with a `depth`-long data path (~400 KB)."""
    path.write_text("[" * depth + "0," * (nodes - depth - 1) + "0" + "]" * depth + "\n",
                    encoding="utf-8")
    return path


def write_big_file(path: pathlib.Path, size: int = 5 * 1024 * 1024) -> pathlib.Path:
    """Write a valid YAML file of at least `size` bytes (a long list of claims)."""
    entry = (
        "  - id: filler-{n:07d}\n"
        "    source: dw-2024-05-30\n"
        '    quote: "US President Joe Biden has reportedly given the go-ahead."\n'
    )
    parts = ["claims:\n"]
    total = len(parts[0])
    n = 0
    while total < size:
        chunk = entry.format(n=n)
        parts.append(chunk)
        total += len(chunk)
        n += 1
    path.write_text("".join(parts), encoding="utf-8")
    return path


def write(directory: pathlib.Path = HERE) -> list[pathlib.Path]:
    """Write every generated fixture into `directory`; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in FIXTURES.items():
        target = directory / name
        target.write_bytes(data)
        written.append(target)
    return written


def write_cli(directory: pathlib.Path = HERE / "cli") -> list[pathlib.Path]:
    """Write every generated `cli/` fixture into `directory`; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in CLI_FIXTURES.items():
        target = directory / name
        target.write_bytes(data)
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    directory = pathlib.Path(argv[1]) if len(argv) > 1 else HERE
    for path in [*write(directory), *write_cli(directory / "cli")]:
        sys.stdout.write(f"wrote {path} ({path.stat().st_size} bytes)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
