"""Seeded weight initialisers: the same seed always gives the same network."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from mlpsim.core.errors import ValidationError
from mlpsim.core.limits import DEFAULT_LIMITS, Limits
from mlpsim.core.network import Layer, Network

# Each maps (generator, n_in, n_out) to an (n_in, n_out) weight matrix.
INITIALIZERS: dict[str, Callable[[np.random.Generator, int, int], np.ndarray]] = {
    "zeros": lambda rng, n_in, n_out: np.zeros((n_in, n_out)),
    "uniform": lambda rng, n_in, n_out: rng.uniform(-1.0, 1.0, (n_in, n_out)),
    "xavier": lambda rng, n_in, n_out: rng.uniform(-1.0, 1.0, (n_in, n_out)) * np.sqrt(6.0 / (n_in + n_out)),
    "he": lambda rng, n_in, n_out: rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out)),
}


def initialized_network(
    layer_sizes: Sequence[int],
    activations: Sequence[str] | str = "relu",
    initializer: str = "xavier",
    seed: int = 0,
    limits: Limits = DEFAULT_LIMITS,
) -> Network:
    """A network of ``layer_sizes`` (input first) with seeded weights, zero biases and zero input.

    ``activations`` is one name per weighted layer, or one name for all of them.
    """
    limits.check_sizes(list(layer_sizes))
    if initializer not in INITIALIZERS:
        raise ValidationError(f"unknown initialiser {initializer!r}; choose one of {', '.join(INITIALIZERS)}")
    count = len(layer_sizes) - 1
    names = [activations] * count if isinstance(activations, str) else list(activations)
    if len(names) != count:
        raise ValidationError(f"activations: expected {count} names, got {len(names)}")
    rng = np.random.default_rng(seed)
    layers = [
        Layer(weights=INITIALIZERS[initializer](rng, n_in, n_out), bias=np.zeros(n_out), activation=name)
        for n_in, n_out, name in zip(layer_sizes, layer_sizes[1:], names)
    ]
    return Network(input_size=layer_sizes[0], layers=tuple(layers), limits=limits)
