"""Fuzzing the network-file loader: every input ends in a Network or a clear ValidationError.

Two sources of hostile input: a mutation corpus grown from valid documents (truncations, wrong
types, NaN/Infinity literals, huge numbers, deep nesting, duplicate keys, wrong versions,
oversized declarations and files, random bytes) and hypothesis strategies. Each test prints how
many inputs it tried (`pytest -s`). ``MLPSIM_FUZZ_SCALE=10`` multiplies every count for a longer
run; the default keeps the file under ~30 s.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlpsim.core.errors import LimitError, ValidationError
from mlpsim.core.limits import Limits
from mlpsim.core.network import Layer, Network
from mlpsim.io.fileformat import dumps, loads
from mlpsim.io.presets import seed_example, xor
from tests.mutations import mutated

SCALE = int(os.environ.get("MLPSIM_FUZZ_SCALE", "1"))
SMALL_LIMITS = Limits(max_upload_bytes=200_000, max_file_bytes=200_000)
MAX_MESSAGE_CHARS = 400


def outcome(data: str | bytes, limits: Limits = SMALL_LIMITS) -> str:
    """'ok' or 'rejected'; any exception other than ValidationError fails the test with the input."""
    try:
        network = loads(data, limits)
    except ValidationError as error:
        message = str(error)
        assert message.strip(), f"empty message for {data[:200]!r}"
        assert len(message) <= MAX_MESSAGE_CHARS, f"message too long ({len(message)} chars): {message[:200]}"
        assert "Traceback" not in message
        return "rejected"
    except Exception as error:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{type(error).__name__}: {error!s:.300} for input {data[:300]!r}")
    assert isinstance(network, Network)
    return "ok"


def rejected_with(data: str | bytes, *fragments: str, limits: Limits = SMALL_LIMITS) -> str:
    with pytest.raises(ValidationError) as caught:
        loads(data, limits)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def report(label: str, counts: Counter) -> None:
    print(f"\n[fuzz] {label}: {sum(counts.values())} inputs tried, {dict(counts)}")


def valid_documents() -> list[dict]:
    """Valid seeds for mutation: the seed example, XOR, and two hand-written odd shapes."""
    deep = Network(
        input_size=1,
        layers=tuple(Layer(weights=np.array([[0.5]]), bias=np.array([-1.0]), activation="tanh") for _ in range(5)),
        name="five 1-neuron layers",
    )
    wide = Network(
        input_size=6,
        layers=(
            Layer(weights=np.arange(12.0).reshape(6, 2) - 5.5, bias=np.array([1e-300, -1e300]), activation="softmax"),
        ),
        input_values=np.array([1, 2, 3, 4, 5, 6.0]),
        input_name="pixels",
    )
    return [json.loads(dumps(network)) for network in (seed_example(), xor(), deep, wide)]


# ---- mutations of a parsed document --------------------------------------------------------

REPLACEMENTS = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    "",
    "3",
    "relu",
    [],
    {},
    [[]],
    [None],
    {"size": 2},
    10**6,
    10**9,
    10**18,
    10**400,
    -(10**400),
    2**63,
    1e308,
    -1e308,
    5e-324,
    "NaN",
    "Infinity",
    [1, 2, 3],
    [[1, "x"]],
    "<img src=x onerror=alert(1)>",
    "x" * 201,
]


def paths(value, prefix=()):
    """Every path into a JSON value (tuples of keys / indexes), the root included."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, prefix + (index,))


def replaced(document, path, new):
    if not path:
        return new
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


def deleted(document, path):
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return copy


def test_every_field_replaced_with_every_wrong_value():
    counts = Counter()
    for document in valid_documents():
        for path in paths(document):
            for new in REPLACEMENTS:
                counts[outcome(json.dumps(replaced(document, path, new)))] += 1
            if path:
                counts[outcome(json.dumps(deleted(document, path)))] += 1
    report("field replacements and deletions", counts)
    assert counts["rejected"] > 1000


def test_text_level_mutations_of_valid_files():
    """Truncations, byte flips, insertions and splices of the file text, seeded and repeatable."""
    rng = random.Random(6)
    counts = Counter()
    alphabet = list('{}[],:"0123456789.eE+-ntfaluNIx\\ \n') + ["NaN", "Infinity", "-Infinity", "1e400", "\ud800"]
    texts = [dumps(network) for network in (seed_example(), xor())] + [
        json.dumps(document, separators=(",", ":")) for document in valid_documents()
    ]
    for text in texts:
        for cut in range(0, len(text), 3):
            counts[outcome(text[:cut])] += 1
    for _ in range(1500 * SCALE):
        text = rng.choice(texts)
        text = mutated(text, rng, alphabet, rng.randint(1, 4), replace_below=0.35, insert_below=0.7, longest_cut=40)
        counts[outcome(text)] += 1
        counts[outcome(text.encode("utf-8", "surrogatepass"))] += 1
    report("text mutations", counts)
    assert counts["rejected"] > 2000


def test_random_bytes():
    rng = random.Random(7)
    counts = Counter()
    for _ in range(1000 * SCALE):
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
        counts[outcome(data)] += 1
    for prefix in (b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b'{"format":\x80'):
        counts[outcome(prefix + dumps(seed_example()).encode())] += 1
    report("random bytes", counts)
    assert counts["rejected"] >= 1000


