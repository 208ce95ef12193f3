"""The mlpsim.network v1 file: exact round trips, optional fields, and every rejection with the
JSON path of the problem."""

from __future__ import annotations

import copy
import json
import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpsim.core.errors import LimitError, ValidationError
from mlpsim.core.limits import Limits
from mlpsim.core.network import Layer, Network
from mlpsim.io.fileformat import dumps, loads, network_from_dict, network_to_dict
from mlpsim.io.presets import mnist_sized, seed_example

README_EXAMPLE = """
{
  "format": "mlpsim.network",
  "version": 1,
  "name": "optional",
  "input": {"size": 3, "values": [0.5, 0.1, 0.2]},
  "layers": [
    {"size": 4, "activation": "relu",
     "weights": [[2, 8, -1, 3], [4, 9, 1, -6], [-3, 5, 2, 7]],
     "bias": [0.13, 0.14, 0.15, 0.16]},
    {"size": 2, "activation": "sigmoid",
     "weights": [[0.2, -0.3], [0.1, -0.2], [-0.4, 0.5], [0.3, 0.1]],
     "bias": [0.1, -0.2]}
  ]
}
"""


def bits(values) -> list[bytes]:
    """Exact identity of floats, the sign of zero included."""
    return [struct.pack("<d", float(v)) for v in np.ravel(values)]


def assert_identical(a: Network, b: Network) -> None:
    assert a.layer_sizes == b.layer_sizes
    assert (a.name, a.input_name) == (b.name, b.input_name)
    assert bits(a.input_values) == bits(b.input_values)
    for x, y in zip(a.layers, b.layers):
        assert (x.activation, x.name) == (y.activation, y.name)
        assert bits(x.weights) == bits(y.weights)
        assert bits(x.bias) == bits(y.bias)


def test_the_readme_example_loads():
    network = loads(README_EXAMPLE)
    assert network.name == "optional"
    assert network.layer_sizes == (3, 4, 2)
    assert network.input_values.tolist() == [0.5, 0.1, 0.2]
    assert network.layers[0].weights.tolist() == [[2, 8, -1, 3], [4, 9, 1, -6], [-3, 5, 2, 7]]
    assert network.layers[0].weights[1, 1] == 9.0  # weights[i][j]: neuron i before → neuron j here
    assert network.layers[1].activation == "sigmoid"
    assert network.layers[1].bias.tolist() == [0.1, -0.2]


SPECIAL = [
    1e-300,
    0.1 + 0.2,
    -0.0,
    0.0,
    5e-324,
    -5e-324,
    1.7976931348623157e308,
    -1e308,
    1 / 3,
    2.0**-1074,
    123456789.0,
]
FLOATS = st.one_of(st.sampled_from(SPECIAL), st.floats(allow_nan=False, allow_infinity=False))
NAMES = st.text(max_size=20)


