"""Fair rounding: bounds on how far a learner who carries every product, z and a rounded to
CARRIED_DECIMALS can end up from the exact value, layer by layer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpsim.core.activations import REGISTRY
from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network

CARRIED_DECIMALS = 4
"""The learner carries every product, z and a to the next step with this many decimal places."""
CARRY_ERROR = 0.5 * 10.0**-CARRIED_DECIMALS
"""The most one rounding to CARRIED_DECIMALS changes a value."""


@dataclass(frozen=True)
class CarriedErrors:
    """Per weighted layer k (index k−1): bounds on |learner's value − exact value| for a learner
    who rounds every product, z and a to CARRIED_DECIMALS before using it again. ``products[k-1]``
    is (N_in, M) like W{k}; ``z[k-1]`` and ``a[k-1]`` are (M,)."""

    products: tuple[np.ndarray, ...]
    z: tuple[np.ndarray, ...]
    a: tuple[np.ndarray, ...]


def carried_errors(network: Network, result: ForwardResult) -> CarriedErrors:
    """Worst-case error propagation, layer by layer: a product w·x' is off by |w|·(x's error)
    plus its own rounding; z' = Σ products + b by the sum of those (a sum of 4-decimal numbers
    needs no rounding, and a learner who rounds z instead of each product rounds once, which the
    products' roundings already cover); a' = f(z') by f's steepest slope near z times z's error,
    plus its own rounding. A rounding adds CARRY_ERROR unless the value is exact at 4 decimals
    already (the input and weights have 1 decimal, so layer 1 is exact)."""
    products, zs, activations = [], [], []
    x_error = np.zeros(network.input_size)
    for k, layer in enumerate(network.layers):
        exact_products = layer.weights * result.values(k)[:, None]
        inherited = np.abs(layer.weights) * x_error[:, None]
        product_error = inherited + _rounding_error(exact_products, inherited)
        z, z_error = result.z[k], product_error.sum(axis=0)
        activation = REGISTRY[layer.activation]
        moved = activation.slope_bound(z - z_error, z + z_error) * z_error
        a_error = moved + np.where(
            activation.keeps_decimals(z - z_error, z + z_error), 0.0, _rounding_error(result.a[k], moved)
        )
        products.append(product_error)
        zs.append(z_error)
        activations.append(a_error)
        x_error = a_error
    return CarriedErrors(tuple(products), tuple(zs), tuple(activations))


def _rounding_error(exact: np.ndarray, inherited: np.ndarray) -> np.ndarray:
    """What rounding a learner's value to CARRIED_DECIMALS can add: nothing when it is exact
    (no inherited error) and already has at most CARRIED_DECIMALS places."""
    scaled = np.asarray(exact) * 10.0**CARRIED_DECIMALS
    on_grid = np.abs(scaled - np.round(scaled)) <= 1e-6 * np.maximum(1.0, np.abs(scaled))
    return np.where(on_grid & (inherited == 0), 0.0, CARRY_ERROR)
