"""The same limits on every path into the core: file import, share links, the CLI, the
initialiser, resize and layer insertion (the app's own controls: tests/test_hostile_browser.py
and the AppTest cases below).

Each oversized request must: raise a LimitError naming the limit and its value, leave the
current network exactly as it was, and never allocate the oversized arrays (tracemalloc's peak
stays far below what one such weight matrix would need).
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import textwrap
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest
from conftest import open_lazy_section

from mlpsim.cli import main
from mlpsim.core.errors import LimitError
from mlpsim.core.initializers import initialized_network
from mlpsim.io.fileformat import dumps, loads
from mlpsim.io.presets import seed_example
from mlpsim.io.sharelink import decode

ROOT = Path(__file__).resolve().parent.parent
PEAK_BUDGET = 2_000_000
"""Bytes any refused request may allocate; one 3×10⁶ float matrix alone would be 24 MB."""

SEED_W1 = [[2.0, 8.0, -1.0, 3.0], [4.0, 9.0, 1.0, -6.0], [-3.0, 5.0, 2.0, 7.0]]  # the article's W1


def traced_peak(call) -> int:
    """Bytes allocated at the peak while ``call()`` ran (tracemalloc)."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def refused_cheaply(action, *fragments: str) -> str:
    """Run ``action``; it must raise LimitError with all ``fragments`` and allocate < PEAK_BUDGET."""
    tracemalloc.start()
    try:
        with pytest.raises(LimitError) as caught:
            action()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert peak < PEAK_BUDGET, f"refusing allocated {peak:,} bytes: {message}"
    return message


def oversized_document(size: int, position: int = 1) -> str:
    """The seed network's file with layer ``position`` (0 = input) declaring ``size`` neurons;
    the weight lists stay 3×4 — the declaration alone must be refused."""
    document = json.loads(dumps(seed_example()))
    if position == 0:
        document["input"]["size"] = size
    else:
        document["layers"][position - 1]["size"] = size
    return json.dumps(document)


def link_of(text: str) -> str:
    return "1." + base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


def assert_is_seed(network) -> None:
    assert network.layer_sizes == (3, 4, 2)
    assert network.layers[0].weights.tolist() == SEED_W1
    assert network.input_values.tolist() == [0.5, 0.1, 0.2]


# ---- file import and share links -------------------------------------------------------------


@pytest.mark.parametrize("size, shown", [(10**6, "1,000,000"), (10**9, "1,000,000,000")])
@pytest.mark.parametrize("position, label", [(0, "input layer"), (1, "layer 1"), (2, "layer 2")])
def test_file_declaring_huge_layer(size, shown, position, label):
    refused_cheaply(lambda: loads(oversized_document(size, position)), f"{label} has {shown} neurons", "limit is 1,024")


@pytest.mark.parametrize("size, shown", [(10**6, "1,000,000"), (10**9, "1,000,000,000")])
def test_share_link_declaring_huge_layer(size, shown):
    link = link_of(oversized_document(size))
    refused_cheaply(lambda: decode(link), f"layer 1 has {shown} neurons", "limit is 1,024")


def test_file_over_parameter_limit_names_the_count():
    # 1024-1024-1024-1024: 3 × (1024·1024 + 1024) = 3,148,800 weights and biases > 2,500,000.
    document = {
        "format": "mlpsim.network",
        "version": 1,
        "input": {"size": 1024},
        "layers": [{"size": 1024, "activation": "relu", "weights": [], "bias": []} for _ in range(3)],
    }
    refused_cheaply(lambda: loads(json.dumps(document)), "3,148,800 weights and biases", "limit is 2,500,000")


def test_file_with_too_many_layers_names_the_limit():
    document = json.loads(dumps(seed_example()))
    document["layers"] = [document["layers"][1]] * 17
    with pytest.raises(Exception) as caught:
        loads(json.dumps(document))
    assert "17 layers" in str(caught.value) and "limit is 16" in str(caught.value)


def test_file_over_byte_limit_is_refused_before_parsing():
    data = b" " * 100_000_001  # bytes in memory; refusing them must not copy or parse them
    refused_cheaply(lambda: loads(data), "100,000,001 bytes", "limit is 100,000,000 bytes")


def test_share_link_over_length_limit():
    refused_cheaply(lambda: decode("1." + "A" * 8_000), "8,002 characters", "limit is 8,000")


# ---- building and editing networks ---------------------------------------------------------