@st.composite
def networks(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    layers = tuple(
        Layer(
            weights=draw(st.lists(st.lists(FLOATS, min_size=m, max_size=m), min_size=n, max_size=n)),
            bias=draw(st.lists(FLOATS, min_size=m, max_size=m)),
            activation=draw(st.sampled_from(["linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax"])),
            name=draw(NAMES),
        )
        for n, m in zip(sizes, sizes[1:])
    )
    values = draw(st.lists(FLOATS, min_size=sizes[0], max_size=sizes[0]))
    return Network(sizes[0], layers, input_values=values, name=draw(NAMES), input_name=draw(NAMES))


@settings(max_examples=120, deadline=None)
@given(networks(), st.booleans())
def test_save_then_load_gives_back_exactly_the_same_network(network, compact):
    text = dumps(network, compact=compact)
    again = loads(text)
    assert_identical(network, again)
    assert dumps(again, compact=compact) == text
    assert loads(text.encode("utf-8")).layer_sizes == network.layer_sizes


def test_round_trip_of_the_awkward_numbers():
    network = Network(
        input_size=len(SPECIAL),
        layers=(Layer(weights=[[v] for v in SPECIAL], bias=[-0.0], activation="linear"),),
        input_values=SPECIAL,
    )
    again = loads(dumps(network))
    assert bits(again.input_values) == bits(SPECIAL)
    assert bits(again.layers[0].weights) == bits(SPECIAL)
    assert math.copysign(1.0, again.layers[0].bias[0]) == -1.0
    assert again.input_values[1] == 0.30000000000000004


def test_the_readable_form_puts_one_weight_row_per_line():
    text = dumps(seed_example())
    assert '"format": "mlpsim.network"' in text
    assert "[2.0, 8.0, -1.0, 3.0]" in text.splitlines()[text.splitlines().index('      "weights": [') + 1]
    compact = dumps(seed_example(), compact=True)
    assert "\n" not in compact and ", " not in compact and '": ' not in compact
    assert json.loads(compact) == json.loads(text)


def test_a_large_network_round_trips():
    network = mnist_sized()
    assert_identical(network, loads(dumps(network, compact=True)))


def test_names_and_values_are_optional():
    document = json.loads(README_EXAMPLE)
    del document["name"]
    del document["input"]["values"]
    network = network_from_dict(document)
    assert network.name == "" and network.input_values.tolist() == [0.0, 0.0, 0.0]
    assert "name" not in network_to_dict(network)
    document["input"]["name"] = "Pixels"
    document["layers"][1]["name"] = "Decision"
    named = network_from_dict(document)
    assert (named.input_name, named.layers[1].name) == ("Pixels", "Decision")
    assert named.layer_title(0) == "Pixels" and named.layer_title(2) == "Decision"
    assert_identical(named, loads(dumps(named)))


# ---- rejections, each naming its JSON path --------------------------------------------------


def base() -> dict:
    return json.loads(README_EXAMPLE)


def changed(path: tuple, value) -> str:
    document = base()
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(document)


def removed(path: tuple) -> str:
    document = base()
    target = document
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return json.dumps(document)


def refusal(text, limits: Limits | None = None) -> str:
    with pytest.raises(ValidationError) as caught:
        loads(text) if limits is None else loads(text, limits)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


@pytest.mark.parametrize(
    "text, expected",
    [
        # wrong types
        (changed(("layers", 1, "weights", 2, 0), "0.5"), "layers[1].weights[2][0]: expected a finite number, got text"),
        (
            changed(("layers", 1, "weights", 2, 0), True),
            "layers[1].weights[2][0]: expected a finite number, got true/false",
        ),
        (changed(("layers", 0, "bias", 3), None), "layers[0].bias[3]: expected a finite number, got null"),
        (changed(("layers", 0, "bias"), {"a": 1}), "layers[0].bias: expected a list of 4 numbers, got an object"),
        (changed(("layers", 1, "weights"), 5), "layers[1].weights: expected a 4×2 list of lists, got a whole number"),
        (
            changed(("layers", 1, "weights", 1), 5),
            "layers[1].weights[1]: expected a list of 2 numbers, got a whole number",
        ),
        (changed(("input", "values", 0), [1]), "input.values[0]: expected a finite number, got a list"),
        (changed(("input",), [3]), "input: expected a JSON object, got a list"),
        (changed(("layers", 0), "relu"), "layers[0]: expected a JSON object, got text"),
        (changed(("layers",), []), "layers: expected a non-empty list of layers"),
        (changed(("layers",), {}), "layers: expected a non-empty list of layers"),
        (changed(("name",), 5), "name: expected text, got a whole number"),
        (changed(("layers", 1, "name"), ["x"]), "layers[1].name: expected text, got a list"),
        (changed(("input", "name"), "x" * 201), "input.name: longer than 200 characters"),
        ("[]", "file: expected a JSON object, got a list"),
        ("3.5", "file: expected a JSON object, got a number"),
        # sizes
        (changed(("layers", 0, "size"), 0), "layers[0].size: expected a whole number ≥ 1, got 0"),
        (changed(("layers", 0, "size"), 4.0), "layers[0].size: expected a whole number ≥ 1, got 4.0"),
        (changed(("layers", 0, "size"), True), "layers[0].size: expected a whole number ≥ 1, got true"),
        (changed(("input", "size"), "3"), 'input.size: expected a whole number ≥ 1, got "3"'),
        # shape mismatches
        (changed(("layers", 0, "size"), 5), "layers[0].weights[0]: expected 5 numbers, got 4"),
        (changed(("input", "size"), 2), "input.values: expected 2 numbers, got 3"),
        (
            changed(("layers", 1, "weights"), [[0.2, -0.3]] * 3),
            "layers[1].weights: expected 4 rows (one per neuron of the previous layer), got 3",
        ),
        (changed(("layers", 1, "bias"), [0.1]), "layers[1].bias: expected 2 numbers, got 1"),
        # activations, unknown and missing fields, format and version
        (
            changed(("layers", 1, "activation"), "swish"),
            'layers[1].activation: unknown activation "swish"; choose one of',
        ),
        (changed(("layers", 1, "activation"), None), "layers[1].activation: unknown activation null"),
        (
            changed(("layers", 0, "dropout"), 0.5),
            "layers[0].dropout: unknown field (allowed: activation, bias, name, size, weights)",
        ),
        (changed(("input", "scale"), 2), "input.scale: unknown field"),
        (changed(("author",), "me"), "author: unknown field"),
        (removed(("layers", 0, "bias")), "layers[0].bias: missing"),
        (removed(("input",)), "input: missing"),
        (removed(("format",)), "format: missing"),
        (changed(("format",), "keras"), "format: expected 'mlpsim.network', got \"keras\""),
        (changed(("version",), 2), "version: expected 1, got 2"),
        (changed(("version",), "1"), 'version: expected 1, got "1"'),
        (changed(("version",), 1.0), "version: expected 1, got 1.0"),
        (changed(("version",), True), "version: expected 1, got true"),
    ],
)
def test_refusals_name_the_place(text, expected):
    assert refusal(text).startswith(expected)


@pytest.mark.parametrize(
    "replacement, expected",
    [
        ("NaN", "layers[0].bias[1]: NaN is invalid JSON; expected a finite number"),
        ("Infinity", "layers[0].bias[1]: Infinity is invalid JSON; expected a finite number"),
        ("-Infinity", "layers[0].bias[1]: -Infinity is invalid JSON; expected a finite number"),
        ("1e999", "layers[0].bias[1]: expected a finite number, got one beyond ±1.7976931348623157e308"),
        ("-2e308", "layers[0].bias[1]: expected a finite number, got one beyond ±1.7976931348623157e308"),
        ("1" + "0" * 309, "layers[0].bias[1]: expected a finite number, got an integer too large"),
        ("9" * 5000, "layers[0].bias[1]: expected a finite number, got an integer of over 4,300 digits"),
    ],
)
def test_numbers_json_cannot_or_floats_cannot_hold(replacement, expected):
    assert refusal(README_EXAMPLE.replace("0.14", replacement)) == expected


def test_integers_that_are_floats_are_fine():
    network = loads(README_EXAMPLE.replace("0.14", "1" + "0" * 300))
    assert network.layers[0].bias[1] == 1e300


def test_invalid_json_names_line_and_column():
    assert refusal('{"format": "mlpsim.network",\n  "version": 1,,}').startswith("invalid JSON at line 2 column 16")
    assert refusal("").startswith("invalid JSON at line 1 column 1")
    assert refusal(b"\xff{}").startswith("file: not UTF-8 text")


def test_a_utf8_byte_order_mark_is_accepted():
    assert loads(b"\xef\xbb\xbf" + README_EXAMPLE.encode()).layer_sizes == (3, 4, 2)


@pytest.mark.parametrize(
    "text, expected",
    [
        (README_EXAMPLE.replace('"version": 1,', '"version": 1, "version": 1,'), "version: duplicate key"),
        (README_EXAMPLE.replace('{"size": 3,', '{"size": 3, "size": 3,'), "input.size: duplicate key"),
        (README_EXAMPLE.replace('"size": 2,', '"size": 2, "size": 2,'), "layers[1].size: duplicate key"),
    ],
)
def test_duplicate_keys_are_refused_with_their_path(text, expected):
    assert refusal(text).startswith(expected)


@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_deep_nesting_is_refused(depth):
    assert refusal("[" * depth + "]" * depth) == "invalid JSON: nested too deeply"
    assert refusal('{"a":' * depth + "1" + "}" * depth) == "invalid JSON: nested too deeply"


def test_sizes_over_the_cap_are_refused_before_any_weights_are_read():
    # the declared size is checked first: no weights list of 2,000 numbers is needed to refuse it
    with pytest.raises(LimitError, match=r"^network file: layer 1 has 2,000 neurons; the limit is 1,024 per layer"):
        loads(changed(("layers", 0, "size"), 2000))
    with pytest.raises(LimitError, match="input layer has 10,000 neurons"):
        loads(changed(("input", "size"), 10_000))
    many = base()
    many["layers"] = [copy.deepcopy(many["layers"][1])] * 17
    with pytest.raises(LimitError, match="layers: 17 layers; the limit is 16"):
        loads(json.dumps(many))


def test_the_caps_are_configurable():
    wide = {
        "format": "mlpsim.network",
        "version": 1,
        "input": {"size": 2000},
        "layers": [{"size": 1, "activation": "linear", "weights": [[0.5]] * 2000, "bias": [0.0]}],
    }
    text = json.dumps(wide)
    with pytest.raises(LimitError, match="limit is 1,024 per layer"):
        loads(text)
    network = loads(text, Limits(max_layer_size=2000))
    assert network.layer_sizes == (2000, 1)
    with pytest.raises(LimitError, match="layer 1 has 4 neurons; the limit is 3 per layer"):
        loads(README_EXAMPLE, Limits(max_layer_size=3))
    with pytest.raises(LimitError, match="layers: 2 layers; the limit is 1"):
        loads(README_EXAMPLE, Limits(max_layers=1))


def test_files_over_the_byte_limit_are_refused_before_parsing():
    assert Limits().max_file_bytes == 100_000_000
    small = Limits(max_file_bytes=5_000_000)
    padded = README_EXAMPLE + " " * (5_000_001 - len(README_EXAMPLE))
    with pytest.raises(
        LimitError,
        match=r"^network file: 5,000,001 bytes; the limit is 5,000,000 bytes \(set MLPSIM_MAX_FILE_BYTES to change it\)$",
    ):
        loads(padded, small)
    assert loads(padded[:-1], small).layer_sizes == (3, 4, 2)  # exactly 5,000,000 bytes is allowed
    with pytest.raises(LimitError, match="limit is 100 bytes"):
        loads(README_EXAMPLE, Limits(max_file_bytes=100))
    with pytest.raises(LimitError, match="limit is 100 bytes"):
        loads("{" * 10_000, Limits(max_file_bytes=100))  # refused on size, not parsed


def test_byte_limit_counts_utf8_bytes_not_characters():
    document = base()
    document["name"] = "é" * 60  # 60 characters, 120 bytes
    text = json.dumps(document, ensure_ascii=False)
    size = len(text.encode("utf-8"))
    assert loads(text, Limits(max_file_bytes=size)).name == "é" * 60
    with pytest.raises(LimitError):
        loads(text, Limits(max_file_bytes=size - 1))
