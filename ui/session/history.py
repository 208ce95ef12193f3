"""Undo and redo: the session's earlier and later states, as immutable values (no Streamlit).

A state is a ``Snapshot``: the network and the starting point it belongs to. Networks are
immutable and an edit shares every layer it did not touch, so a snapshot costs only the arrays
its change made. The history is bounded twice: by a number of steps, and by the bytes of the
distinct arrays it alone keeps alive (one edit of a 1000×1000 matrix is 8 MB; fifty of them
would be 400 MB for one session).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlpsim.core.network import Network

MAX_STEPS = 50
"""Changes that can be undone; older ones are forgotten first."""

MAX_BYTES = 64_000_000
"""Bytes of array data the undo steps may hold between them (arrays shared by several
snapshots, or with the current network, count once)."""


@dataclass(frozen=True, eq=False)
class Snapshot:
    """What the page shows: ``network``, opened from starting point ``source``."""

    source: str
    network: Network


@dataclass(frozen=True, eq=False)
class Step:
    """A snapshot to go back (or forward) to, and what the change between it and its
    neighbour did, for the button's tooltip ("resized Hidden 1")."""

    snapshot: Snapshot
    label: str


@dataclass(frozen=True)
class History:
    """``past``: oldest first, the last one is what Undo restores; ``future``: the first one is
    what Redo restores. The current snapshot is not in either."""

    past: tuple[Step, ...] = ()
    future: tuple[Step, ...] = ()

    def recorded(self, before: Snapshot, label: str, current: Network) -> History:
        """The history after a new change (``label``) left ``before`` for the network
        ``current``: ``before`` can be undone to, and nothing can be redone any more."""
        return History(_bounded((*self.past, Step(before, label)), current), ())

    def undone(self, current: Snapshot) -> tuple[Snapshot, History]:
        """(the snapshot to show, the history after Undo). Requires ``self.past``."""
        step = self.past[-1]
        return step.snapshot, History(self.past[:-1], (Step(current, step.label), *self.future))

    def redone(self, current: Snapshot) -> tuple[Snapshot, History]:
        """(the snapshot to show, the history after Redo). Requires ``self.future``."""
        step = self.future[0]
        past = _bounded((*self.past, Step(current, step.label)), step.snapshot.network)
        return step.snapshot, History(past, self.future[1:])


def network_arrays(network: Network):
    """Every array of ``network``: input values, then each layer's weights and bias."""
    yield network.input_values
    for layer in network.layers:
        yield layer.weights
        yield layer.bias


def _bounded(steps: tuple[Step, ...], current: Network) -> tuple[Step, ...]:
    """The newest steps that fit MAX_STEPS and MAX_BYTES; the newest one is always kept, so the
    last change can be undone however big. Arrays the current network also holds cost nothing:
    forgetting the step would not free them."""
    kept: list[Step] = []
    seen = {id(array) for array in network_arrays(current)}
    total = 0
    for step in reversed(steps[-MAX_STEPS:]):
        fresh = [array for array in network_arrays(step.snapshot.network) if id(array) not in seen]
        cost = sum(array.nbytes for array in fresh)
        if kept and total + cost > MAX_BYTES:
            break
        seen.update(id(array) for array in fresh)
        total += cost
        kept.append(step)
    return tuple(reversed(kept))
