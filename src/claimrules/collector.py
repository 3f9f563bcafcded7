"""The cyclic garbage collector paused while many small, acyclic objects are made.

With a large ruleset in memory, each automatic collection walks all of it: compiling 10,000
rules, decoding a cached ruleset or sweeping the fact space would spend much of its time
there (measured: half of `lint`'s time at 100× the shipped ruleset). Reference counting still
frees everything as usual. One helper for every such place
(a context manager, and a decorator too)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused(*, freeze: bool = False) -> Iterator[None]:
    """The collector paused for the block, then restored as it was, whatever happens inside.

    `freeze`: what the block made is then frozen (`gc.freeze`: left out of every later
    collection), for objects that live until the process ends — a one-shot command's own
    start-up (the modules it imports, the ruleset it reads, the decision it prints), which
    each later collection would walk again, the first one after the pause all at once."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()
