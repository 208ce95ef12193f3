"""The Train page opens its address (AppTest): a /train link with a network, data and settings
shows that network, that data and those settings; a bad parameter is named, the rest applies,
and nothing raises. The page then writes an address that opens the same state."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import numpy as np
from conftest import open_lazy_section
from streamlit.testing.v1 import AppTest

from mlpsim.core.network import Layer, Network
from mlpsim.io import sharelink
from ui.session import state

PAGE = """
from ui.pages import train
train.render()
"""


def linked_network() -> Network:
    """A 2-3-1 network no preset or dataset builds: only the link can have put it there."""
    return Network(
        input_size=2,
        layers=(
            Layer(
                weights=np.array([[0.5, -1.25, 2.0], [0.75, 0.125, -3.5]]),
                bias=np.array([0.1, -0.2, 0.3]),
                activation="tanh",
            ),
            Layer(weights=np.array([[1.5], [-0.5], [0.25]]), bias=np.array([-0.75]), activation="sigmoid"),
        ),
        name="Linked net",
    )


def open_page(params: dict[str, str]) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


LINK = {
    "data": "xor",
    "points": "300",
    "noise": "10",
    "test": "20",
    "data_seed": "7",
    "loss": "binary_cross_entropy",
    "opt": "sgd",
    "lr": "0.125",
    "batch": "4",
    "l1": "0.0",
    "l2": "0.01",
}


def shown(at: AppTest) -> str:
    """The page's Markdown as the reader sees it (the page escapes Markdown in names it quotes)."""
    return re.sub(r"\\(.)", r"\1", " ".join(m.value for m in at.markdown))


def widget(at: AppTest, kind: str, label: str):
    (found,) = [w for w in getattr(at.sidebar, kind) if w.label == label]
    return found


def test_a_link_opens_its_network_data_and_settings():
    at = open_page({"net": sharelink.encode(linked_network())} | LINK)
    assert "Linked net · 2-3-1" in shown(at)
    network = at.session_state[state.NETWORK]
    np.testing.assert_array_equal(network.layers[0].weights, [[0.5, -1.25, 2.0], [0.75, 0.125, -3.5]])
    np.testing.assert_array_equal(network.layers[1].bias, [-0.75])
    assert widget(at, "selectbox", "Dataset").value == "xor"
    assert widget(at, "slider", "Points").value == 300
    assert widget(at, "slider", "Noise (%)").value == 10
    assert widget(at, "slider", "Test rows (%)").value == 20
    assert widget(at, "number_input", "Data seed").value == 7
    assert widget(at, "selectbox", "Loss").value == "binary_cross_entropy"
    assert widget(at, "selectbox", "Optimiser").value == "sgd"
    assert widget(at, "number_input", "Learning rate η").value == 0.125
    assert widget(at, "number_input", "Batch size").value == 4
    assert widget(at, "number_input", "L2 λ₂").value == 0.01
    assert not at.error
    # The page writes back the address it opened (nothing was refused, nothing changed).
    for name, value in LINK.items():
        assert at.query_params[name] == value, name
    assert sharelink.decode(at.query_params["net"]).layers[0].weights.tolist() == [
        [0.5, -1.25, 2.0],
        [0.75, 0.125, -3.5],
    ]


def test_a_bad_parameter_is_named_and_the_rest_applies():
    at = open_page({"net": sharelink.encode(linked_network())} | LINK | {"lr": "1e999", "data": "<b>nope</b>"})
    # Markdown-escaped (the page writes notices as literal text): the escapes taken out to read it.
    errors = " ".join(e.value for e in at.error).replace("\\", "")
    assert "lr='1e999'" in errors and "learning rate η" in errors
    assert "data='<b>nope</b>'" in errors and "is not a built-in dataset" in errors
    # The rest applied: the network, the batch, L2, the data's other knobs.
    assert "Linked net · 2-3-1" in shown(at)
    assert widget(at, "number_input", "Batch size").value == 4
    assert widget(at, "number_input", "L2 λ₂").value == 0.01
    assert widget(at, "number_input", "Data seed").value == 7
    # The refused ones kept what a fresh page has: the circle and its η 0.03.
    assert widget(at, "selectbox", "Dataset").value == "circle"
    assert widget(at, "number_input", "Learning rate η").value == 0.03
    # The address now says what the page shows, not the refused values.
    assert at.query_params["lr"] == "0.03" and at.query_params["data"] == "circle"


