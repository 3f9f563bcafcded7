"""Ctrl-C, told apart when the code it arrived in wrapped it in another exception."""

from __future__ import annotations


def interrupted_by(exc: BaseException) -> bool:
    """Whether Ctrl-C is behind an exception: a KeyboardInterrupt itself, or one that the code
    it arrived in wrapped, as Python does with one raised while a class is made (a
    RuntimeError from `__set_name__`, in an import). The causes and contexts are followed a
    bounded way."""
    seen: set[int] = set()
    at: BaseException | None = exc
    while at is not None and id(at) not in seen and len(seen) < 100:
        if isinstance(at, KeyboardInterrupt):
            return True
        seen.add(id(at))
        at = at.__cause__ or at.__context__
    return False
