"""Every cache the UI keeps for all sessions, declared here with its size and the reason for it.

The UI caches pure functions of immutable values only: a Network and its Layers hash by identity
and are never changed, so a cached diagram or text can never be stale, and a preset's object is
shared by every session (ui/session/state.py), so its entries are made once per process, not per visitor.
Each cache is bounded: the sizes say how many entries a few busy sessions reuse, times the entry's
weight. The cached functions stay beside their code and are wrapped with ``shared(CACHE)``.

mlpsim keeps its own per-Layer caches (mlpsim/render/edges.py and raster.py, LAYER_CACHE_SIZE),
each preset once (mlpsim/io/presets.py) and one room store per database (workshop/roomresults.py):
mlpsim never imports ui, so they are declared there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

Function = TypeVar("Function", bound=Callable[..., Any])


@dataclass(frozen=True)
class Cache:
    """One shared cache: at most ``size`` entries (None: unbounded, for a function of no argument)."""

    name: str
    size: int | None
    why: str


FORWARD_PASS = Cache(
    "forward pass",
    32,
    "by network: the Simulator's diagram, tables and neuron panel, the Workshop's step-through and "
    "every rerun read one pass; 32 networks are a few sessions' current and undo-able networks.",
)
SIMULATOR_DIAGRAM = Cache(
    "Simulator diagram",
    32,
    "by (network, forward pass, selected neuron, weights on edges): a rerun that changes none of "
    "them sends the same figure; a 784-128-64-10 diagram is ~2 MB, so 32 are ~64 MB at worst.",
)
STEP_FIGURE = Cache(
    "step-through diagram",
    32,
    "by (network, forward pass, step): Previous / Next and any rerun on the same step reuse the "
    "figure; 32 covers stepping back and forth over a layer or two in a few sessions.",
)
LAYER_TEXT = Cache(
    "layer as text",
    16,
    "by Layer: a 784×128 matrix written as text is ~100k strings (~6 MB, ~60 ms); an edit keeps "
    "the untouched layers, and 16 layers are a few networks' worth.",
)
DATASET = Cache(
    "built-in dataset and split",
    64,
    "by DataChoice (name, points, noise, test %, seed): datasets are small (≤ 1,800 rows) and "
    "generating the larger ones takes tens of ms; 64 choices cover the sliders' recent positions.",
)
DIGIT_TEST_IMAGES = Cache(
    "digit test images",
    None,
    "no argument: scikit-learn's digits split once (450 × 64 floats), the same for every session.",
)

CACHES = (FORWARD_PASS, SIMULATOR_DIAGRAM, STEP_FIGURE, LAYER_TEXT, DATASET, DIGIT_TEST_IMAGES)

_cached: dict[str, Any] = {}
"""Cache name → the wrapped function, for ``info`` and ``clear``."""


def shared(cache: Cache) -> Callable[[Function], Function]:
    """``functools.lru_cache`` of ``cache.size`` entries, shared by every session."""

    def wrap(function: Function) -> Function:
        assert cache.name not in _cached, f"two functions use the cache {cache.name!r}"
        wrapped = functools.lru_cache(maxsize=cache.size)(function)
        _cached[cache.name] = wrapped
        return wrapped  # type: ignore[return-value]  # lru_cache's wrapper keeps the call signature

    return wrap


def info() -> dict[str, functools._CacheInfo]:
    """Cache name → hits, misses, size now and maximum size."""
    return {name: function.cache_info() for name, function in _cached.items()}


def clear() -> None:
    for function in _cached.values():
        function.cache_clear()
