"""ONNX in and out: a fully connected network read from an ``.onnx`` model, and written as one.

Reading accepts the graphs that ``torch.onnx.export``, tf2onnx and skl2onnx produce for a stack
of Linear/Dense layers: ``Gemm`` (any ``transB``, ``alpha``, ``beta``) or ``MatMul`` + ``Add``,
constant weights possibly behind ``Transpose``/``Identity``/``Cast`` nodes, a ``Flatten`` or
``Reshape`` of the input to one row of features, ``Identity``, ``Cast`` to a float type and
``Dropout`` in inference mode (all three pass the values through), each layer followed by
``Relu``, ``LeakyRelu`` (slope 0.01 only, mlpsim's), ``Tanh``, ``Sigmoid``, ``Softmax`` over
the last axis, or nothing. Anything else on the way from the input to the output is refused
with a ValidationError naming the node and its op type.

Weights land in the article's orientation, N×M with row i = source neuron, whatever the
exporter's: PyTorch's Linear stores its weight M×N and exports ``Gemm(transB=1)``; that matrix
is transposed here. float32 initializers are widened to float64 exactly (every float32 is a
float64), so mlpsim computes with the model's own numbers in double precision; onnxruntime
computes the same float32 model in float32, so the two agree to about 1e-7 relative, not to
the last bit.

Hostile files cost nothing: the byte size is checked before parsing, the node count before the
graph is read, and every tensor's declared dimensions against mlpsim.core.limits before a byte of
it is converted. Tensors stored outside the file (external data) are refused, never opened.
Nothing is unpickled: ONNX is protobuf, parsed by the ``onnx`` package's generated classes.

Writing (``write_onnx``) produces opset 17, IR version 8, float64 by default: one ``Gemm``
(transB=0, the N×M matrix as stored) per layer and its activation node. onnxruntime's CPU
kernels run every one of these ops in float64 at opset 17 (LeakyRelu has a float64 kernel from
opset 16 on). ONNX stores LeakyRelu's slope as a float32 attribute, so onnxruntime uses
0.0099999998 where mlpsim uses 0.01: values on the negative side differ by ≤ 2.3e-8 relative.
``precision="float32"`` writes float32 weights and values, for runtimes without float64.

The ``onnx`` package is imported only when a model is read or written (``pip install
'mlpsim[onnx]'``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mlpsim.core.activations import LEAKY_RELU_SLOPE
from mlpsim.core.errors import LimitError, MlpsimError, ValidationError
from mlpsim.core.limits import DEFAULT_LIMITS, Limits, variable
from mlpsim.core.network import Layer, Network

OPSET = 17
IR_VERSION = 8
PRODUCER = "mlpsim"
INPUT_NAME = "input"
OUTPUT_NAME = "output"
NODES_PER_LAYER = 16
"""A graph may have at most this many nodes per layer the limits allow (256 by default): more
than any exporter writes for a dense layer (skl2onnx writes 15 for a whole two-layer classifier)."""
_MAX_NAME_CHARS = 200
_MAX_RANK = 8

# TensorProto data types (onnx.TensorProto.DataType), used without importing onnx.
_UNDEFINED, _FLOAT, _INT32, _INT64, _BOOL, _DOUBLE = 0, 1, 6, 7, 9, 11
_TYPE_NAMES = {
    1: "float32",
    2: "uint8",
    3: "int8",
    4: "uint16",
    5: "int16",
    6: "int32",
    7: "int64",
    8: "string",
    9: "bool",
    10: "float16",
    11: "float64",
    12: "uint32",
    13: "uint64",
    14: "complex64",
    15: "complex128",
    16: "bfloat16",
}
_FLOAT_TYPES = {_FLOAT: "<f4", _DOUBLE: "<f8"}
_EXTERNAL = 1  # TensorProto.DataLocation.EXTERNAL

_ACTIVATION_OPS = {
    "Relu": "relu",
    "LeakyRelu": "leaky_relu",
    "Tanh": "tanh",
    "Sigmoid": "sigmoid",
    "Softmax": "softmax",
}
_OPS_OF_ACTIVATION = {name: op for op, name in _ACTIVATION_OPS.items()}
_DEFAULT_DOMAINS = ("", "ai.onnx")
ONNX_MAGIC = b"\x08"
"""The first byte of every ONNX file: protobuf's tag of field 1 (ir_version), a varint, which
every serializer writes first. JSON starts with '{' (or a byte-order mark), gzip with 0x1f."""


def _onnx():
    try:
        import onnx
    except ImportError:
        raise MlpsimError("reading or writing ONNX needs the onnx package: pip install 'mlpsim[onnx]'") from None
    return onnx


def looks_like_onnx(data: bytes) -> bool:
    """True when ``data`` starts as an ONNX model does (see ONNX_MAGIC); JSON and gzip never do."""
    return data[:1] == ONNX_MAGIC


def read_network_file(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Network:
    """A network from a file's bytes, whichever format they are in: an ONNX model, or mlpsim's
    JSON file (plain or gzip). The one entry point for opening a file the user chose."""
    from mlpsim.io.fileformat import loads

    return read_onnx(data, limits) if looks_like_onnx(data) else loads(data, limits)


# ---- reading -------------------------------------------------------------------------------


def read_onnx(data: bytes, limits: Limits = DEFAULT_LIMITS, output: str | None = None) -> Network:
    """The network of an ONNX model's bytes.

    ``output`` names the tensor the network ends at: needed when the model has several outputs
    (skl2onnx's classifiers have a label and the probabilities; for a binary classifier the
    logistic output is the tensor ``out_activations_result``). Any tensor of the graph may be
    named. Raises ValidationError (LimitError for sizes) naming what is wrong.
    """
    limits.check_bytes(len(data), "ONNX model", "max_file_bytes")
    model = _parsed(data)
    graph = model.graph
    node_cap = NODES_PER_LAYER * limits.max_layers
    if len(graph.node) > node_cap:
        raise LimitError(
            f"ONNX model: {len(graph.node):,} nodes; at most {node_cap} are read ({NODES_PER_LAYER} per layer, "
            f"{limits.max_layers} layers: set {variable('max_layers')} to change it)"
        )
    opset = _default_opset(model)
    constants = _Constants(graph, limits)
    input_info = _single_input(graph, constants)
    end = _chosen_output(graph, output)
    path = _path_to(graph, input_info.name, end, constants)
    builder = _Builder(limits=limits, shape=_input_shape(input_info), opset=opset)
    for index, node in path:
        builder.apply(index, node, constants)
    name = " ".join(_text(graph.name).split())[:_MAX_NAME_CHARS]
    return builder.network(name)


def _parsed(data: bytes):
    if not looks_like_onnx(data):
        start = (
            "nothing"
            if not data
            else f"the byte 0x{data[0]:02x}" + (" ('{', as JSON does)" if data[:1] == b"{" else "")
        )
        raise ValidationError(
            f"ONNX model: not an ONNX file (an ONNX model starts with the byte 0x08; this starts with {start})"
        )
    onnx = _onnx()
    from google.protobuf.message import DecodeError

    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except DecodeError:
        raise ValidationError(
            "ONNX model: the file is not a valid ONNX (protobuf) model; is it damaged or truncated?"
        ) from None
    if model.ir_version < 1 or not model.HasField("graph"):
        raise ValidationError("ONNX model: the file holds no ONNX graph (not an ONNX model, or a truncated one)")
    return model


def _default_opset(model) -> int:
    versions = [entry.version for entry in model.opset_import if entry.domain in _DEFAULT_DOMAINS]
    return max(versions) if versions else 1


def _label(index: int, node) -> str:
    """'node 3 "fc1" (Conv)': position from 1, the node's name if it has one, its op type."""
    name = f" {_short(node.name)!r}" if node.name else ""
    return f"node {index + 1}{name} ({_short(node.op_type) or 'no op type'})"


