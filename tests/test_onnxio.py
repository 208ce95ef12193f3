"""ONNX in and out, checked against onnxruntime: models built here with the onnx helper API in the
patterns the exporters write (torch: Gemm transB=1 on an M×N weight; torch's dynamo exporter and
tf2onnx: MatMul + Add, with Transpose, Identity, Cast, Flatten/Reshape), and real scikit-learn
models exported by skl2onnx; hostile files refused without allocating what they declare."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

from mlpsim.core.errors import LimitError, ValidationError
from mlpsim.core.forward import forward
from mlpsim.core.limits import Limits
from mlpsim.core.network import Layer, Network
from mlpsim.io.fileformat import dumps
from mlpsim.io.onnxio import read_network_file, read_onnx, write_onnx

RNG = np.random.default_rng(16)
ACTIVATION_OPS = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid", "softmax": "Softmax", "leaky_relu": "LeakyRelu"}
MEASURED: dict[str, float] = {}
"""Largest errors and peaks seen, printed at the end of the module (pytest -s) for the report."""


@pytest.fixture(scope="module", autouse=True)
def print_measured_figures():
    """After the module: the largest error of each comparison and the refusals' memory peaks."""
    yield
    for name, value in sorted(MEASURED.items()):
        shown = f"{value:,} bytes" if name.startswith("peak") else f"{value:.3g}"
        print(f"\n  {name}: {shown}", end="")


def run_onnxruntime(model_bytes: bytes, inputs: np.ndarray, output: str | None = None) -> np.ndarray:
    session = onnxruntime.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return session.run([output] if output else None, {name: inputs})[0]


def relative_error(mine: np.ndarray, reference: np.ndarray) -> float:
    """max |mine − reference| / max |reference|: the error measured on the outputs' own scale
    (a pointwise ratio is meaningless for an output that float32 cancels to near zero)."""
    return float(np.max(np.abs(mine - reference)) / np.max(np.abs(reference)))


def assert_agrees(name: str, mine: np.ndarray, reference: np.ndarray, tolerance: float = 1e-6) -> None:
    assert mine.shape == reference.shape
    error = relative_error(mine, reference)
    MEASURED[name] = max(MEASURED.get(name, 0.0), error)
    assert error <= tolerance, f"{name}: relative error {error:.3g}"


def model(nodes, initializers, input_shape, output_names=("y",), inputs=None, opset=17, dtype=TensorProto.FLOAT):
    graph = helper.make_graph(
        nodes,
        "test graph",
        inputs or [helper.make_tensor_value_info("x", dtype, input_shape)],
        [helper.make_tensor_value_info(name, dtype, None) for name in output_names],
        initializers,
    )
    built = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    built.ir_version = 8
    return built


def f32(shape) -> np.ndarray:
    return RNG.normal(size=shape).astype(np.float32)


def torch_style(sizes, activations, flatten_from=None):
    """What torch.onnx.export writes for nn.Sequential(Linear, act, ...): nn.Linear keeps its
    weight M×N and exports Gemm(x, weight, bias, transB=1)."""
    nodes, initializers, current = [], [], "x"
    if flatten_from is not None:
        nodes.append(helper.make_node("Flatten", ["x"], ["flat"], name="/flatten/Flatten", axis=1))
        current = "flat"
    torch_weights = []
    for k, (n, m, activation) in enumerate(zip(sizes, sizes[1:], activations)):
        weight, bias = f32((m, n)), f32((m,))
        torch_weights.append((weight, bias))
        initializers += [numpy_helper.from_array(weight, f"{k}.weight"), numpy_helper.from_array(bias, f"{k}.bias")]
        last = k == len(activations) - 1
        z = "y" if last and activation is None else f"/{k}/Gemm_output_0"
        nodes.append(
            helper.make_node(
                "Gemm", [current, f"{k}.weight", f"{k}.bias"], [z], name=f"/{k}/Gemm", alpha=1.0, beta=1.0, transB=1
            )
        )
        current = z
        if activation is not None:
            out = "y" if last else f"/{k}/act_output_0"
            attributes = (
                {"alpha": 0.01} if activation == "leaky_relu" else {"axis": 1} if activation == "softmax" else {}
            )
            nodes.append(helper.make_node(ACTIVATION_OPS[activation], [current], [out], **attributes))
            current = out
    shape = ["batch", *flatten_from] if flatten_from else ["batch", sizes[0]]
    return model(nodes, initializers, shape), torch_weights