@pytest.mark.parametrize(
    "sizes, fragment",
    [
        ([3, 10**9, 2], "layer 1 has 1,000,000,000 neurons; the limit is 1,024"),
        ([10**6, 2], "input layer has 1,000,000 neurons; the limit is 1,024"),
        ([2] * 18, "17 layers with weights; the limit is 16"),
        ([1000, 1000, 1000, 1000], "3,003,000 weights and biases; the limit is 2,500,000"),
    ],
)
def test_initialiser_refuses_before_drawing_weights(sizes, fragment):
    refused_cheaply(lambda: initialized_network(sizes, seed=1), fragment)


@pytest.mark.parametrize("position, label", [(0, "input layer"), (1, "layer 1"), (2, "layer 2")])
def test_resize_refuses_and_keeps_the_network(position, label):
    network = seed_example()
    refused_cheaply(lambda: network.resized(position, 10**9), f"{label} has 1,000,000,000 neurons", "limit is 1,024")
    assert_is_seed(network)


def test_resize_over_parameter_limit():
    network = initialized_network([1024, 1024, 1024, 2], seed=0)
    refused_cheaply(lambda: network.resized(3, 1024), "3,148,800 weights and biases", "limit is 2,500,000")
    assert network.layer_sizes == (1024, 1024, 1024, 2)


def test_insert_refuses_huge_and_too_many_layers():
    network = seed_example()
    refused_cheaply(lambda: network.with_hidden_layer_inserted(1, 10**9), "1,000,000,000 neurons", "limit is 1,024")
    deep = initialized_network([2] * 17, seed=0)
    refused_cheaply(lambda: deep.with_hidden_layer_inserted(1, 2), "17 layers with weights; the limit is 16")
    assert_is_seed(network)
    assert deep.layer_sizes == (2,) * 17


# ---- the command line ------------------------------------------------------------------------


