"""`collector.paused`: a one-shot command's own start-up (the cache's reader, the engine, the
decision) is made with the cyclic collector paused and then frozen (`freeze=True`), as
`__main__` does for the command line; the collector is left as it was, whatever happens
inside."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from claimrules.collector import paused


@pytest.fixture
def collector() -> Iterator[None]:
    was = gc.isenabled()
    yield
    gc.unfreeze()  # what the tests froze goes back to the collector
    (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("enabled", [True, False])
def test_paused_then_frozen_then_restored(collector: None, enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()
    before = gc.get_freeze_count()
    with paused(freeze=True):
        assert not gc.isenabled()
        made = [[index] for index in range(2000)]
    assert gc.isenabled() is enabled
    assert gc.get_freeze_count() >= before + len(made)  # left out of later collections


def test_restored_after_an_error(collector: None) -> None:
    gc.enable()
    with pytest.raises(KeyError), paused(freeze=True):
        raise KeyError("x")
    assert gc.isenabled()
