"""The network model: validation messages that name the place, size caps, immutability, and
edits (set a weight or bias, resize, insert or remove a hidden layer) that keep every number."""

from __future__ import annotations

import numpy as np
import pytest

from mlpsim.core.errors import LimitError, ValidationError
from mlpsim.core.forward import forward
from mlpsim.core.limits import DEFAULT_LIMITS, Limits
from mlpsim.core.network import NEW_ENTRY_DEFAULT, Layer, Network, neuron_name, weight_name
from mlpsim.io.presets import seed_example


def numbered(sizes: list[int]) -> Network:
    """A network whose every weight, bias and input is distinct and tells where it sits:
    W{k}[i,j] = k·100 + i·10 + j (1-based), b{k}[j] = -(k·100 + j), input IN{i} = i / 10."""
    layers = []
    for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]), start=1):
        weights = [[k * 100 + i * 10 + j for j in range(1, n_out + 1)] for i in range(1, n_in + 1)]
        bias = [-(k * 100 + j) for j in range(1, n_out + 1)]
        layers.append(Layer(weights=weights, bias=bias, activation="linear", name=f"L{k}"))
    return Network(input_size=sizes[0], layers=tuple(layers), input_values=[i / 10 for i in range(1, sizes[0] + 1)])


def layer_of(weights, bias, activation="relu"):
    return Layer(weights=np.array(weights, dtype=float), bias=np.array(bias, dtype=float), activation=activation)


# ---- validation at construction ------------------------------------------------------------


def rejected(build) -> str:
    with pytest.raises(ValidationError) as caught:
        build()
    return str(caught.value)


def test_wrong_number_of_rows_names_the_matrix_and_both_shapes():
    message = rejected(lambda: Network(3, (layer_of(np.zeros((2, 4)), np.zeros(4)),)))
    assert message.startswith("W1: expected shape 3×4")
    assert "got shape 2×4" in message


def test_a_later_matrix_that_does_not_fit_the_layer_before():
    message = rejected(
        lambda: Network(3, (layer_of(np.zeros((3, 4)), np.zeros(4)), layer_of(np.zeros((3, 2)), np.zeros(2))))
    )
    assert message.startswith("W2: expected shape 4×2")
    assert "got shape 3×2" in message


def test_a_matrix_that_is_not_two_dimensional():
    assert "got 3 numbers" in rejected(lambda: Network(3, (layer_of(np.zeros(3), np.zeros(3)),)))
    assert "got shape 3×4×1" in rejected(lambda: Network(3, (layer_of(np.zeros((3, 4, 1)), np.zeros(4)),)))


def test_bias_of_the_wrong_length():
    assert (
        rejected(lambda: Network(3, (layer_of(np.zeros((3, 4)), np.zeros(3)),)))
        == "b1: expected 4 numbers, got 3 numbers"
    )


def test_input_values_of_the_wrong_length():
    message = rejected(lambda: Network(3, (layer_of(np.zeros((3, 4)), np.zeros(4)),), input_values=[1.0, 2.0]))
    assert message == "input values: expected 3 numbers, got 2 numbers"


@pytest.mark.parametrize(
    "weights, bias, inputs, message",
    [
        ([[1, 2, np.nan, 4]] * 3, [0] * 4, None, "W1[1,3]: expected a finite number, got nan"),
        (
            [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, -np.inf]],
            [0] * 4,
            None,
            "W1[3,4]: expected a finite number, got -inf",
        ),
        ([[0] * 4] * 3, [0, 0, np.inf, 0], None, "b1[3]: expected a finite number, got inf"),
        ([[0] * 4] * 3, [0] * 4, [1.0, np.nan, 0.0], "input values[2]: expected a finite number, got nan"),
    ],
)
def test_non_finite_numbers_are_named_by_place(weights, bias, inputs, message):
    assert rejected(lambda: Network(3, (layer_of(weights, bias),), input_values=inputs)) == message


def test_text_or_ragged_weights_are_named():
    assert rejected(lambda: Network(3, (Layer(weights=[[1, "a", 3, 4]] * 3, bias=[0] * 4),))).startswith("W1: ")
    message = rejected(lambda: Network(3, (Layer(weights=[[1, 2, 3, 4], [1, 2, 3, 4], [1]], bias=[0] * 4),)))
    assert message.startswith("W1: ") and "different lengths" in message


def test_unknown_activation_names_the_layer_and_the_choices():
    message = rejected(
        lambda: Network(3, (layer_of(np.zeros((3, 4)), np.zeros(4)), layer_of(np.zeros((4, 1)), [0], "swish")))
    )
    assert message.startswith("layer 2: unknown activation 'swish'")
    for name in ("linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax"):
        assert name in message