def _text(text: str | bytes) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else text


def _short(text: str | bytes) -> str:
    """A name for a message, at most 60 characters. (protobuf hands over a string field that is
    not valid UTF-8 as bytes.)"""
    text = _text(text)
    return text if len(text) <= 60 else text[:57] + "..."


class _Constants:
    """The graph's constant tensors by name: initializers, Constant nodes, and what Transpose,
    Identity and Cast nodes make of constants (torch writes Transpose(weight) → MatMul). Each is
    converted to a float64 (or int64) array on first use, after its declared sizes passed the
    limits."""

    _FOLDED_OPS = ("Constant", "Transpose", "Identity", "Cast")

    def __init__(self, graph, limits: Limits) -> None:
        self.limits = limits
        self.tensors: dict[str, Any] = {}
        self.sparse = {tensor.values.name for tensor in graph.sparse_initializer}
        for tensor in graph.initializer:
            if tensor.name in self.tensors:
                raise ValidationError(f"ONNX model: two initializers are named {_short(tensor.name)!r}")
            self.tensors[tensor.name] = tensor
        self.foldable: dict[str, tuple[int, Any]] = {}
        for index, node in enumerate(graph.node):
            if node.op_type in self._FOLDED_OPS and node.domain in _DEFAULT_DOMAINS and len(node.output) >= 1:
                self.foldable.setdefault(node.output[0], (index, node))
        self.cache: dict[str, np.ndarray] = {}

    def __contains__(self, name: str) -> bool:
        # Graph order is topological, so a chain of folds ends within the node count.
        for _ in range(len(self.foldable) + 1):
            if name in self.tensors:
                return True
            if name not in self.foldable:
                return False
            node = self.foldable[name][1]
            if node.op_type == "Constant":
                return True
            if len(node.input) != 1:
                return False
            name = node.input[0]
        return False

    def array(self, name: str, where: str) -> np.ndarray:
        if name in self.cache:
            return self.cache[name]
        if name in self.tensors:
            array = tensor_array(self.tensors[name], f"initializer {_short(name)!r}", self.limits)
        elif name in self.foldable and name in self:
            array = self._folded(*self.foldable[name])
        elif name in self.sparse:
            raise ValidationError(f"{where}: {_short(name)!r} is a sparse initializer; mlpsim reads dense tensors only")
        else:
            raise ValidationError(f"{where}: {_short(name)!r} is neither an initializer nor a constant")
        self.cache[name] = array
        return array

    def _folded(self, index: int, node) -> np.ndarray:
        where = _label(index, node)
        if node.op_type == "Constant":
            return self._constant_node(where, node)
        values = self.array(node.input[0], where)
        attributes = _attributes(node, where)
        if node.op_type == "Transpose":
            perm = attributes.get("perm") or list(reversed(range(values.ndim)))
            if sorted(perm) != list(range(values.ndim)):
                raise ValidationError(f"{where}: perm={perm} is not a permutation of {values.ndim} axes")
            return values.transpose(perm)
        if node.op_type == "Cast" and attributes.get("to") not in (*_FLOAT_TYPES, _INT64, _INT32):
            kind = _TYPE_NAMES.get(attributes.get("to", _UNDEFINED), "a type")
            raise ValidationError(f"{where}: casts a constant to {kind}; mlpsim reads float weights only")
        if node.op_type == "Cast" and attributes.get("to") == _FLOAT:
            return values.astype(np.float32).astype(np.float64)  # the rounding the model asks for
        return values

    def _constant_node(self, where: str, node) -> np.ndarray:
        if len(node.attribute) != 1:
            raise ValidationError(f"{where}: expected exactly one value attribute")
        attribute = node.attribute[0]
        if attribute.name == "value":
            return tensor_array(attribute.t, where, self.limits)
        if attribute.name == "value_float":
            return np.array(attribute.f, dtype=float)
        if attribute.name == "value_int":
            return np.array(attribute.i, dtype=np.int64)
        if attribute.name in ("value_floats", "value_ints"):
            values = attribute.floats if attribute.name == "value_floats" else attribute.ints
            _check_dims((len(values),), where, self.limits)
            return np.array(values, dtype=float if attribute.name == "value_floats" else np.int64)
        raise ValidationError(f"{where}: a constant of kind {_short(attribute.name)!r} is not a number tensor")