def test_a_bad_network_link_is_named_and_the_data_and_settings_still_apply():
    at = open_page({"net": "1.not-a-network"} | LINK)
    assert "share link cannot be opened" in " ".join(e.value for e in at.error)
    assert widget(at, "selectbox", "Dataset").value == "xor"
    assert widget(at, "number_input", "Learning rate η").value == 0.125


def test_a_setting_and_a_step_are_written_to_the_address():
    at = open_page({})
    first = at.session_state[state.NETWORK]
    assert sharelink.decode(at.query_params["net"]).layers[0].weights.tolist() == first.layers[0].weights.tolist()
    assert at.query_params["data"] == "circle" and at.query_params["lr"] == "0.03"
    widget(at, "number_input", "Learning rate η").set_value(0.1).run()
    assert not at.exception
    assert at.query_params["lr"] == "0.1"
    (step,) = [b for b in at.button if b.label == "Step"]
    step.click().run()
    assert not at.exception
    stepped = at.session_state[state.NETWORK]
    assert stepped is not first
    linked = sharelink.decode(at.query_params["net"])
    assert not np.array_equal(linked.layers[0].weights, first.layers[0].weights)  # the step moved W1
    for layer, back in zip(stepped.layers, linked.layers):
        np.testing.assert_array_equal(back.weights, layer.weights)  # the link holds every digit
        np.testing.assert_array_equal(back.bias, layer.bias)


def test_a_reload_says_the_curves_are_not_kept_and_a_bare_network_link_does_not():
    reloaded = open_page({"net": sharelink.encode(linked_network())} | LINK)
    infos = " ".join(i.value for i in reloaded.info).replace("\\", "")
    assert "the run's curves and epoch count are not kept in an address" in infos
    bare = open_page({"net": sharelink.encode(linked_network())})
    assert "not kept in an address" not in " ".join(i.value for i in bare.info).replace("\\", "")
    assert "Linked net · 2-3-1" in shown(bare)


def test_back_to_an_older_address_opens_it_but_not_when_a_widget_moved_in_that_run():
    at = open_page({})
    widget(at, "number_input", "Learning rate η").set_value(0.1).run()
    assert at.query_params["lr"] == "0.1"
    # Back: the browser reruns with the address before the change, no widget moved.
    at.query_params["lr"] = "0.03"
    at.run()
    assert not at.exception
    assert widget(at, "number_input", "Learning rate η").value == 0.03
    # A rerun that carries a widget change and an address from before the app's last write
    # (the write had not reached the browser yet): the user's change wins.
    at.query_params["lr"] = "0.1"
    widget(at, "number_input", "Batch size").set_value(20).run()
    assert widget(at, "number_input", "Learning rate η").value == 0.03
    assert widget(at, "number_input", "Batch size").value == 20
    assert at.query_params["lr"] == "0.03" and at.query_params["batch"] == "20"


def test_the_share_link_carries_the_data_and_settings_and_opens_them():
    at = open_page({"net": sharelink.encode(linked_network())} | LINK)
    open_lazy_section(at, state.TRAIN_SAVE_OPEN)
    (box,) = [t for t in at.text_input if t.label.startswith("Share link")]
    shared = {name: values[0] for name, values in parse_qs(urlsplit(box.value).query).items()}
    assert {name: shared[name] for name in LINK} == LINK
    opened = open_page(shared)  # a new session opening the link
    assert "Linked net · 2-3-1" in shown(opened)
    assert widget(opened, "number_input", "Learning rate η").value == 0.125
    assert widget(opened, "selectbox", "Dataset").value == "xor"


def test_a_network_too_big_for_the_address_is_said_and_a_reload_says_what_came_back():
    at = open_page({})
    widget(at, "selectbox", "Dataset").set_value("digits").run()
    assert not at.exception
    assert at.session_state[state.NETWORK].parameter_count == 64 * 32 + 32 + 32 * 10 + 10  # 64-32-10
    assert "net" not in at.query_params and "preset" not in at.query_params
    assert at.query_params["data"] == "digits"
    assert any("too big for the address bar" in c.value for c in at.caption)
    reloaded = open_page(dict(at.query_params))
    infos = " ".join(i.value for i in reloaded.info).replace("\\", "")
    assert "The network was too big for the address" in infos
    assert widget(reloaded, "selectbox", "Dataset").value == "digits"