def test_sizes_below_one():
    assert "input size" in rejected(lambda: Network(0, (layer_of(np.zeros((0, 4)), np.zeros(4)),)))
    with pytest.raises(LimitError, match="layer 1 size must be a whole number ≥ 1, got 0"):
        Network(3, (layer_of(np.zeros((3, 0)), np.zeros(0)),))
    assert "at least one layer" in rejected(lambda: Network(3, ()))
    assert "whole number" in rejected(lambda: Network(3.0, (layer_of(np.zeros((3, 4)), np.zeros(4)),)))
    assert "whole number" in rejected(lambda: Network(True, (layer_of(np.zeros((1, 4)), np.zeros(4)),)))


def test_default_caps():
    assert (DEFAULT_LIMITS.max_layer_size, DEFAULT_LIMITS.max_layers) == (1024, 16)
    assert (DEFAULT_LIMITS.max_parameters, DEFAULT_LIMITS.max_upload_bytes) == (2_500_000, 5_000_000)
    with pytest.raises(LimitError, match="input layer has 1,025 neurons; the limit is 1,024 per layer"):
        Network(1025, (layer_of(np.zeros((1025, 1)), np.zeros(1)),))
    with pytest.raises(LimitError, match="17 layers with weights; the limit is 16"):
        Network(1, tuple(layer_of([[1.0]], [0.0]) for _ in range(17)))


def test_caps_are_configurable_at_construction():
    small = Limits(max_layer_size=3, max_layers=2, max_parameters=20)
    with pytest.raises(LimitError, match="layer 1 has 4 neurons; the limit is 3 per layer"):
        Network(3, (layer_of(np.zeros((3, 4)), np.zeros(4)),), limits=small)
    with pytest.raises(LimitError, match="3 layers with weights; the limit is 2"):
        Network(1, tuple(layer_of([[1.0]], [0.0]) for _ in range(3)), limits=small)
    with pytest.raises(LimitError, match="24 weights and biases; the limit is 20"):
        Network(3, (layer_of(np.zeros((3, 3)), np.zeros(3)), layer_of(np.zeros((3, 3)), np.zeros(3))), limits=small)
    large = Limits(max_layer_size=2000)
    network = Network(2000, (layer_of(np.zeros((2000, 1)), np.zeros(1)),), limits=large)
    assert network.layer_sizes == (2000, 1)
    # edits keep checking against the network's own limits
    assert network.resized(1, 2).layer_sizes == (2000, 2)
    with pytest.raises(LimitError, match="limit is 2,000 per layer"):
        network.resized(0, 2001)


def test_limits_from_the_environment():
    limits = Limits.from_env({"MLPSIM_MAX_LAYER_SIZE": "4096", "MLPSIM_MAX_UPLOAD_BYTES": "100"})
    assert (limits.max_layer_size, limits.max_upload_bytes, limits.max_layers) == (4096, 100, 16)
    with pytest.raises(LimitError, match="MLPSIM_MAX_LAYERS='lots': expected a whole number"):
        Limits.from_env({"MLPSIM_MAX_LAYERS": "lots"})
    with pytest.raises(LimitError, match="must be at least 1"):
        Limits.from_env({"MLPSIM_MAX_PARAMETERS": "0"})


# ---- immutability ---------------------------------------------------------------------------


def test_arrays_are_private_read_only_copies():
    weights = np.array([[1.0, 2.0], [3.0, 4.0]])
    bias = np.array([0.5, -0.5])
    inputs = np.array([1.0, 1.0])
    network = Network(2, (Layer(weights=weights, bias=bias),), input_values=inputs)
    weights[0, 0] = bias[0] = inputs[0] = 99.0
    assert network.layers[0].weights[0, 0] == 1.0
    assert network.layers[0].bias[0] == 0.5
    assert network.input_values[0] == 1.0
    for array in (network.layers[0].weights, network.layers[0].bias, network.input_values):
        with pytest.raises(ValueError):
            array[0] = 5.0
    with pytest.raises(AttributeError):
        network.input_size = 3


# ---- editing ----------------------------------------------------------------------------------