# ---- the named hostile cases, each with the message it must give -------------------------


def seed_document() -> dict:
    return json.loads(dumps(seed_example()))


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_literals_are_refused_by_name(literal):
    text = dumps(seed_example()).replace("0.13", literal, 1)
    rejected_with(text, literal, "finite number")


@pytest.mark.parametrize("number", ["1e400", "-1e309", "1" + "0" * 400])
def test_numbers_beyond_float_range_are_refused(number):
    text = dumps(seed_example()).replace("0.13", number, 1)
    rejected_with(text, "layers[0].bias[0]", "finite number")


def test_integers_of_over_4300_digits_are_refused():
    rejected_with(dumps(seed_example()).replace("0.13", "9" * 5000, 1), "layers[0].bias[0]", "over 4,300 digits")


@pytest.mark.parametrize("depth", [100, 1000, 100_000])
def test_deep_nesting_is_refused(depth):
    for opening, closing in (("[", "]"), ('{"a":', "}")):
        text = opening * depth + "1" + closing * depth
        outcome(text)
    weights_nested = dumps(seed_example()).replace("[2.0", "[" * depth + "2.0" + "]" * depth, 1)
    rejected_with(weights_nested, limits=Limits(max_upload_bytes=10**7))


def test_duplicate_keys_are_refused_at_every_level():
    text = json.dumps(seed_document())
    for duplicated in ('"version": 1, "version": 1', '"size": 3, "size": 3'):
        original = duplicated.split(", ")[0]
        rejected_with(text.replace(original, duplicated, 1), "duplicate key")


@pytest.mark.parametrize("version", [0, 2, -1, 1.0, "1", True, None, 10**30])
def test_wrong_versions_are_named(version):
    rejected_with(json.dumps(replaced(seed_document(), ("version",), version)), "version", "expected 1")


@pytest.mark.parametrize(
    "size, shown", [(10**6, "1,000,000"), (10**9, "1,000,000,000"), (10**18, "~10^18"), (10**4000, "~10^4000")]
)
def test_oversized_declared_layer_is_refused_with_the_limit(size, shown):
    document = replaced(seed_document(), ("layers", 0, "size"), size)
    rejected_with(json.dumps(document), f"layer 1 has {shown} neurons", "limit is 1,024")


def test_oversized_file_is_refused_before_parsing():
    text = dumps(seed_example())
    padded = text[:-2] + " " * (SMALL_LIMITS.max_upload_bytes + 1) + text[-2:]
    with pytest.raises(LimitError, match="limit is 200,000 bytes"):
        loads(padded, SMALL_LIMITS)


def test_lone_surrogates_are_refused():
    rejected_with("\ud800", "not valid Unicode")
    document = replaced(seed_document(), ("name",), "\ud800")
    rejected_with(json.dumps(document), "name", "not valid Unicode")


# ---- hypothesis ----------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)
FUZZ = settings(max_examples=300 * SCALE, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def run_hypothesis(label: str, strategy, check) -> None:
    """Run ``check`` on every example ``strategy`` draws, then print how many were tried."""
    counts = Counter()

    @FUZZ
    @given(strategy)
    def examples(example):
        counts[check(example)] += 1

    examples()
    report(f"hypothesis, {label}", counts)
    assert sum(counts.values()) >= 100


def test_hypothesis_any_text():
    run_hypothesis("any text", st.text(max_size=400), outcome)


def test_hypothesis_any_bytes():
    run_hypothesis("any bytes", st.binary(max_size=400), outcome)


def test_hypothesis_any_json_value():
    run_hypothesis("any JSON value", json_values, lambda value: outcome(json.dumps(value)))


def test_hypothesis_one_field_replaced():
    documents = valid_documents()
    choices = st.sampled_from(documents).flatmap(
        lambda document: st.tuples(st.just(document), st.sampled_from(list(paths(document))), json_values)
    )
    run_hypothesis(
        "one field of a valid file replaced",
        choices,
        lambda choice: outcome(json.dumps(replaced(choice[0], choice[1], choice[2]))),
    )


def declared_sizes_check(choice) -> str:
    """Arbitrary declared shapes with tiny weights lists: sizes are judged before any weights,
    so anything outside the limits is refused whatever the weights say."""
    sizes, activation = choice
    document = {
        "format": "mlpsim.network",
        "version": 1,
        "input": {"size": sizes[0]},
        "layers": [{"size": size, "activation": activation, "weights": [[0.0]], "bias": [0.0]} for size in sizes[1:]],
    }
    result = outcome(json.dumps(document))
    fits = all(1 <= size <= 1024 for size in sizes) and 2 <= len(sizes) <= 17
    if not fits:
        assert result == "rejected"
    return result


def test_hypothesis_declared_sizes_against_limits():
    sizes = st.lists(st.integers(min_value=-3, max_value=10**12) | st.integers(1, 3), min_size=1, max_size=20)
    run_hypothesis(
        "declared sizes",
        st.tuples(sizes, st.sampled_from(["relu", "linear", "softmax", "nope", ""])),
        declared_sizes_check,
    )