def test_torch_gemm_transb_layers_land_transposed_and_agree_with_onnxruntime():
    built, torch_weights = torch_style([6, 5, 4, 3], ["relu", "tanh", "softmax"])
    network = read_onnx(built.SerializeToString())
    assert network.layer_sizes == (6, 5, 4, 3)
    assert [layer.activation for layer in network.layers] == ["relu", "tanh", "softmax"]
    for layer, (weight, bias) in zip(network.layers, torch_weights):
        # Article orientation: row i = source neuron, i.e. the transpose of torch's M×N weight,
        # each float32 widened exactly.
        assert layer.weights.shape == weight.T.shape
        assert np.array_equal(layer.weights, weight.T.astype(np.float64))
        assert np.array_equal(layer.bias, bias.astype(np.float64))
    inputs = f32((500, 6))
    assert_agrees(
        "torch Gemm transB=1",
        forward(network, inputs.astype(float)).output,
        run_onnxruntime(built.SerializeToString(), inputs),
    )


def test_torch_flatten_of_an_image_input_reads_the_flattened_pixels():
    built, _ = torch_style([64, 8, 10], ["leaky_relu", None], flatten_from=(1, 8, 8))
    network = read_onnx(built.SerializeToString())
    assert network.layer_sizes == (64, 8, 10)
    assert [layer.activation for layer in network.layers] == ["leaky_relu", "linear"]
    images = f32((300, 1, 8, 8))
    assert_agrees(
        "torch Flatten + Gemm + LeakyRelu",
        forward(network, images.reshape(300, 64).astype(float)).output,
        run_onnxruntime(built.SerializeToString(), images),
    )


def test_tf2onnx_matmul_add_with_identity_and_cast_agrees_with_onnxruntime():
    """tf2onnx's Dense: MatMul(x, kernel N×M) + Add(bias), activation, Identity at the output."""
    kernel1, bias1, kernel2, bias2 = f32((4, 7)), f32((7,)), f32((7, 2)), f32((2,))
    nodes = [
        helper.make_node("Cast", ["x"], ["x32"], to=TensorProto.FLOAT),
        helper.make_node("MatMul", ["x32", "dense/kernel"], ["dense/MatMul"]),
        helper.make_node("Add", ["dense/MatMul", "dense/bias"], ["dense/BiasAdd"]),
        helper.make_node("Sigmoid", ["dense/BiasAdd"], ["dense/Sigmoid"]),
        helper.make_node("MatMul", ["dense/Sigmoid", "dense_1/kernel"], ["dense_1/MatMul"]),
        helper.make_node("Add", ["dense_1/bias", "dense_1/MatMul"], ["dense_1/BiasAdd"]),  # bias first
        helper.make_node("Softmax", ["dense_1/BiasAdd"], ["dense_1/Softmax"], axis=-1),
        helper.make_node("Identity", ["dense_1/Softmax"], ["y"]),
    ]
    initializers = [
        numpy_helper.from_array(kernel1, "dense/kernel"),
        numpy_helper.from_array(bias1, "dense/bias"),
        numpy_helper.from_array(kernel2, "dense_1/kernel"),
        numpy_helper.from_array(bias2, "dense_1/bias"),
    ]
    built = model(nodes, initializers, ["unk__6", 4])
    network = read_onnx(built.SerializeToString())
    assert np.array_equal(network.layers[0].weights, kernel1.astype(float))  # already N×M
    assert [layer.activation for layer in network.layers] == ["sigmoid", "softmax"]
    inputs = f32((500, 4))
    assert_agrees(
        "tf2onnx MatMul + Add",
        forward(network, inputs.astype(float)).output,
        run_onnxruntime(built.SerializeToString(), inputs),
    )