def test_set_one_weight_and_one_bias():
    original = numbered([3, 4, 2])
    edited = original.with_weight(1, 1, 2, -7.5).with_bias(2, 0, 0.25)
    for i in range(3):
        for j in range(4):
            expected = -7.5 if (i, j) == (1, 2) else 100 + (i + 1) * 10 + (j + 1)
            assert edited.layers[0].weights[i, j] == expected
    assert edited.layers[1].bias.tolist() == [0.25, -202.0]
    assert edited.layers[0].bias.tolist() == [-101.0, -102.0, -103.0, -104.0]
    # the original is unchanged
    assert original.layers[0].weights[1, 2] == 123.0
    assert original.layers[1].bias[0] == -201.0


def test_an_edit_shares_the_layers_it_did_not_touch():
    original = numbered([3, 4, 5, 2])
    edited = original.with_weight(2, 0, 0, 1.0)
    assert edited.layers[0] is original.layers[0]
    assert edited.layers[2] is original.layers[2]
    assert edited.layers[1] is not original.layers[1]
    assert edited.with_input([0.0, 0.0, 0.0]).layers[1] is edited.layers[1]


def test_edits_outside_the_matrix_are_refused_not_wrapped_around():
    network = numbered([3, 4, 2])
    with pytest.raises(ValidationError, match=r"W1\[0,1\]: W1 is 3×4"):
        network.with_weight(1, -1, 0, 1.0)
    with pytest.raises(ValidationError, match=r"W2\[5,1\]: W2 is 4×2"):
        network.with_weight(2, 4, 0, 1.0)
    with pytest.raises(ValidationError, match=r"b2\[3\]: layer 2 has neurons 1..2"):
        network.with_bias(2, 2, 1.0)
    with pytest.raises(ValidationError, match=r"layer position 3: the layers with weights are 1..2"):
        network.with_weight(3, 0, 0, 1.0)
    with pytest.raises(ValidationError, match=r"layer position 0: .*\(0 is the input\)"):
        network.with_bias(0, 0, 1.0)
    with pytest.raises(ValidationError, match=r"W1\[1,1\]: expected a finite number"):
        network.with_weight(1, 0, 0, float("nan"))
    with pytest.raises(ValidationError, match=r"b1\[1\]: expected a number"):
        network.with_bias(1, 0, "x")
    with pytest.raises(ValidationError, match="unknown activation"):
        network.with_activation(1, "swish")


def test_with_input_and_with_activation():
    network = numbered([3, 4, 2])
    assert network.with_input([1, 2, 3]).input_values.tolist() == [1.0, 2.0, 3.0]
    assert network.with_activation(2, "softmax").layers[1].activation == "softmax"
    assert network.layers[1].activation == "linear"
    with pytest.raises(ValidationError, match="input values: expected 3 numbers, got 2 numbers"):
        network.with_input([1, 2])


def expected_weight(k: int, i: int, j: int, old_rows: int, old_columns: int) -> float:
    """W{k}[i,j] (0-based i, j) of numbered() after a resize: kept inside the old block, else 0."""
    return k * 100 + (i + 1) * 10 + (j + 1) if i < old_rows and j < old_columns else NEW_ENTRY_DEFAULT


@pytest.mark.parametrize("position", [0, 1, 2, 3])
@pytest.mark.parametrize("change", [+2, -1])
def test_resizing_any_layer_keeps_the_overlapping_block(position, change):
    sizes = [3, 4, 5, 2]
    original = numbered(sizes)
    new_size = sizes[position] + change
    resized = original.resized(position, new_size)
    new_sizes = list(sizes)
    new_sizes[position] = new_size
    assert resized.layer_sizes == tuple(new_sizes)
    for k in range(1, 4):
        weights, bias = resized.layers[k - 1].weights, resized.layers[k - 1].bias
        assert weights.shape == (new_sizes[k - 1], new_sizes[k])
        for i in range(new_sizes[k - 1]):
            for j in range(new_sizes[k]):
                assert weights[i, j] == expected_weight(k, i, j, sizes[k - 1], sizes[k]), (k, i, j)
        for j in range(new_sizes[k]):
            assert bias[j] == (-(k * 100 + j + 1) if j < sizes[k] else NEW_ENTRY_DEFAULT)
        assert resized.layers[k - 1].activation == "linear"
        assert resized.layers[k - 1].name == f"L{k}"
    for i in range(new_sizes[0]):
        assert resized.input_values[i] == ((i + 1) / 10 if i < sizes[0] else NEW_ENTRY_DEFAULT)
    # untouched layers are shared; the original is unchanged
    for k in range(1, 4):
        if k not in (position, position + 1):
            assert resized.layers[k - 1] is original.layers[k - 1]
    assert original.layer_sizes == (3, 4, 5, 2)
    assert original.layers[0].weights[2, 3] == 134.0