def _check_dims(dims, where: str, limits: Limits) -> int:
    """The number of values of a tensor with these dimensions, once they are within the limits
    (rank ≤ 8, each ≤ max_layer_size, total ≤ max_parameters); LimitError otherwise."""
    dims = list(dims)
    if len(dims) > _MAX_RANK:
        raise LimitError(f"{where}: {len(dims)} dimensions; a dense layer's tensors have at most 2")
    for dim in dims:
        if dim < 0:
            raise ValidationError(f"{where}: a negative dimension ({dim})")
        if dim > limits.max_layer_size:
            shape = "×".join(f"{d:,}" for d in dims)
            raise LimitError(
                f"{where}: declared shape {shape}, beyond the limit of {limits.max_layer_size:,} neurons per layer "
                f"(set {variable('max_layer_size')} to change it)"
            )
    count = math.prod(dims)
    if count > limits.max_parameters:
        raise LimitError(
            f"{where}: declares {count:,} values; the limit is {limits.max_parameters:,} weights and biases "
            f"(set {variable('max_parameters')} to change it)"
        )
    return count


def tensor_array(tensor, where: str, limits: Limits = DEFAULT_LIMITS) -> np.ndarray:
    """A TensorProto's values as float64 (float32 widened exactly) or int64 (integers and
    booleans), shaped as declared.

    The dimensions are checked against ``limits`` and the stored data's length against them
    before anything is converted; external data is refused without being opened.
    """
    if tensor.data_location == _EXTERNAL or len(tensor.external_data):
        raise ValidationError(
            f"{where}: its values are stored in an external file; mlpsim reads only self-contained .onnx files "
            f"(save the model with its weights inside it)"
        )
    count = _check_dims(tensor.dims, where, limits)
    kind = tensor.data_type
    if kind in _FLOAT_TYPES:
        stored = tensor.float_data if kind == _FLOAT else tensor.double_data
        dtype = np.dtype(_FLOAT_TYPES[kind])
    elif kind == _INT64:
        stored, dtype = tensor.int64_data, np.dtype("<i8")
    elif kind in (_INT32, _BOOL):  # bool (Dropout's training_mode) is stored in int32_data too
        stored, dtype = tensor.int32_data, np.dtype("<i4" if kind == _INT32 else "?")
    else:
        raise ValidationError(
            f"{where}: values of type {_TYPE_NAMES.get(kind, f'number {kind}')}; mlpsim reads float32 and "
            f"float64 weights (convert the model to float32 first)"
        )
    if tensor.HasField("raw_data"):
        if len(tensor.raw_data) != count * dtype.itemsize:
            raise ValidationError(
                f"{where}: declares {count:,} values but stores {len(tensor.raw_data):,} bytes "
                f"({count * dtype.itemsize:,} expected); the file is damaged or truncated"
            )
        values = np.frombuffer(tensor.raw_data, dtype=dtype)
    else:
        if len(stored) != count:
            raise ValidationError(
                f"{where}: declares {count:,} values but stores {len(stored):,}; the file is damaged or truncated"
            )
        values = np.array(stored, dtype=dtype)
    target = np.float64 if dtype.kind == "f" else np.int64
    with np.errstate(invalid="ignore"):  # a signalling NaN raises "invalid" when widened; refused below
        array = values.astype(target).reshape(tuple(tensor.dims))
    if target is np.float64:
        bad = np.argwhere(~np.isfinite(array))
        if bad.size:
            index = ", ".join(str(int(i)) for i in bad[0])
            raise ValidationError(f"{where}[{index}]: expected a finite number, got {array[tuple(bad[0])]}")
    return array


