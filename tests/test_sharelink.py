"""Share-link codec: round trip, and refusal of long, damaged, hostile or invalid links."""

from __future__ import annotations

import base64
import json
import zlib

import numpy as np
import pytest

from mlpsim.core.errors import LimitError, ValidationError
from mlpsim.core.limits import Limits
from mlpsim.core.network import Layer, Network
from mlpsim.io.presets import mnist_sized, seed_example
from mlpsim.io.sharelink import decode, encode


def _link_of(document_text: str | bytes) -> str:
    """A link built by hand, the way the codec documents it: '1.' + base64url(zlib(json))."""
    raw = document_text.encode() if isinstance(document_text, str) else document_text
    return "1." + base64.urlsafe_b64encode(zlib.compress(raw, level=9)).decode().rstrip("=")


SEED_DOCUMENT = {
    "format": "mlpsim.network",
    "version": 1,
    "input": {"size": 3, "values": [0.5, 0.1, 0.2]},
    "layers": [
        {
            "size": 4,
            "activation": "relu",
            "weights": [[2, 8, -1, 3], [4, 9, 1, -6], [-3, 5, 2, 7]],
            "bias": [0.13, 0.14, 0.15, 0.16],
        },
        {
            "size": 2,
            "activation": "sigmoid",
            "weights": [[0.2, -0.3], [0.1, -0.2], [-0.4, 0.5], [0.3, 0.1]],
            "bias": [0.1, -0.2],
        },
    ],
}


def test_round_trip_keeps_every_number_and_name_exactly():
    network = Network(
        input_size=2,
        input_values=np.array([0.1, 1 / 3]),
        layers=(
            Layer(
                weights=np.array([[1e-300, -2.5], [7.0, 0.1 + 0.2]]),
                bias=np.array([-0.0, 5e307]),
                activation="tanh",
                name="<b>bold</b> *md*",
            ),
        ),
        name="net & <script>",
    )
    back = decode(encode(network))
    assert back.name == "net & <script>"
    assert back.layers[0].name == "<b>bold</b> *md*"
    assert back.layers[0].activation == "tanh"
    assert back.input_values.tolist() == [0.1, 1 / 3]
    assert back.layers[0].weights.tolist() == [[1e-300, -2.5], [7.0, 0.30000000000000004]]
    assert back.layers[0].bias.tolist() == [0.0, 5e307]


def test_link_is_url_safe_text_and_decodes_a_hand_built_link():
    text = encode(seed_example())
    assert text.startswith("1.")
    assert set(text[2:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    network = decode(_link_of(json.dumps(SEED_DOCUMENT)))
    assert network.layers[0].weights[1, 1] == 9.0
    assert network.layers[1].bias.tolist() == [0.1, -0.2]


def test_seed_example_link_is_short():
    assert len(encode(seed_example())) < 400


def test_too_large_network_is_refused_with_advice_to_download():
    with pytest.raises(LimitError, match="8,000.*download"):
        encode(mnist_sized())


def test_link_longer_than_the_limit_is_refused_before_decoding():
    limits = Limits(max_link_chars=50)
    with pytest.raises(LimitError, match="limit is 50"):
        decode("1." + "A" * 60, limits)


def test_compression_bomb_is_stopped_at_the_file_size_limit():
    bomb = _link_of(b"[" * 6_000_000)  # 6 MB of '[' compresses to about 8 KB of link
    assert len(bomb) < 8_000
    with pytest.raises(LimitError, match="expands to more than 5,000,000 bytes"):
        decode(bomb)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "unknown format"),
        ("2.abc", "unknown format"),
        ("1.abc$def", "not URL-safe base64"),
        ("1.A", "not valid base64"),
        ("1." + base64.urlsafe_b64encode(b"not zlib at all").decode().rstrip("="), "corrupt"),
    ],
)
def test_damaged_links_are_refused(text, message):
    with pytest.raises(ValidationError, match=message):
        decode(text)


def test_truncated_link_is_refused():
    text = encode(seed_example())
    with pytest.raises(ValidationError, match="share link: damaged"):
        decode(text[: len(text) // 2])


def test_link_content_is_validated_like_a_file():
    bad = json.loads(json.dumps(SEED_DOCUMENT))
    bad["layers"][1]["weights"][2][0] = "x"
    with pytest.raises(ValidationError, match=r"layers\[1\]\.weights\[2\]\[0\]: expected a finite number"):
        decode(_link_of(json.dumps(bad)))
    with pytest.raises(ValidationError, match="invalid JSON"):
        decode(_link_of('{"format": NaN}'))
    oversized = dict(SEED_DOCUMENT, input={"size": 5000})
    with pytest.raises(LimitError, match="5,000 neurons"):
        decode(_link_of(json.dumps(oversized)))