def test_resizing_is_checked():
    network = numbered([3, 4, 2])
    with pytest.raises(LimitError, match="layer 1 size must be a whole number ≥ 1, got 0"):
        network.resized(1, 0)
    with pytest.raises(LimitError, match="limit is 1,024 per layer"):
        network.resized(0, 5000)
    with pytest.raises(ValidationError, match="layer position 3"):
        network.resized(3, 2)


def test_inserting_a_hidden_layer_is_an_identity_pass_through():
    original = numbered([3, 4, 2])
    inserted = original.with_hidden_layer_inserted(2, 4)  # between the 4-neuron hidden layer and the output
    assert inserted.layer_sizes == (3, 4, 4, 2)
    new = inserted.layers[1]
    assert new.activation == "linear"
    assert new.weights.tolist() == [[1.0 if i == j else 0.0 for j in range(4)] for i in range(4)]
    assert new.bias.tolist() == [0.0] * 4
    assert inserted.layers[0] is original.layers[0]
    assert inserted.layers[2].weights.tolist() == original.layers[1].weights.tolist()
    # the documented promise: with a linear activation and the previous size, outputs are unchanged
    for x in ([0.1, 0.2, 0.3], [-5.0, 2.0, 7.5]):
        assert forward(inserted, x).output.tolist() == forward(original, x).output.tolist()
    assert original.layer_sizes == (3, 4, 2)


def test_inserting_a_layer_of_another_size_keeps_the_overlapping_block():
    original = numbered([3, 4, 2])
    inserted = original.with_hidden_layer_inserted(1, 2, "tanh")  # right after the input
    assert inserted.layer_sizes == (3, 2, 4, 2)
    assert inserted.layers[0].weights.tolist() == [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
    assert inserted.layers[0].activation == "tanh"
    following = inserted.layers[1].weights
    assert following.shape == (2, 4)
    for i in range(2):
        for j in range(4):
            assert following[i, j] == 100 + (i + 1) * 10 + (j + 1)
    assert inserted.layers[1].bias.tolist() == original.layers[0].bias.tolist()
    assert inserted.layers[2] is original.layers[1]


def test_removing_a_hidden_layer_fits_the_next_one():
    original = numbered([3, 4, 5, 2])
    removed = original.with_hidden_layer_removed(2)  # the 5-neuron layer
    assert removed.layer_sizes == (3, 4, 2)
    assert removed.layers[0] is original.layers[0]
    assert removed.layers[1].weights.tolist() == [[300 + i * 10 + j for j in (1, 2)] for i in (1, 2, 3, 4)]
    assert removed.layers[1].bias.tolist() == [-301.0, -302.0]
    removed_first = original.with_hidden_layer_removed(1)  # the 4-neuron layer: W2 rows cut to 3
    assert removed_first.layer_sizes == (3, 5, 2)
    assert removed_first.layers[0].weights.tolist() == [[200 + i * 10 + j for j in range(1, 6)] for i in (1, 2, 3)]
    grown = numbered([5, 2, 3, 1]).with_hidden_layer_removed(1)  # W2 (2×3) padded to 5 rows with zeros
    assert grown.layers[0].weights.tolist() == [[211, 212, 213], [221, 222, 223], [0, 0, 0], [0, 0, 0], [0, 0, 0]]


def test_insert_and_remove_positions_are_checked():
    network = numbered([3, 4, 2])
    with pytest.raises(ValidationError, match="remove position 2: only hidden layers"):
        network.with_hidden_layer_removed(2)
    with pytest.raises(ValidationError, match="insert position 0"):
        network.with_hidden_layer_inserted(0, 3)
    with pytest.raises(ValidationError, match="unknown activation"):
        network.with_hidden_layer_inserted(1, 3, "swish")
    with pytest.raises(LimitError, match="17 layers with weights"):
        Network(1, tuple(layer_of([[1.0]], [0.0], "linear") for _ in range(16))).with_hidden_layer_inserted(1, 1)


# ---- names as the seed writes them ----------------------------------------------------------


def test_names():
    network = seed_example()
    assert network.layer_sizes == (3, 4, 2)
    assert [network.layer_title(p) for p in range(3)] == ["Input", "Hidden 1", "Output"]
    assert numbered([2, 2, 2]).layer_title(1) == "L1"
    assert neuron_name(0, 1) == "IN2"
    assert neuron_name(2, 0) == "N1"
    assert weight_name(1, 1, 1) == "W1[2,2]"
    assert weight_name(3, 0, 4) == "W3[1,5]"
    assert network.parameter_count == 3 * 4 + 4 + 4 * 2 + 2