@dataclass(frozen=True)
class _InputInfo:
    name: str
    elem_type: int
    dims: tuple[int | None, ...] | None
    """Declared dimensions (None for a symbolic or missing one); None when no shape is declared."""


def _single_input(graph, constants: _Constants) -> _InputInfo:
    """The one graph input that is not an initializer (IR < 4 lists initializers as inputs too)."""
    inputs = [value for value in graph.input if value.name not in constants]
    if len(inputs) != 1:
        names = ", ".join(repr(_short(value.name)) for value in inputs[:5]) or "none"
        raise ValidationError(
            f"ONNX model: {len(inputs)} inputs ({names}); mlpsim reads networks with exactly one input"
        )
    value = inputs[0]
    if not value.type.HasField("tensor_type"):
        raise ValidationError(f"ONNX model: input {_short(value.name)!r} is not a tensor")
    tensor_type = value.type.tensor_type
    if tensor_type.elem_type not in _FLOAT_TYPES:
        kind = _TYPE_NAMES.get(tensor_type.elem_type, f"number {tensor_type.elem_type}")
        raise ValidationError(
            f"ONNX model: input {_short(value.name)!r} holds {kind} values; mlpsim reads float inputs"
        )
    dims = None
    if tensor_type.HasField("shape"):
        dims = tuple(dim.dim_value if dim.HasField("dim_value") else None for dim in tensor_type.shape.dim)
    return _InputInfo(value.name, tensor_type.elem_type, dims)


