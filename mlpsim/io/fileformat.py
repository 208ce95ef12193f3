"""The ``mlpsim.network`` file format, version 1 (JSON). See docs/file-format.md.

Loading never trusts its input: the byte size is checked first, then JSON syntax (NaN and
Infinity literals, duplicate keys and absurd nesting are refused), then the structure, then the
declared sizes against the limits — all before any weight array is allocated. Every error names
the JSON path, e.g. ``layers[1].weights[2][0]: expected a finite number``.
"""

from __future__ import annotations

import codecs
import json
import math
import zlib
from collections.abc import Iterable
from typing import Any

import numpy as np

from mlpsim.core.activations import REGISTRY
from mlpsim.core.errors import LimitError, ValidationError
from mlpsim.core.limits import DEFAULT_LIMITS, Limits, variable
from mlpsim.core.network import Layer, Network
from mlpsim.core.numbertext import LARGEST_TEXT

FORMAT = "mlpsim.network"
VERSION = 1
_TOP_KEYS = {"format", "version", "input", "layers", "name"}
_INPUT_KEYS = {"size", "values", "name"}
_LAYER_KEYS = {"size", "activation", "weights", "bias", "name"}
_MAX_NAME_CHARS = 200


def network_to_dict(network: Network) -> dict[str, Any]:
    """The JSON-ready document for ``network`` (floats as Python floats: they round-trip exactly)."""
    document: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if network.name:
        document["name"] = network.name
    document["input"] = {"size": network.input_size, "values": network.input_values.tolist()}
    if network.input_name:
        document["input"]["name"] = network.input_name
    layers = []
    for layer in network.layers:
        entry: dict[str, Any] = {"size": layer.size, "activation": layer.activation}
        if layer.name:
            entry["name"] = layer.name
        entry["weights"] = layer.weights.tolist()
        entry["bias"] = layer.bias.tolist()
        layers.append(entry)
    document["layers"] = layers
    return document


def dumps(network: Network, compact: bool = False) -> str:
    """The file text. Readable by default: one line per weight row; ``compact`` for links."""
    document = network_to_dict(network)
    if compact:
        return json.dumps(document, separators=(",", ":"), allow_nan=False)
    return _readable(document, "") + "\n"


