"""The session-state table (ui/session/state.py): every entry has its declared type, bound values survive
a run that does not draw their widget, and new sessions share the preset's network object."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mlpsim.io.presets import PRESETS
from ui.common import cache
from ui.session import state

APP = Path(__file__).resolve().parents[1] / "app.py"
TIMEOUT = 60
PAGES = """
import streamlit as st
from ui.pages import simulator, train, workshop
# st.navigation's pages are functions, which AppTest cannot switch to: this script draws the page
# named in session state, so a run of one page does not draw the other page's widgets.
pages = {"workshop": workshop.render, "simulator": simulator.render, "train": train.render}
pages[st.session_state.get("test_page", "workshop")]()
"""


def pages() -> AppTest:
    return AppTest.from_string(PAGES, default_timeout=TIMEOUT).run()


def step_slider(at: AppTest):
    return next(slider for slider in at.slider if slider.label == "Step")


def next_button(at: AppTest):
    return next(button for button in at.button if button.label == "Next ▶")


def subheaders(at: AppTest) -> list[str]:
    return [element.value for element in at.subheader]


def test_every_default_has_its_declared_type():
    for key, entry in state.TABLE.items():
        assert isinstance(entry.default(), entry.kind), key


def test_each_session_gets_its_own_mutable_defaults():
    entry = state.TABLE[state.NOTICES]
    assert entry.default() is not entry.default()


def test_the_step_survives_a_switch_to_another_mode_and_back():
    at = pages()
    for _ in range(3):
        next_button(at).click().run()
    assert step_slider(at).value == 3
    at.segmented_control[0].set_value("Worksheet").run()
    assert not at.slider  # the step slider is not drawn: Streamlit drops its widget key
    at.segmented_control[0].set_value("Step through").run()
    assert step_slider(at).value == 3
    # Seed example, 3-4-2: step 3 is the third neuron of Hidden 1 (4 neurons, then 2 outputs).
    assert "Step 3 of 6: Hidden 1 · N3 (layer 1)" in [text.replace("\\", "") for text in subheaders(at)]


def test_the_step_slider_and_the_mode_survive_a_visit_to_the_simulator():
    at = pages()
    step_slider(at).set_value(5).run()
    at.session_state["test_page"] = "simulator"
    at.run()
    assert not at.exception
    assert not [slider for slider in at.slider if slider.label == "Step"]
    at.session_state["test_page"] = "workshop"
    at.run()
    assert at.segmented_control[0].value == "Step through"
    assert step_slider(at).value == 5


def test_the_table_layer_survives_a_visit_to_the_workshop():
    at = pages()
    at.session_state["test_page"] = "simulator"
    at.run()
    at.segmented_control(key=state.widget_key(state.TABLE_LAYER)).set_value(2).run()
    at.session_state["test_page"] = "workshop"
    at.run()
    at.session_state["test_page"] = "simulator"
    at.run()
    assert at.segmented_control(key=state.widget_key(state.TABLE_LAYER)).value == 2


@pytest.mark.parametrize("page", ["workshop", "simulator", "train"])
def test_values_in_session_state_have_their_declared_types_after_each_page(page):
    at = pages()
    next_button(at).click().run()
    at.session_state["test_page"] = page
    at.run()
    assert not at.exception
    for key, entry in state.TABLE.items():
        if key in at.session_state:
            assert isinstance(at.session_state[key], entry.kind), key


def test_new_sessions_share_the_preset_network_object_until_one_edits():
    first, second = (AppTest.from_file(str(APP), default_timeout=TIMEOUT).run() for _ in range(2))
    preset = next(iter(PRESETS.values()))()
    assert first.session_state[state.NETWORK] is preset
    assert second.session_state[state.NETWORK] is preset
    first.number_input(key=state.LAYER_SIZE_PREFIX + "1").set_value(5).run()
    assert first.session_state[state.NETWORK].layer_sizes == (3, 5, 2)
    assert second.session_state[state.NETWORK] is preset
    second.run()
    assert second.session_state[state.NETWORK] is preset


@pytest.mark.parametrize("key", [key for key, entry in state.TABLE.items() if entry.role == "bound"])
def test_bound_entries_are_never_a_widget_key(key):
    assert state.widget_key(key) != key


def test_a_rerun_on_the_same_step_does_not_build_the_step_figure_again():
    at = pages()
    cache.clear()  # the cache is shared by every session in the process, other tests' too
    next_button(at).click().run()
    built = cache.info()[cache.STEP_FIGURE.name].misses
    assert built == 1
    at.run()
    at.run()
    assert cache.info()[cache.STEP_FIGURE.name].misses == built
    next_button(at).click().run()
    assert cache.info()[cache.STEP_FIGURE.name].misses == built + 1


def test_a_simulator_run_computes_the_forward_pass_once_and_the_diagram_uses_it():
    at = pages()
    at.session_state["test_page"] = "simulator"
    at.run()
    cache.clear()
    at.run()
    passes = cache.info()[cache.FORWARD_PASS.name]
    assert (passes.misses, passes.hits) == (1, 0)
    assert cache.info()[cache.SIMULATOR_DIAGRAM.name].misses == 1


def test_every_ui_cache_is_declared_with_a_bound_or_no_argument():
    assert set(cache.info()) <= {declared.name for declared in cache.CACHES}
    for declared in cache.CACHES:
        assert declared.why
        assert declared.size is None or declared.size > 0