def _chosen_output(graph, output: str | None) -> str:
    if output is not None:
        return output
    names = [value.name for value in graph.output]
    if len(names) != 1:
        listed = ", ".join(repr(_short(name)) for name in names[:5]) or "none"
        raise ValidationError(
            f"ONNX model: {len(names)} outputs ({listed}); name the one the network ends at "
            f"(output=... in Python, --output-name on the command line)"
        )
    return names[0]


def _path_to(graph, input_name: str, end: str, constants: _Constants) -> list[tuple[int, Any]]:
    """The nodes that compute ``end`` from the input, input first: a chain, each node taking
    exactly one value computed from the input (its other inputs are constants)."""
    producers: dict[str, tuple[int, Any]] = {}
    computed = {input_name}
    for index, node in enumerate(graph.node):
        for name in node.output:
            if name:
                if name in producers or name in constants.tensors:
                    raise ValidationError(
                        f"{_label(index, node)}: its output {_short(name)!r} is also computed by another node or stored "
                        f"as an initializer"
                    )
                producers[name] = (index, node)
        if any(name in computed for name in node.input):
            computed.update(name for name in node.output if name)
    if end != input_name and end not in producers:
        raise ValidationError(f"ONNX model: no node computes the output {_short(end)!r} (is the file truncated?)")
    path: list[tuple[int, Any]] = []
    current = end
    while current != input_name:
        if current not in producers:
            raise ValidationError(f"ONNX model: {_short(current)!r} is used but no node computes it")
        index, node = producers[current]
        data_inputs = [name for name in node.input if name in computed]
        if not data_inputs:
            raise ValidationError(
                f"ONNX model: the output {_short(end)!r} does not depend on the input {_short(input_name)!r}"
            )
        if len(set(data_inputs)) > 1:
            raise ValidationError(
                f"{_label(index, node)} combines {len(set(data_inputs))} values computed from the input (a branch); "
                f"mlpsim reads a chain of layers, each with constant weights"
            )
        if node.output[0] != current:
            raise ValidationError(
                f"{_label(index, node)}: the network would use its output {_short(current)!r}, not its first "
                f"output; mlpsim reads only layers' main outputs"
            )
        path.append((index, node))
        current = data_inputs[0]
        if len(path) > len(graph.node):
            raise ValidationError("ONNX model: the graph has a cycle")
    if not path:
        raise ValidationError("ONNX model: the output is the input itself; there is no layer")
    path.reverse()
    return path


def _input_shape(info: _InputInfo) -> _Shape:
    """The input's shape as the builder tracks it: rank and the feature dimensions after the
    batch one (a rank-1 input is one vector, without a batch dimension)."""
    if info.dims is None:
        return _Shape(rank=2, features=(None,))
    if len(info.dims) == 0:
        raise ValidationError(f"ONNX model: input {_short(info.name)!r} is a single number, not a vector")
    if len(info.dims) == 1:
        return _Shape(rank=1, features=info.dims)
    return _Shape(rank=len(info.dims), features=info.dims[1:])


@dataclass(frozen=True)
class _Shape:
    rank: int
    features: tuple[int | None, ...]
    """Dimensions after the batch one (all of them for rank 1); None where unknown."""

    @property
    def width(self) -> int | None:
        if len(self.features) != 1:
            return None
        return self.features[0]

    def flat(self) -> _Shape:
        dims = [dim for dim in self.features if dim is not None]
        known = math.prod(dims) if len(dims) == len(self.features) else None
        return _Shape(rank=2, features=(known,))