def _readable(value: Any, indent: str) -> str:
    inner = indent + "  "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(key)}: {_readable(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and value and all(isinstance(item, (dict, list)) for item in value):
        return "[\n" + ",\n".join(inner + _readable(item, inner) for item in value) + f"\n{indent}]"
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def loads(data: str | bytes, limits: Limits = DEFAULT_LIMITS) -> Network:
    """Parse and validate a network file, plain or gzip-compressed. Raises ValidationError (or
    LimitError) with a path."""
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError as error:  # a lone surrogate: no file can contain it
            raise ValidationError(f"file: not valid Unicode text ({error.reason} at character {error.start})") from None
    if data[:2] == _GZIP_MAGIC:
        data = _gunzipped(data, limits.max_file_bytes)
    limits.check_bytes(len(data), "network file", "max_file_bytes")
    document = parse_json(data)
    return network_from_dict(document, limits)


_GZIP_MAGIC = b"\x1f\x8b"


def _gunzipped(data: bytes, limit: int) -> bytes:
    """The text of a gzip file, never more than ``limit`` + 1 bytes of it (a small file can
    expand to gigabytes)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        text = inflater.decompress(data, limit + 1)
    except zlib.error as error:
        raise ValidationError(f"file: a damaged gzip file ({error})") from None
    if len(text) > limit:
        raise LimitError(
            f"network file: it expands to more than {limit:,} bytes (set {variable('max_file_bytes')} to change it)"
        )
    if not inflater.eof:
        raise ValidationError("file: a truncated gzip file (it ends before its data does)")
    return text


_UTF16_32_MARKS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _other_encoding(data: bytes) -> str:
    """'UTF-16' or 'UTF-32' when the bytes are text in one of those (by its byte-order mark, or
    the zero bytes that JSON's ASCII characters have there), else ''."""
    for mark, name in _UTF16_32_MARKS:
        if data.startswith(mark):
            return name
    head = data[: len(data[:64]) // 4 * 4]

    def zero_at(offsets: set[int], step: int) -> bool:
        return bool(head) and all(byte == 0 for index, byte in enumerate(head) if index % step in offsets)

    if zero_at({1, 2, 3}, 4) or zero_at({0, 1, 2}, 4):
        return "UTF-32"
    if zero_at({1}, 2) or zero_at({0}, 2):
        return "UTF-16"
    return ""


def parse_json(data: str | bytes) -> Any:
    """Strict JSON: no NaN/Infinity, no duplicate keys, no absurd nesting or integers.

    Each of these is refused with the JSON path where it occurs, e.g. ``layers[1].bias[0]: expected
    a finite number, got NaN``.
    """
    if isinstance(data, bytes):
        encoding = _other_encoding(data)
        if encoding:
            raise ValidationError(f"file: this is {encoding} text; save it as UTF-8 (a UTF-8 byte-order mark is fine)")
        try:
            data = data.decode("utf-8-sig")  # a byte-order mark at the start is accepted
        except UnicodeDecodeError as error:
            raise ValidationError(f"file: not UTF-8 text ({error.reason} at byte {error.start})") from None
    problems_seen: list[object] = []
    """Each refused literal or repeated key met while parsing (then located by _first_problem)."""

    def constant(name: str) -> _Refused:
        problems_seen.append(name)
        return _Refused(f"{name} is invalid JSON; expected a finite number")

    def integer(text: str) -> int | _Refused:
        if len(text.lstrip("-")) > _MAX_INTEGER_DIGITS:
            problems_seen.append(text)
            return _Refused(f"expected a finite number, got an integer of over {_MAX_INTEGER_DIGITS:,} digits")
        return int(text)

    def json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            problems_seen.append(pairs)
            return _ObjectWithDuplicate(result, duplicate=_first_repeated(key for key, _ in pairs))
        return result

    try:
        document = json.loads(data, parse_constant=constant, parse_int=integer, object_pairs_hook=json_object)
    except json.JSONDecodeError as error:
        raise ValidationError(f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise ValidationError("invalid JSON: nested too deeply") from None
    except ValueError as error:  # int() under a lower PYTHONINTMAXSTRDIGITS than ours
        raise ValidationError(f"invalid JSON: {error}") from None
    if problems_seen:
        where, message = _first_problem(document, "$") or ("$", "invalid JSON")
        raise ValidationError(f"{where}: {message}")
    return document


_MAX_INTEGER_DIGITS = 4300
"""Python's own cap for int(text); longer literals are refused with their path, not int()'s advice."""


class _Refused:
    """Stands in for a literal JSON allows (or Python can't read) but a network file may not hold,
    until the walk in parse_json finds its path."""

    def __init__(self, message: str) -> None:
        self.message = message


class _ObjectWithDuplicate(dict):
    """A JSON object whose ``duplicate`` key appeared more than once (json keeps the last value)."""

    def __init__(self, items: dict[str, Any], duplicate: str) -> None:
        super().__init__(items)
        self.duplicate = duplicate


def _first_repeated(keys: Iterable[str]) -> str:
    """The first key that was already seen (there is one)."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    raise ValueError("no key is repeated")


def _first_problem(value: Any, where: str) -> tuple[str, str] | None:
    """(JSON path, message) of the first refused literal or repeated key in document order."""
    if isinstance(value, _Refused):
        return where, value.message
    if isinstance(value, _ObjectWithDuplicate):
        return _join(where, value.duplicate), "duplicate key (each field may appear only once)"
    if isinstance(value, dict):
        children = ((_join(where, key), item) for key, item in value.items())
    elif isinstance(value, list):
        children = ((f"{where}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    for child_where, item in children:
        if isinstance(item, (dict, list, _Refused)):
            found = _first_problem(item, child_where)
            if found:
                return found
    return None


def network_from_dict(document: Any, limits: Limits = DEFAULT_LIMITS) -> Network:
    """Validate a parsed document and build the network (sizes checked before arrays are made)."""
    _expect_object(document, "$", _TOP_KEYS, required=("format", "version", "input", "layers"))
    if document["format"] != FORMAT:
        raise ValidationError(f"format: expected {FORMAT!r}, got {_short(document['format'])}")
    if type(document["version"]) is not int or document["version"] != VERSION:
        raise ValidationError(f"version: expected {VERSION}, got {_short(document['version'])}")
    name = _name(document, "name")
    source = document["input"]
    _expect_object(source, "input", _INPUT_KEYS, required=("size",))
    input_size = _size(source["size"], "input.size")
    layers_doc = document["layers"]
    if not isinstance(layers_doc, list) or not layers_doc:
        raise ValidationError("layers: expected a non-empty list of layers")
    if len(layers_doc) > limits.max_layers:
        raise LimitError(f"layers: {len(layers_doc)} layers; the limit is {limits.max_layers}")
    sizes = [input_size]
    for k, entry in enumerate(layers_doc):
        _expect_object(entry, f"layers[{k}]", _LAYER_KEYS, required=("size", "activation", "weights", "bias"))
        sizes.append(_size(entry["size"], f"layers[{k}].size"))
    limits.check_sizes(sizes, "network file")

    input_values = np.zeros(input_size)
    if "values" in source:
        input_values = _vector(source["values"], input_size, "input.values")
    layers = []
    for k, entry in enumerate(layers_doc):
        where = f"layers[{k}]"
        activation = entry["activation"]
        if not isinstance(activation, str) or activation not in REGISTRY:
            raise ValidationError(
                f"{where}.activation: unknown activation {_short(activation)}; choose one of {', '.join(REGISTRY)}"
            )
        weights = _matrix(entry["weights"], sizes[k], sizes[k + 1], f"{where}.weights")
        bias = _vector(entry["bias"], sizes[k + 1], f"{where}.bias")
        layers.append(Layer(weights=weights, bias=bias, activation=activation, name=_name(entry, "name", where)))
    return Network(
        input_size=input_size,
        layers=tuple(layers),
        input_values=input_values,
        name=name,
        input_name=_name(source, "name", "input"),
        limits=limits,
    )


def _expect_object(value: Any, where: str, allowed: set[str], required: tuple[str, ...]) -> None:
    if not isinstance(value, dict):
        place = "file" if where == "$" else where
        raise ValidationError(f"{place}: expected a JSON object, got {_type_name(value)}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValidationError(f"{_join(where, unknown[0])}: unknown field (allowed: {', '.join(sorted(allowed))})")
    for key in required:
        if key not in value:
            raise ValidationError(f"{_join(where, key)}: missing")


def _join(where: str, key: str) -> str:
    return key if where == "$" else f"{where}.{key}"


def _size(value: Any, where: str) -> int:
    if type(value) is not int or value < 1:
        raise ValidationError(f"{where}: expected a whole number ≥ 1, got {_short(value)}")
    return value


def _name(container: dict, key: str, where: str = "$") -> str:
    value = container.get(key, "")
    if not isinstance(value, str):
        raise ValidationError(f"{_join(where, key)}: expected text, got {_type_name(value)}")
    if len(value) > _MAX_NAME_CHARS:
        raise ValidationError(f"{_join(where, key)}: longer than {_MAX_NAME_CHARS} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # JSON escapes such as "\ud800" decode to text no page or file can show
        raise ValidationError(f"{_join(where, key)}: not valid Unicode text (a lone surrogate escape)") from None
    return value


def _vector(values: Any, length: int, where: str) -> np.ndarray:
    if not isinstance(values, list):
        raise ValidationError(f"{where}: expected a list of {length} numbers, got {_type_name(values)}")
    if len(values) != length:
        raise ValidationError(f"{where}: expected {length} numbers, got {len(values)}")
    return _numbers(values, where)


def _matrix(rows: Any, n_rows: int, n_columns: int, where: str) -> np.ndarray:
    if not isinstance(rows, list):
        raise ValidationError(f"{where}: expected a {n_rows}×{n_columns} list of lists, got {_type_name(rows)}")
    if len(rows) != n_rows:
        raise ValidationError(
            f"{where}: expected {n_rows} rows (one per neuron of the previous layer), got {len(rows)}"
        )
    matrix = np.empty((n_rows, n_columns))
    for i, row in enumerate(rows):
        matrix[i] = _vector(row, n_columns, f"{where}[{i}]")
    return matrix


def _numbers(values: list, where: str) -> np.ndarray:
    for j, value in enumerate(values):
        if type(value) is float:
            if not math.isfinite(value):  # a literal such as 1e999 parses as inf
                raise ValidationError(f"{where}[{j}]: expected a finite number, got one beyond {LARGEST_TEXT}")
        elif type(value) is int:
            try:
                float(value)
            except OverflowError:
                raise ValidationError(f"{where}[{j}]: expected a finite number, got an integer too large") from None
        else:
            raise ValidationError(f"{where}[{j}]: expected a finite number, got {_type_name(value)}")
    return np.array(values, dtype=float)


def _type_name(value: Any) -> str:
    for kind, name in (
        (bool, "true/false"),
        (dict, "an object"),
        (list, "a list"),
        (str, "text"),
        (type(None), "null"),
        (int, "a whole number"),
        (float, "a number"),
    ):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _short(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, (str, int, float, bool, type(None))) else _type_name(value)
    return text if len(text) <= 40 else text[:37] + "..."