def test_dynamo_transpose_of_the_weight_then_matmul_on_a_vector_input():
    """torch's dynamo exporter writes Transpose(weight) → MatMul → Add for a 1-D input; and a
    Reshape to [-1] of a vector changes nothing."""
    weight, bias = f32((3, 5)), f32((3,))
    nodes = [
        helper.make_node("Reshape", ["x", "shape"], ["xr"]),
        helper.make_node("Transpose", ["weight"], ["weight_t"], perm=[1, 0]),
        helper.make_node("MatMul", ["xr", "weight_t"], ["mm"]),
        helper.make_node("Add", ["mm", "bias"], ["y"]),
    ]
    initializers = [
        numpy_helper.from_array(weight, "weight"),
        numpy_helper.from_array(bias, "bias"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "shape"),
    ]
    built = model(nodes, initializers, [5])
    network = read_onnx(built.SerializeToString())
    assert np.array_equal(network.layers[0].weights, weight.T.astype(float))
    assert network.layers[0].activation == "linear"
    for _ in range(50):
        vector = f32((5,))
        assert_agrees(
            "dynamo Transpose + MatMul, 1-D",
            forward(network, vector.astype(float)).output,
            run_onnxruntime(built.SerializeToString(), vector),
        )


def test_gemm_alpha_beta_and_a_constant_node_bias():
    weight, bias = f32((4, 3)), f32((1, 3))
    nodes = [
        helper.make_node("Constant", [], ["c"], value=numpy_helper.from_array(bias, "c")),
        helper.make_node("Gemm", ["x", "w", "c"], ["g"], alpha=0.5, beta=-2.0),
        helper.make_node("Relu", ["g"], ["y"]),
    ]
    built = model(nodes, [numpy_helper.from_array(weight, "w")], ["N", 4])
    network = read_onnx(built.SerializeToString())
    assert np.array_equal(network.layers[0].bias, -2.0 * bias.reshape(-1).astype(float))
    inputs = f32((500, 4))
    assert_agrees(
        "Gemm alpha/beta",
        forward(network, inputs.astype(float)).output,
        run_onnxruntime(built.SerializeToString(), inputs),
    )


def test_float64_model_and_dropout_in_inference_mode():
    weight, bias = RNG.normal(size=(3, 2)), RNG.normal(size=2)
    nodes = [
        helper.make_node("Dropout", ["x", "ratio", "training"], ["d"]),
        helper.make_node("Gemm", ["d", "w", "b"], ["y"]),
    ]
    initializers = [
        numpy_helper.from_array(weight, "w"),
        numpy_helper.from_array(bias, "b"),
        numpy_helper.from_array(np.array(0.5, dtype=np.float32), "ratio"),
        numpy_helper.from_array(np.array(False), "training"),
    ]
    built = model(nodes, initializers, ["B", 3], dtype=TensorProto.DOUBLE)
    network = read_onnx(built.SerializeToString())
    inputs = RNG.normal(size=(200, 3))
    assert_agrees(
        "float64 model", forward(network, inputs).output, run_onnxruntime(built.SerializeToString(), inputs), 1e-13
    )


# ---- refusals, each naming the node and its op type ----------------------------------------


def refusal(built, match, error=ValidationError, **options):
    with pytest.raises(error, match=match):
        read_onnx(built.SerializeToString(), **options)


def gemm_then(node, extra_initializers=()):
    return model(
        [helper.make_node("Gemm", ["x", "w", "b"], ["z"], name="fc"), node],
        [numpy_helper.from_array(f32((3, 3)), "w"), numpy_helper.from_array(f32((3,)), "b"), *extra_initializers],
        ["B", 3],
    )


def test_leaky_relu_with_another_slope_is_refused_saying_mlpsims_slope():
    refusal(
        gemm_then(helper.make_node("LeakyRelu", ["z"], ["y"], name="act", alpha=0.2)),
        r"^node 2 'act' \(LeakyRelu\): LeakyRelu with slope alpha=0\.2; mlpsim's leaky ReLU has slope 0\.01 only$",
    )


def test_convolution_batch_norm_and_other_ops_are_refused_by_name():
    conv = model(
        [helper.make_node("Conv", ["x", "k"], ["y"], name="conv1")],
        [numpy_helper.from_array(f32((1, 1, 3, 3)), "k")],
        ["B", 1, 8, 8],
    )
    refusal(conv, r"^node 1 'conv1' \(Conv\): the Conv operator is not part of a fully connected network")
    batch_norm = gemm_then(
        helper.make_node("BatchNormalization", ["z", "s", "o", "m", "v"], ["y"], name="bn"),
        [numpy_helper.from_array(f32((3,)), name) for name in "somv"],
    )
    refusal(batch_norm, r"^node 2 'bn' \(BatchNormalization\): the BatchNormalization operator is not part")
    refusal(gemm_then(helper.make_node("LogSoftmax", ["z"], ["y"])), r"^node 2 \(LogSoftmax\): the LogSoftmax operator")