@dataclass
class _Builder:
    """Folds the chain's nodes into layers: a matrix product opens a layer (closing the one
    before it as linear), Add adds to its bias, an activation closes it."""

    limits: Limits
    shape: _Shape
    opset: int
    input_size: int | None = None
    layers: list[Layer] = field(default_factory=list)
    weights: np.ndarray | None = None
    bias: np.ndarray | None = None

    def apply(self, index: int, node, constants: _Constants) -> None:
        where = _label(index, node)
        if node.domain not in _DEFAULT_DOMAINS:
            raise ValidationError(f"{where}: operators of domain {_short(node.domain)!r} are not read by mlpsim")
        op = node.op_type
        if op in ("Gemm", "MatMul"):
            self._product(where, node, constants)
        elif op == "Add":
            self._add(where, node, constants)
        elif op in _ACTIVATION_OPS:
            self._activation(where, node)
        elif op in ("Identity", "Dropout", "Cast"):
            self._pass_through(where, node, constants)
        elif op in ("Flatten", "Reshape"):
            self._flatten(where, node, constants)
        elif op == "Transpose":
            self._transpose(where, node)
        else:
            raise ValidationError(
                f"{where}: the {_short(op)} operator is not part of a fully connected network; mlpsim reads "
                f"Gemm or MatMul + Add layers with Relu, LeakyRelu, Tanh, Sigmoid or Softmax"
            )

    def _data_and_constants(self, node, constants: _Constants) -> tuple[int, list[str]]:
        """The position of the data input among the node's inputs, and the names of the others."""
        others = [name for name in node.input if name in constants]
        data = [position for position, name in enumerate(node.input) if name and name not in constants]
        return data[0], others

    def _product(self, where: str, node, constants: _Constants) -> None:
        position, _ = self._data_and_constants(node, constants)
        inputs = list(node.input)
        attributes = _attributes(node, where)
        if position != 0:
            raise ValidationError(f"{where}: multiplies a constant by the values from the left; mlpsim reads x·W")
        if self.shape.rank > 2 or len(self.shape.features) != 1:
            raise ValidationError(
                f"{where}: its input has {self.shape.rank} dimensions; flatten it to one row of features first"
            )
        if len(inputs) < 2 or not inputs[1]:
            raise ValidationError(f"{where}: has no weight matrix")
        matrix = self._folded(inputs[1], where, constants)
        if matrix.ndim != 2:
            raise ValidationError(f"{where}: its weights have {matrix.ndim} dimensions; a dense layer's have 2")
        bias = None
        if node.op_type == "Gemm":
            if attributes.get("transA", 0):
                raise ValidationError(f"{where}: transA=1 (the values transposed); mlpsim reads Gemm with transA=0")
            if attributes.get("transB", 0):
                matrix = matrix.T
            # An overflow to ±inf is refused by Network, naming the weight (W1[i,j]).
            with np.errstate(over="ignore", invalid="ignore"):
                matrix = matrix * float(attributes.get("alpha", 1.0))
                if len(inputs) > 2 and inputs[2]:
                    bias = float(attributes.get("beta", 1.0)) * self._bias(inputs[2], matrix.shape[1], where, constants)
        self._close("linear")
        width = self.shape.width
        if width is not None and matrix.shape[0] != width:
            raise ValidationError(
                f"{where}: its weights have {matrix.shape[0]} rows, but the values coming in have {width}"
            )
        if self.input_size is None:
            self.input_size = matrix.shape[0]
        sizes = [self.input_size, *(layer.size for layer in self.layers), matrix.shape[1]]
        self.limits.check_sizes(sizes, "ONNX model")
        self.weights = matrix
        self.bias = np.zeros(matrix.shape[1]) if bias is None else bias
        self.shape = _Shape(rank=2 if node.op_type == "Gemm" else self.shape.rank, features=(matrix.shape[1],))

    def _folded(self, name: str, where: str, constants: _Constants) -> np.ndarray:
        """A constant input (weights, bias, shape), folded through the nodes _Constants folds."""
        if name in constants:
            return constants.array(name, where)
        raise ValidationError(
            f"{where}: its input {_short(name)!r} is computed, not stored; mlpsim reads constant weights and biases"
        )

    def _bias(self, name: str, size: int, where: str, constants: _Constants) -> np.ndarray:
        values = self._folded(name, where, constants)
        if values.shape not in ((), (1,), (size,), (1, size)):
            shape = "×".join(map(str, values.shape)) or "a single number"
            raise ValidationError(f"{where}: a bias of shape {shape} does not add one number per neuron ({size})")
        return np.broadcast_to(values.reshape(-1), (size,)).astype(float)

    def _add(self, where: str, node, constants: _Constants) -> None:
        _, others = self._data_and_constants(node, constants)
        if self.weights is None:
            raise ValidationError(
                f"{where}: adds to values that no MatMul or Gemm computed; mlpsim reads Add as a layer's bias"
            )
        if len(others) != 1:
            raise ValidationError(f"{where}: expected one constant to add")
        with np.errstate(over="ignore", invalid="ignore"):  # ±inf is refused by Network, naming b{k}[j]
            self.bias = self.bias + self._bias(others[0], self.weights.shape[1], where, constants)

    def _activation(self, where: str, node) -> None:
        if self.weights is None:
            raise ValidationError(
                f"{where}: applies an activation to values that no MatMul or Gemm computed; mlpsim's layers are "
                f"a weighted sum and then one activation"
            )
        attributes = _attributes(node, where)
        if node.op_type == "LeakyRelu":
            alpha = attributes.get("alpha", 0.01)
            if np.float32(alpha) != np.float32(LEAKY_RELU_SLOPE):
                raise ValidationError(
                    f"{where}: LeakyRelu with slope alpha={alpha:.6g}; mlpsim's leaky ReLU has slope {LEAKY_RELU_SLOPE} only"
                )
        if node.op_type == "Softmax":
            axis = attributes.get("axis", -1 if self.opset >= 13 else 1)
            if axis not in (-1, self.shape.rank - 1):
                raise ValidationError(
                    f"{where}: Softmax over axis {axis} of {self.shape.rank}; mlpsim's softmax is over the layer's "
                    f"neurons, the last axis"
                )
        self._close(_ACTIVATION_OPS[node.op_type])

    def _pass_through(self, where: str, node, constants: _Constants) -> None:
        attributes = _attributes(node, where)
        if node.op_type == "Cast" and attributes.get("to") not in _FLOAT_TYPES:
            kind = _TYPE_NAMES.get(attributes.get("to", _UNDEFINED), "a type")
            raise ValidationError(f"{where}: casts the values to {kind}; mlpsim reads float values only")
        if node.op_type == "Dropout":
            if self.opset < 7 and attributes.get("is_test", 0) == 0:
                raise ValidationError(f"{where}: Dropout in training mode (is_test=0); export the model in eval mode")
            if len(node.input) > 2 and node.input[2]:
                if node.input[2] not in constants:
                    raise ValidationError(f"{where}: Dropout whose training mode is computed at run time")
                if bool(np.asarray(constants.array(node.input[2], where)).any()):
                    raise ValidationError(f"{where}: Dropout in training mode; export the model in eval mode")

    def _flatten(self, where: str, node, constants: _Constants) -> None:
        if node.op_type == "Flatten":
            axis = _attributes(node, where).get("axis", 1)
            if self.shape.rank == 1 or axis not in (1, 1 - self.shape.rank):
                raise ValidationError(
                    f"{where}: Flatten(axis={axis}) of {self.shape.rank}-dimensional values changes more than the "
                    f"layout of one row of features"
                )
            self.shape = self.shape.flat()
            return
        if _attributes(node, where).get("allowzero", 0):
            raise ValidationError(f"{where}: Reshape with allowzero=1; mlpsim reads the usual Reshape (allowzero=0)")
        if len(node.input) < 2 or not node.input[1]:
            raise ValidationError(f"{where}: Reshape without its shape input")
        target = [int(dim) for dim in self._folded(node.input[1], where, constants).reshape(-1)]
        width = self.shape.flat().width
        fits = (lambda dim: dim == -1 or dim == width) if width is not None else (lambda dim: dim == -1 or dim > 0)
        if self.shape.rank == 1 and len(target) == 1 and fits(target[0]):
            return  # a vector stays that vector
        batch = (-1, 1) if self.shape.rank == 1 else (-1, 0, 1)
        if len(target) == 2 and target[0] in batch and fits(target[1]) and target != [-1, -1]:
            self.shape = _Shape(rank=2, features=(width if target[1] == -1 else target[1],))
            return
        shown = "×".join(map(str, target))
        raise ValidationError(f"{where}: Reshape to {shown} is not one row of features per input vector")

    def _transpose(self, where: str, node) -> None:
        perm = list(_attributes(node, where).get("perm", []))
        if self.shape.rank == 1 or perm == list(range(self.shape.rank)):
            return
        raise ValidationError(
            f"{where}: transposes the values themselves (perm={perm}); mlpsim reads one row of features"
        )

    def _close(self, activation: str) -> None:
        if self.weights is None or self.bias is None:  # set together (the bias zeros when none is added)
            return
        self.layers.append(Layer(weights=self.weights, bias=self.bias, activation=activation))
        self.weights = self.bias = None

    def network(self, name: str) -> Network:
        self._close("linear")
        if not self.layers or self.input_size is None:  # the first layer sets the input size
            raise ValidationError("ONNX model: it has no Gemm or MatMul layer between its input and its output")
        return Network(input_size=self.input_size, layers=tuple(self.layers), name=name, limits=self.limits)


