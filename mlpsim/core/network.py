"""The data model: a network is an input layer and a list of weighted layers.

Orientation follows the seed article: between a layer of N neurons and the next of M neurons the
weights form an N×M matrix, row i = source neuron, column j = target neuron. The biases of a layer
are a vector of length M. Networks and layers are immutable; every edit returns a new network
that shares the layers it did not touch (cheap, and lets the UI cache per layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mlpsim.core.activations import REGISTRY
from mlpsim.core.errors import ValidationError
from mlpsim.core.limits import DEFAULT_LIMITS, Limits

NEW_ENTRY_DEFAULT = 0.0
"""Value given to weights, biases and inputs that a resize or insertion creates."""


def _as_float_array(values: object, where: str) -> np.ndarray:
    """A private float copy of ``values``; a ValidationError naming ``where`` if they are not numbers."""
    try:
        return np.array(values, dtype=float)
    except (TypeError, ValueError) as error:
        reason = "rows of different lengths" if "inhomogeneous" in str(error) else str(error)
        raise ValidationError(f"{where}: expected a rectangular array of numbers ({reason})") from None


def _number(value: Any, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{where}: expected a number, got {value!r}") from None
    if not np.isfinite(number):
        raise ValidationError(f"{where}: expected a finite number, got {value!r}")
    return number


def _frozen_array(values: object, shape: tuple[int, ...], where: str) -> np.ndarray:
    array = _as_float_array(values, where)
    if array.shape != shape:
        raise ValidationError(f"{where}: expected {_shape_text(shape)}, got {_shape_text(array.shape)}")
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        index = ",".join(str(i + 1) for i in bad[0])
        raise ValidationError(f"{where}[{index}]: expected a finite number, got {array[tuple(bad[0])]}")
    array.flags.writeable = False
    return array


def _is_frozen(array: object) -> bool:
    """True for an array that _frozen_array made: float, read-only and owning its data (so no
    writable view elsewhere can change it). Such arrays were checked finite when frozen."""
    return (
        isinstance(array, np.ndarray)
        and array.dtype == np.float64
        and not array.flags.writeable
        and array.base is None
        and bool(np.isfinite(array).all())
    )


def _shape_text(shape: tuple[int, ...]) -> str:
    """'shape 3×4' for a matrix, '4 numbers' for a vector, 'a single number' for a scalar."""
    if len(shape) == 0:
        return "a single number"
    if len(shape) == 1:
        return f"{shape[0]} numbers"
    return "shape " + "×".join(str(n) for n in shape)


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
        return int(self.weights.shape[0])

    @property
    def size(self) -> int:
        return int(self.weights.shape[1])


@dataclass(frozen=True, eq=False)
class Network:
    """An input layer of ``input_size`` neurons followed by ``layers``.

    input_values: (input_size,) — the input the forward pass uses unless given another.
    """

    input_size: int
    layers: tuple[Layer, ...]
    # None (the default) means zeros: __post_init__ puts the array in, so every Network holds one.
    input_values: np.ndarray = field(default=None)  # type: ignore[arg-type]
    name: str = ""
    input_name: str = ""
    limits: Limits = field(default=DEFAULT_LIMITS, repr=False)
    """The size caps this network was checked against; edits keep checking against them."""

    def __post_init__(self) -> None:
        if isinstance(self.input_size, bool) or not isinstance(self.input_size, (int, np.integer)):
            raise ValidationError(f"input size: expected a whole number, got {self.input_size!r}")
        object.__setattr__(self, "input_size", int(self.input_size))
        object.__setattr__(self, "layers", tuple(self.layers))
        if not self.layers:
            raise ValidationError("layers: a network needs at least one layer after the input")
        for text, where in ((self.name, "network name"), (self.input_name, "input name")):
            if not isinstance(text, str):
                raise ValidationError(f"{where}: expected text, got {type(text).__name__}")
        if self.input_size < 1:
            raise ValidationError(f"input size: must be a whole number ≥ 1, got {self.input_size}")
        previous = self.input_size
        weight_arrays = []
        for k, layer in enumerate(self.layers, start=1):
            where = f"W{k}"
            if not isinstance(layer.activation, str) or layer.activation not in REGISTRY:
                raise ValidationError(
                    f"layer {k}: unknown activation {layer.activation!r}; choose one of {', '.join(REGISTRY)}"
                )
            if not isinstance(layer.name, str):
                raise ValidationError(f"layer {k} name: expected text, got {type(layer.name).__name__}")
            weights = layer.weights if _is_frozen(layer.weights) else _as_float_array(layer.weights, where)
            if weights.ndim != 2 or weights.shape[0] != previous:
                expected = f"{previous}×{weights.shape[1]}" if weights.ndim == 2 else f"{previous}×M"
                raise ValidationError(
                    f"{where}: expected shape {expected} (one row per neuron of the {previous}-neuron layer "
                    f"before it), got {_shape_text(weights.shape)}"
                )
            weight_arrays.append(weights)
            previous = weights.shape[1]
        self.limits.check_sizes((self.input_size, *(weights.shape[1] for weights in weight_arrays)))
        values = np.zeros(self.input_size) if self.input_values is None else self.input_values
        object.__setattr__(self, "input_values", _frozen_array(values, (self.input_size,), "input values"))
        checked = []
        for k, (layer, weights) in enumerate(zip(self.layers, weight_arrays), start=1):
            if weights is layer.weights and _is_frozen(layer.bias) and layer.bias.shape == (weights.shape[1],):
                # Already validated by an earlier Network: share the Layer object, as edits promise.
                checked.append(layer)
                continue
            checked.append(
                replace(
                    layer,
                    weights=_frozen_array(weights, weights.shape, f"W{k}"),
                    bias=_frozen_array(layer.bias, (weights.shape[1],), f"b{k}"),
                )
            )
        object.__setattr__(self, "layers", tuple(checked))

    @classmethod
    def from_arrays(
        cls, weights: Sequence[Any], biases: Sequence[Any], activations: Sequence[str] | str = "relu", name: str = ""
    ) -> Network:
        """A network from its matrices W1, W2, … (each N×M, the article's orientation) and bias
        vectors b1, b2, …; the input size is W1's row count, the input starts at zero.
        ``activations``: one name per layer, or one for all."""
        if isinstance(weights, np.ndarray) or isinstance(biases, np.ndarray):
            raise ValidationError(
                "weights and biases: expected a list of matrices and a list of vectors, one per layer"
            )
        weights, biases = list(weights), list(biases)
        names = [activations] * len(weights) if isinstance(activations, str) else list(activations)
        if not weights or len(biases) != len(weights) or len(names) != len(weights):
            raise ValidationError(
                f"expected one bias vector and one activation per weight matrix: got {len(weights)} matrices, "
                f"{len(biases)} bias vectors and {len(names)} activations"
            )
        first = _as_float_array(weights[0], "W1")
        if first.ndim != 2:
            raise ValidationError(f"W1: expected a matrix (rows = inputs), got {_shape_text(first.shape)}")
        layers = tuple(Layer(weights=w, bias=b, activation=f) for w, b, f in zip(weights, biases, names))
        return cls(input_size=first.shape[0], layers=layers, name=name)

    def __repr__(self) -> str:
        """'Network('Seed example (3-4-2)', sizes 3-4-2, relu → sigmoid, 26 parameters)'."""
        sizes = "-".join(map(str, self.layer_sizes))
        activations = " → ".join(layer.activation for layer in self.layers)
        return f"Network({self.name!r}, sizes {sizes}, {activations}, {self.parameter_count:,} parameters)"

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """Neurons per layer, input first: (N0, N1, ..., NL)."""
        return (self.input_size, *(np.shape(layer.weights)[-1] for layer in self.layers))

    @property
    def weight_count(self) -> int:
        """Weights over all layers: the diagram's edges."""
        return sum(layer.weights.size for layer in self.layers)

    @property
    def parameter_count(self) -> int:
        return self.weight_count + sum(layer.bias.size for layer in self.layers)

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

    def with_input(self, values: Sequence[float] | np.ndarray) -> Network:
        return replace(self, input_values=np.asarray(values, dtype=float))

    def with_weight(self, position: int, row: int, column: int, value: float) -> Network:
        """Set W{position}[row, column]: the weight into layer ``position`` (1..L) from neuron
        ``row`` of the layer before, to neuron ``column`` (both 0-based)."""
        layer = self._weighted_layer(position)
        n_in, n_out = layer.weights.shape
        name = weight_name(position, row, column)
        if not (0 <= row < n_in and 0 <= column < n_out):
            raise ValidationError(
                f"{name}: W{position} is {n_in}×{n_out}, so rows are 1..{n_in} and columns 1..{n_out}"
            )
        weights = np.array(layer.weights)
        weights[row, column] = _number(value, name)
        return self.with_layer(position, weights=weights)

    def with_bias(self, position: int, neuron: int, value: float) -> Network:
        """Set the bias of neuron ``neuron`` (0-based) of layer ``position`` (1..L)."""
        size = self._weighted_layer(position).size
        if not 0 <= neuron < size:
            raise ValidationError(f"{bias_name(position, neuron)}: layer {position} has neurons 1..{size}")
        bias = np.array(self.layers[position - 1].bias)
        bias[neuron] = _number(value, bias_name(position, neuron))
        return self.with_layer(position, bias=bias)

    def _weighted_layer(self, position: int) -> Layer:
        """The Layer (weights in, bias, activation) of layer ``position``, 1..L."""
        if not 1 <= position <= len(self.layers):
            raise ValidationError(
                f"layer position {position}: the layers with weights are 1..{len(self.layers)} (0 is the input)"
            )
        return self.layers[position - 1]

    def with_activation(self, position: int, activation: str) -> Network:
        """Set the activation of layer ``position`` (1..L)."""
        return self.with_layer(position, activation=activation)

    def with_layer(self, position: int, **changes: Any) -> Network:
        """Replace fields of layer ``position``'s Layer (1..L); the other layers are shared, not
        copied."""
        layers = list(self.layers)
        layers[position - 1] = replace(self._weighted_layer(position), **changes)
        return replace(self, layers=tuple(layers))

    def resized(self, position: int, new_size: int, limits: Limits | None = None) -> Network:
        """Change the size of layer ``position`` (0 = input). Every weight, bias and input value
        in the overlapping block is kept; new entries are NEW_ENTRY_DEFAULT (0.0).

        ``limits`` defaults to the network's own; the new network carries the ones used."""
        limits = self.limits if limits is None else limits
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
        return replace(self, input_size=sizes[0], input_values=input_values, layers=tuple(layers), limits=limits)

    def with_hidden_layer_inserted(
        self, position: int, size: int, activation: str = "linear", limits: Limits | None = None
    ) -> Network:
        """Insert a hidden layer so that it becomes layer ``position`` (1..len(layers)).

        The new layer starts as an identity pass-through (weights = the identity block, bias 0),
        and the layer after it keeps its weights in the overlapping block. With a linear
        activation and the previous layer's size, the network's output is unchanged.
        """
        limits = self.limits if limits is None else limits
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
        return replace(self, layers=tuple(layers), limits=limits)

    def with_hidden_layer_removed(self, position: int) -> Network:
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


def weight_name(position: int, row: int, column: int) -> str:
    """'W1[2,2]': the weight into layer ``position`` (1 = the first after the input, so W1) from
    row ``row`` to column ``column``, both 0-based."""
    return f"W{position}[{row + 1},{column + 1}]"


def bias_name(position: int, index: int) -> str:
    """'b1[2]': the bias of neuron ``index`` (0-based) in layer ``position`` (1 = after the input)."""
    return f"b{position}[{index + 1}]"