def test_dropout_in_training_mode_is_refused():
    built = gemm_then(
        helper.make_node("Dropout", ["z", "r", "t"], ["y"], name="drop"),
        [numpy_helper.from_array(np.array(0.5, dtype=np.float32), "r"), numpy_helper.from_array(np.array(True), "t")],
    )
    refusal(built, r"^node 2 'drop' \(Dropout\): Dropout in training mode; export the model in eval mode$")


def test_a_branch_is_refused():
    built = model(
        [
            helper.make_node("Gemm", ["x", "w", "b"], ["z"]),
            helper.make_node("Relu", ["z"], ["r"]),
            helper.make_node("Add", ["r", "z"], ["y"], name="residual"),
        ],
        [numpy_helper.from_array(f32((3, 3)), "w"), numpy_helper.from_array(f32((3,)), "b")],
        ["B", 3],
    )
    refusal(built, r"^node 3 'residual' \(Add\) combines 2 values computed from the input \(a branch\)")


def test_several_inputs_or_outputs_are_refused_and_an_output_can_be_chosen():
    two_inputs = model(
        [helper.make_node("MatMul", ["x", "x2"], ["y"])],
        [],
        ["B", 3],
        inputs=[
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3]),
            helper.make_tensor_value_info("x2", TensorProto.FLOAT, [3, 3]),
        ],
    )
    refusal(two_inputs, r"^ONNX model: 2 inputs \('x', 'x2'\); mlpsim reads networks with exactly one input$")
    two_outputs = model(
        [helper.make_node("Gemm", ["x", "w", "b"], ["z"]), helper.make_node("Relu", ["z"], ["y"])],
        [numpy_helper.from_array(f32((3, 2)), "w"), numpy_helper.from_array(f32((2,)), "b")],
        ["B", 3],
        output_names=("z", "y"),
    )
    refusal(two_outputs, r"^ONNX model: 2 outputs \('z', 'y'\); name the one the network ends at")
    assert read_onnx(two_outputs.SerializeToString(), output="y").layers[0].activation == "relu"
    assert read_onnx(two_outputs.SerializeToString(), output="z").layers[0].activation == "linear"


def test_weights_that_are_not_initializers_are_refused():
    built = model(
        [
            helper.make_node("RandomNormal", [], ["w"], shape=[3, 3]),
            helper.make_node("MatMul", ["x", "w"], ["y"], name="mm"),
        ],
        [],
        ["B", 3],
    )
    refusal(
        built,
        r"^node 2 'mm' \(MatMul\): its input 'w' is computed, not stored; mlpsim reads constant weights and biases$",
    )


def test_softmax_over_the_batch_axis_is_refused():
    refusal(
        gemm_then(helper.make_node("Softmax", ["z"], ["y"], axis=0)), r"^node 2 \(Softmax\): Softmax over axis 0 of 2"
    )


# ---- hostile files --------------------------------------------------------------------------