_ATTRIBUTE_KINDS = {
    "alpha": 1,
    "beta": 1,
    "transA": 2,
    "transB": 2,
    "axis": 2,
    "to": 2,
    "is_test": 2,
    "allowzero": 2,
    "perm": 7,
}
"""AttributeProto types (1 FLOAT, 2 INT, 7 INTS) of the attributes the ops read use."""


def _attributes(node, where: str) -> dict[str, Any]:
    """A node's attributes that mlpsim reads, by name; ValidationError for one of the wrong type."""
    values: dict[str, Any] = {}
    for attribute in node.attribute:
        kind = _ATTRIBUTE_KINDS.get(attribute.name)
        if kind is None:
            continue
        if attribute.type != kind:
            raise ValidationError(f"{where}: attribute {attribute.name} has the wrong type")
        values[attribute.name] = attribute.f if kind == 1 else attribute.i if kind == 2 else list(attribute.ints)
    return values


# ---- writing -------------------------------------------------------------------------------


def write_onnx(network: Network, precision: str = "float64") -> bytes:
    """The bytes of an ONNX model computing ``network``: input ``input`` of shape (batch, N0),
    output ``output`` of shape (batch, NL); one Gemm (the N×M matrix as stored, transB=0) and
    one activation node per layer. ``precision``: "float64" (weights exactly) or "float32"."""
    onnx = _onnx()
    from onnx import helper, numpy_helper

    if precision not in ("float64", "float32"):
        raise ValidationError(f"precision {precision!r}: choose float64 or float32")
    dtype = np.dtype(precision)
    element = onnx.TensorProto.DOUBLE if precision == "float64" else onnx.TensorProto.FLOAT
    nodes, initializers = [], []
    current = INPUT_NAME
    for k, layer in enumerate(network.layers, start=1):
        last = k == len(network.layers)
        weighted = OUTPUT_NAME if last and layer.activation == "linear" else f"z{k}"
        initializers += [
            numpy_helper.from_array(layer.weights.astype(dtype), f"W{k}"),
            numpy_helper.from_array(layer.bias.astype(dtype), f"b{k}"),
        ]
        nodes.append(helper.make_node("Gemm", [current, f"W{k}", f"b{k}"], [weighted], name=f"layer{k}"))
        current = weighted
        if layer.activation != "linear":
            activated = OUTPUT_NAME if last else f"a{k}"
            attributes: dict[str, Any] = {"alpha": LEAKY_RELU_SLOPE} if layer.activation == "leaky_relu" else {}
            if layer.activation == "softmax":
                attributes = {"axis": -1}
            op = _OPS_OF_ACTIVATION[layer.activation]
            nodes.append(helper.make_node(op, [current], [activated], name=f"{op.lower()}{k}", **attributes))
            current = activated
    graph = helper.make_graph(
        nodes,
        network.name,
        [helper.make_tensor_value_info(INPUT_NAME, element, ["batch", network.input_size])],
        [helper.make_tensor_value_info(OUTPUT_NAME, element, ["batch", network.layer_sizes[-1]])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name=PRODUCER)
    model.ir_version = IR_VERSION
    return model.SerializeToString()