def test_cli_refuses_a_huge_declaration(tmp_path, capsys):
    path = tmp_path / "huge.json"
    path.write_text(oversized_document(10**9))
    assert main(["forward", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "1,000,000,000 neurons; the limit is 1,024" in error


def test_cli_refuses_an_oversized_file_without_reading_it(tmp_path, capsys):
    path = tmp_path / "big.json"
    with path.open("wb") as file:  # sparse: 120 MB on paper, nothing on disk
        file.truncate(120_000_000)
    assert main(["explain", str(path), "--layer", "1", "--neuron", "1"]) == 2
    assert "120,000,000 bytes; the limit is 100,000,000 bytes (set MLPSIM_MAX_FILE_BYTES" in capsys.readouterr().err


# ---- one environment setting, every path ------------------------------------------------------

PROBE = textwrap.dedent("""
    import json, base64, zlib, sys
    from mlpsim.io.fileformat import dumps, loads
    from mlpsim.core.initializers import initialized_network
    from mlpsim.io.presets import seed_example
    from mlpsim.io.sharelink import decode, encode
    from mlpsim.cli import main
    from mlpsim.core.errors import LimitError
    document = json.loads(dumps(seed_example()))
    document["layers"][0]["size"] = 9
    document["layers"][0]["weights"] = [[0.0] * 9] * 3
    document["layers"][0]["bias"] = [0.0] * 9
    document["layers"][1]["weights"] = [[0.0] * 2] * 9
    text = json.dumps(document)
    link = "1." + base64.urlsafe_b64encode(zlib.compress(text.encode())).decode().rstrip("=")
    open(sys.argv[1], "w").write(text)
    attempts = {
        "file": lambda: loads(text),
        "link": lambda: decode(link),
        "initialiser": lambda: initialized_network([3, 9, 2]),
        "resize": lambda: seed_example().resized(1, 9),
        "insert": lambda: seed_example().with_hidden_layer_inserted(1, 9),
    }
    for path, attempt in attempts.items():
        try:
            attempt()
            print(path, "ACCEPTED")
        except LimitError as error:
            print(path, error)
    sys.exit(main(["forward", sys.argv[1]]))
""")


def test_one_environment_variable_changes_the_limit_on_every_path(tmp_path):
    """MLPSIM_MAX_LAYER_SIZE=8: a 9-neuron layer is refused by every path with the same limit."""
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "nine.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"MLPSIM_MAX_LAYER_SIZE": "8", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    lines = dict(line.split(" ", 1) for line in completed.stdout.strip().splitlines())
    assert set(lines) == {"file", "link", "initialiser", "resize", "insert"}, completed.stdout + completed.stderr
    for path, message in lines.items():
        assert "layer 1 has 9 neurons; the limit is 8 per layer" in message, f"{path}: {message}"
    assert completed.returncode == 2
    assert "the limit is 8 per layer" in completed.stderr


def test_seed_network_is_within_every_default_limit():
    network = loads(dumps(seed_example()))
    assert_is_seed(network)
    assert np.array_equal(network.layers[1].bias, [0.1, -0.2])


# ---- the app's own controls (AppTest: the real script, in this process) ----------------------

APP = ROOT / "app.py"
UI_PEAK_BUDGET = 12_000_000
"""A rerun of the page itself allocates a few MB; 10⁶ neurons would need ≥ 24 MB for W1 alone."""


@pytest.fixture
def app():
    from streamlit.testing.v1 import AppTest

    page = AppTest.from_file(str(APP), default_timeout=60)
    page.run()
    page.run()  # warm: the first run imports and builds what every later run reuses
    assert not page.exception
    return page


def shown_errors(page) -> list[str]:
    """The error boxes' texts as a reader sees them (the app escapes Markdown in notices)."""
    return [re.sub(r"\\(.)", r"\1", element.value) for element in page.error]


def ui_refused_cheaply(page, act, *fragments: str) -> str:
    """Perform ``act(page)`` (which ends in ``.run()``): an error notice with ``fragments``, no
    exception, the seed network untouched, and a bounded allocation peak."""
    from ui.session import state

    before = page.session_state[state.NETWORK]
    peak = traced_peak(lambda: act(page))
    assert not page.exception, [e.value for e in page.exception]
    errors = shown_errors(page)
    matching = [text for text in errors if all(fragment in text for fragment in fragments)]
    assert matching, f"no error notice with {fragments}: {errors}"
    assert page.session_state[state.NETWORK] is before
    assert_is_seed(page.session_state[state.NETWORK])
    assert peak < UI_PEAK_BUDGET, f"the refused request allocated {peak:,} bytes"
    return matching[0]


@pytest.mark.parametrize("position, label", [(0, "input layer"), (1, "layer 1"), (2, "layer 2")])
def test_ui_layer_size_box(app, position, label):
    from ui.session import state

    ui_refused_cheaply(
        app,
        lambda page: page.number_input(key=state.LAYER_SIZE_PREFIX + str(position)).set_value(10**6).run(),
        f"{label} has 1,000,000 neurons",
        "limit is 1,024",
    )


def test_ui_add_hidden_layer(app):
    from ui.session import state

    def act(page):
        page.number_input(key=state.NEW_LAYER_SIZE).set_value(10**6).run()
        add = [button for button in page.button if button.label.lower().startswith("add")]
        assert len(add) == 1, [button.label for button in page.button]
        add[0].click().run()

    ui_refused_cheaply(app, act, "1,000,000 neurons", "limit is 1,024", "No layer was added")


def test_ui_random_network_form(app):
    from ui.session import state

    def act(page):
        page.selectbox(key=state.SOURCE_SELECT).select("Random network").run()
        page.text_input(key=state.RANDOM_SIZES).set_value("3, 1000000, 2").run()
        page.button[[button.label for button in page.button].index("Create")].click().run()

    before = app.session_state[state.NETWORK]
    peak = traced_peak(lambda: act(app))
    errors = shown_errors(app)
    assert any("layer 1 has 1,000,000 neurons; the limit is 1,024" in text for text in errors), errors
    assert not app.exception
    assert peak < UI_PEAK_BUDGET
    assert_is_seed(before)  # the seed network the user had is still intact (and kept for its preset)


def test_ui_upload_declaring_a_billion_neurons(app):
    from ui.session import state

    data = oversized_document(10**9).encode()
    open_lazy_section(app, state.SAVE_SHARE_OPEN)
    ui_refused_cheaply(
        app,
        lambda page: page.file_uploader(key=state.UPLOAD).upload("huge.json", data, "application/json").run(),
        "huge.json was not loaded",
        "1,000,000,000 neurons; the limit is 1,024",
    )


def test_ui_upload_over_the_byte_limit(app):
    from ui.session import state

    data = b" " * 5_000_001
    open_lazy_section(app, state.SAVE_SHARE_OPEN)
    ui_refused_cheaply(
        app,
        lambda page: page.file_uploader(key=state.UPLOAD).upload("big.json", data, "application/json").run(),
        "big.json was not loaded",
        "5,000,001 bytes; the limit is 5,000,000 bytes",
    )


@pytest.mark.parametrize(
    "link, fragments",
    [
        (link_of(oversized_document(10**9)), ("1,000,000,000 neurons; the limit is 1,024",)),
        ("1." + "A" * 9_000, ("9,002 characters; the limit is 8,000",)),
    ],
)
def test_ui_share_link(app, link, fragments):
    def act(page):
        page.query_params["net"] = link
        page.run()

    ui_refused_cheaply(app, act, "This share link cannot be opened", *fragments)