def peak_bytes(function) -> tuple[Exception, int]:
    """The exception ``function`` raises and the peak of memory traced while it ran."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        function()
    except (ValidationError, LimitError) as error:
        caught = error
    else:
        raise AssertionError("not refused")
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return caught, peak


def declared_tensor_model(dims) -> bytes:
    """A Gemm whose weight declares ``dims`` float32 values and stores none."""
    weight = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=dims)
    return model([helper.make_node("Gemm", ["x", "w"], ["y"], name="fc")], [weight], ["B", dims[0]]).SerializeToString()


def test_a_2_gb_declared_tensor_is_refused_without_allocating_it():
    data = declared_tensor_model([2**15, 2**14])  # 536,870,912 float32 values: 2 GiB
    assert len(data) < 200
    error, peak = peak_bytes(lambda: read_onnx(data))
    assert str(error) == (
        "initializer 'w': declared shape 32,768×16,384, beyond the limit of 1,024 neurons per layer "
        "(set MLPSIM_MAX_LAYER_SIZE to change it)"
    )
    MEASURED["peak, 2 GiB declared tensor"] = peak
    assert peak < 1_000_000


def test_a_declared_tensor_within_the_limits_but_without_its_data_is_refused():
    data = declared_tensor_model([1000, 1000])
    error, peak = peak_bytes(lambda: read_onnx(data))
    assert str(error) == ("initializer 'w': declares 1,000,000 values but stores 0; the file is damaged or truncated")
    MEASURED["peak, 4 MB declared tensor, no data"] = peak
    assert peak < 1_000_000  # the 8 MB float64 array was never made


def test_more_values_than_the_parameter_limit_are_refused_before_conversion():
    weight = numpy_helper.from_array(np.zeros((1000, 1000), dtype=np.float32), "w")
    data = model([helper.make_node("Gemm", ["x", "w"], ["y"])], [weight], ["B", 1000]).SerializeToString()
    error, peak = peak_bytes(lambda: read_onnx(data, Limits(max_parameters=10_000)))
    assert str(error).startswith("initializer 'w': declares 1,000,000 values; the limit is 10,000 weights and biases")
    MEASURED["peak, 4 MB tensor over the parameter limit"] = peak
    assert peak < len(data)  # not even one copy of its data


def test_external_data_is_refused_without_opening_the_file(tmp_path):
    secret = tmp_path / "weights.bin"
    weight = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[3, 3], data_location=TensorProto.EXTERNAL)
    weight.external_data.add(key="location", value=str(secret))
    data = model([helper.make_node("Gemm", ["x", "w"], ["y"])], [weight], ["B", 3]).SerializeToString()
    error, peak = peak_bytes(lambda: read_onnx(data))
    assert str(error).startswith(
        "initializer 'w': its values are stored in an external file; mlpsim reads only self-contained"
    )
    assert not secret.exists()  # nothing was looked for, let alone created
    MEASURED["peak, external data"] = peak


def test_thousands_of_nodes_are_refused_by_count():
    nodes = [helper.make_node("Identity", [f"t{i}" if i else "x"], [f"t{i + 1}"]) for i in range(5000)]
    nodes.append(helper.make_node("Identity", ["t5000"], ["y"]))
    data = model(nodes, [], ["B", 3]).SerializeToString()
    error, peak = peak_bytes(lambda: read_onnx(data))
    assert str(error) == (
        "ONNX model: 5,001 nodes; at most 256 are read (16 per layer, 16 layers: set MLPSIM_MAX_LAYERS to change it)"
    )
    MEASURED["peak, 5,001 nodes"] = peak


def test_file_size_is_checked_before_parsing():
    data = torch_style([3, 2], ["relu"])[0].SerializeToString()
    error, peak = peak_bytes(lambda: read_onnx(data, Limits(max_file_bytes=50)))
    assert str(error) == (
        f"ONNX model: {len(data):,} bytes; the limit is 50 bytes (set MLPSIM_MAX_FILE_BYTES to change it)"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "ONNX model: not an ONNX file (an ONNX model starts with the byte 0x08; this starts with nothing)"),
        (
            b'{"format": "mlpsim.network"}',
            "ONNX model: not an ONNX file (an ONNX model starts with the byte 0x08; this starts with the byte 0x7b ('{', as JSON does))",
        ),
        (
            b"\x08\x07garbage\xff\xff",
            "ONNX model: the file is not a valid ONNX (protobuf) model; is it damaged or truncated?",
        ),
        (b"\x08\x07", "ONNX model: the file holds no ONNX graph (not an ONNX model, or a truncated one)"),
    ],
)
def test_not_an_onnx_model(data, message):
    with pytest.raises(ValidationError) as caught:
        read_onnx(data)
    assert str(caught.value) == message


def test_every_truncation_is_refused_or_reads_the_whole_network():
    """A protobuf cut at a field boundary still parses; then what is left must either be refused
    or (when only trailing fields such as the opset are lost) be the same network."""
    built, _ = torch_style([3, 4, 2], ["tanh", "sigmoid"])
    data = built.SerializeToString()
    whole = read_onnx(data)
    same = 0
    for length in range(len(data)):
        try:
            network = read_onnx(data[:length])
        except ValidationError:
            continue
        same += 1
        assert all(
            np.array_equal(a.weights, b.weights) and a.activation == b.activation
            for a, b in zip(network.layers, whole.layers)
        )
    assert same < 40  # nearly every cut is refused


def test_gemm_alpha_overflowing_the_weights_is_refused_by_name():
    weight = np.full((2, 2), 1e300)  # float64 weights: float32 ones times a float32 alpha stay finite
    built = model(
        [helper.make_node("Gemm", ["x", "w"], ["y"], alpha=1e30)],
        [numpy_helper.from_array(weight, "w")],
        ["B", 2],
        dtype=TensorProto.DOUBLE,
    )
    refusal(built, r"^W1\[1,1\]: expected a finite number, got inf$")


def test_non_finite_weights_are_named():
    weight = f32((2, 2))
    weight[1, 0] = np.nan
    built = model([helper.make_node("Gemm", ["x", "w"], ["y"])], [numpy_helper.from_array(weight, "w")], ["B", 2])
    refusal(built, r"^initializer 'w'\[1, 0\]: expected a finite number, got nan$")


# ---- writing --------------------------------------------------------------------------------


def random_network(activations, sizes) -> Network:
    layers = tuple(
        Layer(RNG.normal(size=(n, m)), RNG.normal(size=m), activation)
        for n, m, activation in zip(sizes, sizes[1:], activations)
    )
    return Network(sizes[0], layers, name="round trip")


@pytest.mark.parametrize("activation", ["linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax"])
def test_written_model_runs_in_onnxruntime_with_mlpsims_outputs(activation):
    network = random_network(["tanh", activation, activation], [5, 6, 4, 3])
    written = write_onnx(network)
    onnx.checker.check_model(onnx.load_from_string(written), full_check=True)
    inputs = RNG.normal(size=(500, 5))
    # float64 throughout; LeakyRelu's slope is a float32 attribute in ONNX (0.0099999998).
    tolerance = 3e-8 if activation == "leaky_relu" else 1e-13
    assert_agrees(
        f"write float64 ({activation})", run_onnxruntime(written, inputs), forward(network, inputs).output, tolerance
    )
    single = run_onnxruntime(written, inputs[:1])
    assert single.shape == (1, 3)
    written32 = write_onnx(network, "float32")
    assert_agrees(
        f"write float32 ({activation})",
        run_onnxruntime(written32, inputs.astype(np.float32)).astype(float),
        forward(network, inputs).output,
    )
    back = read_onnx(written)
    assert back.name == "round trip"
    for original, read in zip(network.layers, back.layers):
        assert np.array_equal(original.weights, read.weights) and np.array_equal(original.bias, read.bias)
        assert original.activation == read.activation


def test_read_network_file_routes_by_content():
    network = random_network(["relu"], [2, 2])
    from_json = read_network_file(dumps(network).encode())
    from_onnx = read_network_file(write_onnx(network))
    for read in (from_json, from_onnx):
        assert np.array_equal(read.layers[0].weights, network.layers[0].weights)


# ---- skl2onnx: real scikit-learn models ----------------------------------------------------


@pytest.fixture(scope="module")
def data():
    inputs = RNG.normal(size=(120, 5))
    return inputs, (inputs[:, 0] + inputs[:, 1] > 0).astype(int), RNG.integers(0, 3, 120)


def fitted(estimator, inputs, targets):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: a few iterations are enough here
        return estimator.fit(inputs, targets)


def skl2onnx_bytes(estimator, inputs) -> bytes:
    from skl2onnx import to_onnx

    options = {"zipmap": False} if hasattr(estimator, "predict_proba") else None
    return to_onnx(estimator, inputs[:1].astype(np.float32), options=options).SerializeToString()


def test_skl2onnx_multiclass_classifier(data):
    from sklearn.neural_network import MLPClassifier

    inputs, _, classes = data
    estimator = fitted(MLPClassifier((7, 4), activation="tanh", max_iter=40, random_state=0), inputs, classes)
    exported = skl2onnx_bytes(estimator, inputs)
    with pytest.raises(ValidationError, match=r"2 outputs \('label', 'probabilities'\)"):
        read_onnx(exported)
    network = read_onnx(exported, output="probabilities")
    assert [layer.activation for layer in network.layers] == ["tanh", "tanh", "softmax"]
    tests = RNG.normal(size=(500, 5)).astype(np.float32)
    assert_agrees(
        "skl2onnx MLPClassifier",
        forward(network, tests.astype(float)).output,
        run_onnxruntime(exported, tests, "probabilities"),
    )


def test_skl2onnx_binary_classifier_read_at_its_logistic_output(data):
    from sklearn.neural_network import MLPClassifier

    inputs, labels, _ = data
    estimator = fitted(MLPClassifier((6,), max_iter=40, random_state=0), inputs, labels)
    exported = skl2onnx_bytes(estimator, inputs)
    network = read_onnx(exported, output="out_activations_result")
    assert network.layer_sizes == (5, 6, 1) and network.layers[-1].activation == "sigmoid"
    with pytest.raises(ValidationError, match=r"\(Concat\)|\(Sub\)"):  # probabilities = [1 − p, p]
        read_onnx(exported, output="probabilities")
    tests = RNG.normal(size=(500, 5)).astype(np.float32)
    probabilities = run_onnxruntime(exported, tests, "probabilities")
    assert_agrees(
        "skl2onnx binary MLPClassifier", forward(network, tests.astype(float)).output[:, 0], probabilities[:, 1]
    )


def test_skl2onnx_regressor(data):
    from sklearn.neural_network import MLPRegressor

    inputs, _, _ = data
    estimator = fitted(
        MLPRegressor(hidden_layer_sizes=(8,), max_iter=40, random_state=0), inputs, inputs[:, 0] - inputs[:, 2]
    )
    exported = skl2onnx_bytes(estimator, inputs)
    network = read_onnx(exported)
    assert [layer.activation for layer in network.layers] == ["relu", "linear"]
    tests = RNG.normal(size=(500, 5)).astype(np.float32)
    assert_agrees(
        "skl2onnx MLPRegressor", forward(network, tests.astype(float)).output, run_onnxruntime(exported, tests)
    )


def test_skl2onnx_two_output_regressor_is_refused_at_its_reshape(data):
    """skl2onnx 1.20 ends a regressor with Reshape to [-1, 1], which for two outputs interleaves
    them into one column (onnxruntime returns 2B×1): not one row per input, so refused."""
    from sklearn.neural_network import MLPRegressor

    inputs, _, _ = data
    estimator = fitted(MLPRegressor(hidden_layer_sizes=(4,), max_iter=20, random_state=0), inputs, inputs[:, :2])
    exported = skl2onnx_bytes(estimator, inputs)
    assert run_onnxruntime(exported, inputs[:3].astype(np.float32)).shape == (6, 1)
    with pytest.raises(
        ValidationError, match=r"\(Reshape\): Reshape to -1×1 is not one row of features per input vector$"
    ):
        read_onnx(exported)


def test_randomly_damaged_models_are_refused_with_a_message_or_read():
    """Bytes changed at random in a torch-style and a tf2onnx-style model: every outcome is a
    network or an mlpsim error (a ValidationError or LimitError), never another exception or a
    RuntimeWarning (a signalling NaN widened, a string field that is not UTF-8, an attribute
    of the wrong type, a node output named like an initializer were each found this way)."""
    tf2onnx_style = model(
        [
            helper.make_node("Cast", ["x"], ["c"], to=TensorProto.FLOAT),
            helper.make_node("Reshape", ["c", "s"], ["r"]),
            helper.make_node("MatMul", ["r", "k"], ["m"]),
            helper.make_node("Add", ["m", "b"], ["a"]),
            helper.make_node("LeakyRelu", ["a"], ["l"], alpha=0.01),
            helper.make_node("Transpose", ["w2"], ["w2t"], perm=[1, 0]),
            helper.make_node("Gemm", ["l", "w2t", "b2"], ["g"], alpha=1.0, beta=1.0),
            helper.make_node("Softmax", ["g"], ["y"], axis=-1),
        ],
        [
            numpy_helper.from_array(np.array([-1, 4], dtype=np.int64), "s"),
            numpy_helper.from_array(f32((4, 3)), "k"),
            numpy_helper.from_array(f32((3,)), "b"),
            numpy_helper.from_array(f32((2, 3)), "w2"),
            numpy_helper.from_array(f32((2,)), "b2"),
        ],
        ["B", 4],
    )
    originals = [torch_style([4, 5, 3], ["relu", "softmax"], flatten_from=(2, 2))[0], tf2onnx_style]
    random = np.random.default_rng(1)
    outcomes = {"read": 0, "refused": 0}
    for original in originals:
        data = original.SerializeToString()
        read_onnx(data)
        for _ in range(3000):
            damaged = bytearray(data)
            for _ in range(random.integers(1, 4)):
                damaged[random.integers(0, len(damaged))] = random.integers(0, 256)
            try:
                read_onnx(bytes(damaged))
                outcomes["read"] += 1
            except ValidationError:
                outcomes["refused"] += 1
    assert outcomes["refused"] > 1000 and outcomes["read"] > 100, outcomes
