"""Fuzzing the share-link decoder: every text ends in a Network or a clear ValidationError.

Mutations of real links (truncated, characters flipped, inserted, removed), well-formed links
around hostile payloads (random bytes, mutated JSON, compression bombs, oversized declarations),
and hypothesis text. Each test prints how many links it tried (`pytest -s`);
``MLPSIM_FUZZ_SCALE=10`` multiplies the counts.
"""

from __future__ import annotations

import base64
import json
import os
import random
import tracemalloc
import zlib
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlpsim.core.errors import LimitError, ValidationError
from mlpsim.core.limits import Limits
from mlpsim.core.network import Network
from mlpsim.io.fileformat import dumps
from mlpsim.io.presets import and_gate, seed_example, xor
from mlpsim.io.sharelink import decode, encode
from tests.mutations import mutated

SCALE = int(os.environ.get("MLPSIM_FUZZ_SCALE", "1"))
LIMITS = Limits(max_upload_bytes=100_000, max_link_chars=8_000)
MAX_MESSAGE_CHARS = 400


def outcome(text, limits: Limits = LIMITS) -> str:
    try:
        network = decode(text, limits)
    except ValidationError as error:
        message = str(error)
        assert message.strip() and len(message) <= MAX_MESSAGE_CHARS, message[:300]
        return "rejected"
    except Exception as error:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{type(error).__name__}: {error!s:.300} for link {str(text)[:300]!r}")
    assert isinstance(network, Network)
    return "ok"


def link_of(payload: bytes) -> str:
    """A well-formed link around any payload: '1.' + unpadded base64url of its zlib compression."""
    return "1." + base64.urlsafe_b64encode(zlib.compress(payload, 9)).decode("ascii").rstrip("=")


def report(label: str, counts: Counter) -> None:
    print(f"\n[fuzz] share links, {label}: {sum(counts.values())} inputs tried, {dict(counts)}")


def valid_links() -> list[str]:
    return [encode(network) for network in (seed_example(), xor(), and_gate())]


def test_valid_links_decode_to_the_same_numbers():
    decoded = decode(encode(seed_example()), LIMITS)
    assert decoded.layers[0].weights[1, 1] == 9.0  # W1[2,2] of the seed article
    assert decoded.layers[0].bias.tolist() == [0.13, 0.14, 0.15, 0.16]
    assert decoded.input_values.tolist() == [0.5, 0.1, 0.2]


def test_mutated_links():
    rng = random.Random(61)
    counts = Counter()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.%é\u202e\x00 "
    links = valid_links()
    for link in links:
        for cut in range(len(link) + 1):
            counts[outcome(link[:cut])] += 1
    for _ in range(2000 * SCALE):
        link = rng.choice(links)
        link = mutated(link, rng, alphabet, rng.randint(1, 3), replace_below=0.4, insert_below=0.7, longest_cut=8)
        counts[outcome(link)] += 1
    report("mutated real links", counts)
    assert counts["rejected"] > 2000


def test_well_formed_links_around_hostile_payloads():
    rng = random.Random(62)
    counts = Counter()
    seed_text = dumps(seed_example(), compact=True)
    for _ in range(1000 * SCALE):
        counts[outcome(link_of(bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))))] += 1
    for cut in range(len(seed_text)):
        counts[outcome(link_of(seed_text[:cut].encode()))] += 1
    for replacement in ("NaN", "Infinity", "1e400", "9" * 5000, "[" * 5000, '"x", "format": 1', "null"):
        counts[outcome(link_of(seed_text.replace("0.13", replacement, 1).encode()))] += 1
    report("hostile payloads in well-formed links", counts)
    assert counts["rejected"] > 1000


def test_a_compression_bomb_is_refused_without_inflating_it():
    bomb = link_of(b" " * 5_000_000)
    assert len(bomb) < LIMITS.max_link_chars  # 5 MB of spaces compress to a link that fits
    tracemalloc.start()
    try:
        with pytest.raises(LimitError, match="expands to more than 100,000 bytes"):
            decode(bomb, LIMITS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, f"decoding the bomb allocated {peak:,} bytes"


def test_a_link_declaring_a_billion_neurons_is_refused_with_the_limit():
    document = json.loads(dumps(seed_example()))
    document["layers"][0]["size"] = 10**9
    with pytest.raises(LimitError, match="1,000,000,000 neurons; the limit is 1,024"):
        decode(link_of(json.dumps(document).encode()), LIMITS)


def test_an_overlong_link_is_refused_before_decoding():
    with pytest.raises(LimitError, match="8,001 characters; the limit is 8,000"):
        decode("1." + "A" * 7_999, LIMITS)


@pytest.mark.parametrize("value", [None, 12, b"1.eJw", ["1.x"], 1.5])
def test_non_text_is_refused(value):
    with pytest.raises(ValidationError, match="expected text"):
        decode(value, LIMITS)


@pytest.mark.parametrize("prefix", ["", "2.", "1", "1..", " 1.", "1.="])
def test_wrong_prefixes_are_named(prefix):
    body = valid_links()[0][2:]
    outcome(prefix + body)
    if not prefix.startswith("1."):
        with pytest.raises(ValidationError, match="unknown format"):
            decode(prefix + body, LIMITS)


FUZZ = settings(max_examples=400 * SCALE, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def test_hypothesis_any_text_and_any_base64():
    counts = Counter()

    @FUZZ
    @given(
        st.text(max_size=300)
        | st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_").map(lambda s: "1." + s)
    )
    def examples(text):
        counts[outcome(text)] += 1

    examples()
    report("hypothesis text", counts)
    assert sum(counts.values()) >= 100
