"""The address bar follows the network in real Chromium: an edit survives a reload, the
browser's Back brings the state before it back, a refused edit's message goes with the next
valid one, and clicking an input neuron shows its value. Screenshots are saved under artifacts/."""

from __future__ import annotations

import re
import time

import pytest
from conftest import wait_for_app_idle
from test_app_browser import WEIGHTS_TABLE, click_neuron, open_app, seed_output, type_into_cell, wait_for_output

pytestmark = pytest.mark.browser

SEED_W1 = [[2.0, 8.0, -1.0, 3.0], [4.0, 9.0, 1.0, -6.0], [-3.0, 5.0, 2.0, 7.0]]


def wait_for_url(page, pattern: str, timeout_s: float = 20.0) -> str:
    deadline = time.monotonic() + timeout_s
    while not re.search(pattern, page.url):
        if time.monotonic() > deadline:
            raise AssertionError(f"the address is {page.url}, expected it to match {pattern!r}")
        time.sleep(0.2)
    return page.url


def test_an_edit_survives_a_reload_and_back_restores_the_state_before_it(page, app_url, artifacts):
    open_app(page, app_url)
    wait_for_url(page, r"\?preset=Seed\+example")  # the untouched preset's address: its name
    type_into_cell(page, WEIGHTS_TABLE, row=1, column=1, text="1")  # W1[2,2]: 9 → 1
    edited = [row[:] for row in SEED_W1]
    edited[1][1] = 1.0
    wait_for_output(page, seed_output(edited))
    wait_for_app_idle(page)
    address = wait_for_url(page, r"\?net=1\.")

    page.reload()
    page.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=60_000)
    wait_for_app_idle(page)
    assert page.url == address
    wait_for_output(page, seed_output(edited))  # a new session, the edit still there
    page.screenshot(path=str(artifacts / "address-after-reload.png"))

    page.go_back()
    wait_for_url(page, r"\?preset=Seed\+example")
    wait_for_output(page, seed_output(SEED_W1))
    wait_for_app_idle(page)
    page.screenshot(path=str(artifacts / "address-after-back.png"))
    page.go_forward()
    assert wait_for_url(page, r"\?net=1\.") == address
    wait_for_output(page, seed_output(edited))


def test_a_refused_cell_message_goes_with_the_next_valid_edit(page, app_url, artifacts):
    open_app(page, app_url)
    type_into_cell(page, WEIGHTS_TABLE, row=0, column=0, text="abc")
    page.get_by_text("'abc' is not a number").wait_for(timeout=20_000)
    wait_for_app_idle(page)
    type_into_cell(page, WEIGHTS_TABLE, row=0, column=1, text="7")  # W1[1,2]: 8 → 7
    edited = [row[:] for row in SEED_W1]
    edited[0][1] = 7.0
    wait_for_output(page, seed_output(edited))
    wait_for_app_idle(page)
    page.screenshot(path=str(artifacts / "address-error-cleared.png"))
    assert page.get_by_text("'abc' is not a number").count() == 0


def test_clicking_an_input_neuron_shows_its_value(page, app_url, artifacts):
    open_app(page, app_url)
    click_neuron(page, 0, 1)  # IN2, x = 0.1
    page.get_by_text("x = 0.1").wait_for(timeout=20_000)
    assert page.get_by_text("An input neuron computes nothing").is_visible()
    wait_for_app_idle(page)
    page.screenshot(path=str(artifacts / "address-input-neuron.png"))


def test_a_refused_size_leaves_the_kept_size_in_the_field_until_the_next_valid_edit(page, app_url, artifacts):
    open_app(page, app_url)
    hidden_size = page.get_by_test_id("stSidebar").get_by_label("neurons").nth(1)  # Hidden 1
    for typed, message in (("3.7", "3.7 is not a whole number of neurons"), ("0", "0 neurons is too few")):
        hidden_size.fill(typed)
        hidden_size.press("Enter")
        page.get_by_text(message).wait_for(timeout=20_000)
        wait_for_app_idle(page)
        assert hidden_size.input_value() == "4"  # the size kept, not what was typed
    page.screenshot(path=str(artifacts / "address-refused-size.png"))
    page.get_by_role("button", name="Add layer").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "address-sidebar-add-layer.png"))
    type_into_cell(page, WEIGHTS_TABLE, row=0, column=1, text="7")  # W1[1,2]: 8 → 7, valid
    edited = [row[:] for row in SEED_W1]
    edited[0][1] = 7.0
    wait_for_output(page, seed_output(edited))
    wait_for_app_idle(page)
    assert page.get_by_text("0 neurons is too few").count() == 0


def test_undo_and_redo_from_the_keyboard(page, app_url, artifacts):
    open_app(page, app_url)
    type_into_cell(page, WEIGHTS_TABLE, row=2, column=1, text="0")  # W1[3,2]: 5 → 0
    edited = [row[:] for row in SEED_W1]
    edited[2][1] = 0.0
    wait_for_output(page, seed_output(edited))
    wait_for_app_idle(page)
    page.get_by_role("button", name="Save and share").focus()
    page.keyboard.press("Tab")  # the next stop is Undo
    focused = page.evaluate("() => document.activeElement.textContent")
    assert "Undo" in focused, focused
    page.keyboard.press("Enter")
    wait_for_output(page, seed_output(SEED_W1))
    wait_for_app_idle(page)
    page.get_by_role("button", name="Save and share").focus()
    page.keyboard.press("Tab")  # Undo is disabled now: the next stop is Redo
    focused = page.evaluate("() => document.activeElement.textContent")
    assert "Redo" in focused, focused
    page.keyboard.press("Space")
    wait_for_output(page, seed_output(edited))
    wait_for_app_idle(page)
    page.screenshot(path=str(artifacts / "address-keyboard-redo.png"))
