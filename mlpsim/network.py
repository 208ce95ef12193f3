"""The data model: a network is an input layer and a list of weighted layers.

Orientation follows the seed article: between a layer of N neurons and the next of M neurons the
weights form an N×M matrix, row i = source neuron, column j = target neuron. The biases of a layer
are a vector of length M. Networks and layers are immutable; every edit returns a new network
that shares the layers it did not touch (cheap, and lets the UI cache per layer).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np

from mlpsim.activations import ACTIVATIONS
from mlpsim.errors import ValidationError
from mlpsim.limits import DEFAULT_LIMITS, Limits

NEW_ENTRY_DEFAULT = 0.0
"""Value given to weights, biases and inputs that a resize or insertion creates."""


def _frozen_array(values, shape: tuple[int, ...], where: str) -> np.ndarray:
    array = np.array(values, dtype=float)  # always a private copy
    if array.shape != shape:
        raise ValidationError(f"{where}: expected shape {_shape_text(shape)}, got {_shape_text(array.shape)}")
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        index = "".join(f"[{i + 1}]" for i in bad[0])
        raise ValidationError(f"{where}{index}: expected a finite number, got {array[tuple(bad[0])]}")
    array.flags.writeable = False
    return array


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape) if len(shape) > 1 else f"{shape[0] if shape else 0}"


@dataclass(frozen=True, eq=False)
class Layer:
    """One weighted layer.

    weights: (n_in, n_out) — weights[i, j] connects source neuron i to target neuron j.
    bias:    (n_out,)
    """

    weights: np.ndarray
    bias: np.ndarray
    activation: str = "relu"
    name: str = ""

    @property
    def n_in(self) -> int:
        return self.weights.shape[0]

    @property
    def size(self) -> int:
        return self.weights.shape[1]


@dataclass(frozen=True, eq=False)
class Network:
    """An input layer of ``input_size`` neurons followed by ``layers``.

    input_values: (input_size,) — the input the forward pass uses unless given another.
    """

    input_size: int
    layers: tuple[Layer, ...]
    input_values: np.ndarray = field(default=None)  # type: ignore[assignment]
    name: str = ""
    input_name: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.input_size, bool) or not isinstance(self.input_size, (int, np.integer)):
            raise ValidationError(f"input size: expected a whole number, got {self.input_size!r}")
        object.__setattr__(self, "input_size", int(self.input_size))
        object.__setattr__(self, "layers", tuple(self.layers))
        if not self.layers:
            raise ValidationError("layers: a network needs at least one layer after the input")
        DEFAULT_LIMITS.check_sizes(self.layer_sizes)
        values = np.zeros(self.input_size) if self.input_values is None else self.input_values
        object.__setattr__(self, "input_values", _frozen_array(values, (self.input_size,), "input values"))
        previous = self.input_size
        checked = []
        for k, layer in enumerate(self.layers, start=1):
            where = f"W{k}"
            if layer.activation not in ACTIVATIONS:
                raise ValidationError(
                    f"layer {k}: unknown activation {layer.activation!r}; choose one of {', '.join(ACTIVATIONS)}"
                )
            weights = np.asarray(layer.weights, dtype=float)
            if weights.ndim != 2 or weights.shape[0] != previous:
                raise ValidationError(
                    f"{where}: expected shape {previous}×{weights.shape[-1] if weights.ndim == 2 else '?'}"
                    f" (rows = the {previous} neurons of the previous layer), got {_shape_text(weights.shape)}"
                )
            size = weights.shape[1]
            checked.append(
                replace(
                    layer,
                    weights=_frozen_array(weights, (previous, size), where),
                    bias=_frozen_array(layer.bias, (size,), f"b{k}"),
                )
            )
            previous = size
        object.__setattr__(self, "layers", tuple(checked))

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Neurons per layer, input first: (N0, N1, ..., NL)."""
        return (self.input_size, *(np.shape(layer.weights)[-1] for layer in self.layers))

    @property
    def parameter_count(self) -> int:
        return sum(layer.weights.size + layer.bias.size for layer in self.layers)

    # ---- names, as the seed article writes them (1-based) -------------------------------------

    def layer_title(self, position: int) -> str:
        """'Input', 'Hidden 1', ..., 'Output' (or the layer's own name). position 0 = input."""
        if position == 0:
            return self.input_name or "Input"
        layer = self.layers[position - 1]
        if layer.name:
            return layer.name
        return "Output" if position == len(self.layers) else f"Hidden {position}"

    # ---- editing: each returns a new network -------------------------------------------------

    def with_input(self, values: Sequence[float]) -> "Network":
        return replace(self, input_values=np.asarray(values, dtype=float))

    def with_weight(self, layer: int, row: int, column: int, value: float) -> "Network":
        """Set W{layer}[row, column] (all 0-based here: layer 0 is W1)."""
        weights = np.array(self.layers[layer].weights)
        weights[row, column] = value
        return self.with_layer(layer, weights=weights)

    def with_bias(self, layer: int, neuron: int, value: float) -> "Network":
        bias = np.array(self.layers[layer].bias)
        bias[neuron] = value
        return self.with_layer(layer, bias=bias)

    def with_activation(self, layer: int, activation: str) -> "Network":
        return self.with_layer(layer, activation=activation)

    def with_layer(self, layer: int, **changes) -> "Network":
        """Replace fields of one layer (0-based); the other layers are shared, not copied."""
        layers = list(self.layers)
        layers[layer] = replace(layers[layer], **changes)
        return replace(self, layers=tuple(layers))

    def resized(self, position: int, new_size: int, limits: Limits = DEFAULT_LIMITS) -> "Network":
        """Change the size of layer ``position`` (0 = input). Every weight, bias and input value
        in the overlapping block is kept; new entries are NEW_ENTRY_DEFAULT (0.0)."""
        sizes = list(self.layer_sizes)
        if not 0 <= position < len(sizes):
            raise ValidationError(f"layer position {position}: the network has layers 0..{len(sizes) - 1}")
        sizes[position] = new_size
        limits.check_sizes(sizes)
        input_values = self.input_values
        layers = list(self.layers)
        if position == 0:
            input_values = _fit(input_values, (new_size,))
        else:
            old = layers[position - 1]
            layers[position - 1] = replace(
                old, weights=_fit(old.weights, (sizes[position - 1], new_size)), bias=_fit(old.bias, (new_size,))
            )
        if position < len(layers):
            following = layers[position]
            layers[position] = replace(following, weights=_fit(following.weights, (new_size, sizes[position + 1])))
        return replace(self, input_values=input_values, layers=tuple(layers))

    def with_hidden_layer_inserted(
        self, position: int, size: int, activation: str = "linear", limits: Limits = DEFAULT_LIMITS
    ) -> "Network":
        """Insert a hidden layer so that it becomes layer ``position`` (1..len(layers)).

        The new layer starts as an identity pass-through (weights = the identity block, bias 0),
        and the layer after it keeps its weights in the overlapping block. With a linear
        activation and the previous layer's size, the network's output is unchanged.
        """
        if not 1 <= position <= len(self.layers):
            raise ValidationError(f"insert position {position}: must be between 1 and {len(self.layers)}")
        sizes = list(self.layer_sizes)
        sizes.insert(position, size)
        limits.check_sizes(sizes)
        layers = list(self.layers)
        new_layer = Layer(weights=np.eye(sizes[position - 1], size), bias=np.zeros(size), activation=activation)
        following = layers[position - 1]
        layers[position - 1] = replace(following, weights=_fit(following.weights, (size, sizes[position + 1])))
        layers.insert(position - 1, new_layer)
        return replace(self, layers=tuple(layers))

    def with_hidden_layer_removed(self, position: int) -> "Network":
        """Remove hidden layer ``position`` (1..len(layers)-1); the next layer's weight rows are
        fitted to the layer before it, keeping the overlapping block."""
        if not 1 <= position < len(self.layers):
            raise ValidationError(
                f"remove position {position}: only hidden layers (1..{len(self.layers) - 1}) can be removed"
            )
        layers = list(self.layers)
        previous_size = self.layer_sizes[position - 1]
        following = layers[position]
        layers[position] = replace(following, weights=_fit(following.weights, (previous_size, following.size)))
        del layers[position - 1]
        return replace(self, layers=tuple(layers))


def _fit(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A copy of ``array`` cut or padded (with NEW_ENTRY_DEFAULT) to ``shape``; the top-left
    overlapping block is kept."""
    fitted = np.full(shape, NEW_ENTRY_DEFAULT)
    overlap = tuple(slice(0, min(a, b)) for a, b in zip(array.shape, shape))
    fitted[overlap] = array[overlap]
    return fitted


def neuron_name(position: int, index: int) -> str:
    """Seed-style name of neuron ``index`` (0-based) in layer ``position`` (0 = input): IN1.., N1.."""
    return f"IN{index + 1}" if position == 0 else f"N{index + 1}"


def weight_name(layer: int, row: int, column: int) -> str:
    """'W1[2,2]' for layer 1 (1-based layer), row and column given 0-based."""
    return f"W{layer}[{row + 1},{column + 1}]"
