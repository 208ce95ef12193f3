"""A refused edit's error goes away with the next, valid edit (issue 12: "a stale error stays on
screen after the next, valid edit"), in real Chromium: a bad cell then a good one, a bad size
then a good one, a bad file then a good one, a bad keyboard assignment then a good one on the
Simulator page, and a typo then a number as a Workshop answer. Each bad edit's message is seen
first, so the test cannot pass by looking for the wrong element."""

from __future__ import annotations

import pytest
from conftest import wait_for_app_idle
from test_app_browser import WEIGHTS_TABLE, open_app, seed_output, type_into_cell, wait_for_output

from mlpsim.io.fileformat import dumps
from mlpsim.io.presets import xor
from mlpsim.workshop.topics.forward.generation import generate_network
from tests.test_exercises import plain_forward

pytestmark = pytest.mark.browser

SEED_W1 = [[2.0, 8.0, -1.0, 3.0], [4.0, 9.0, 1.0, -6.0], [-3.0, 5.0, 2.0, 7.0]]

ERRORS = '[data-testid="stAlertContentError"]'
WARNINGS = '[data-testid="stAlertContentWarning"]'


def settled(page) -> None:
    page.wait_for_timeout(300)
    wait_for_app_idle(page)


def shown(page, selector: str) -> list[str]:
    return page.locator(selector).all_inner_texts()


def assert_no_stale_error(page, message: str) -> None:
    assert not [text for text in shown(page, ERRORS) if message in text], shown(page, ERRORS)


@pytest.mark.parametrize("bad, message", [("abc", "is not a number"), ("1e999", "beyond the largest number")])
def test_a_bad_cell_then_a_good_one(page, app_url, artifacts, bad, message):
    open_app(page, app_url)
    type_into_cell(page, WEIGHTS_TABLE, row=0, column=0, text=bad)  # W1[1,1]
    page.locator(ERRORS).filter(has_text=message).wait_for(timeout=20_000)
    settled(page)
    type_into_cell(page, WEIGHTS_TABLE, row=0, column=0, text="-1")  # W1[1,1]: 2 → −1
    edited = [row[:] for row in SEED_W1]
    edited[0][0] = -1.0
    wait_for_output(page, seed_output(edited))
    settled(page)
    page.screenshot(path=str(artifacts / f"stale-error-cell-{bad}.png"))
    assert_no_stale_error(page, message)


def test_a_bad_size_then_a_good_one(page, app_url, artifacts):
    open_app(page, app_url)
    hidden_size = page.get_by_test_id("stSidebar").get_by_label("neurons").nth(1)  # Hidden 1
    hidden_size.fill("3.7")
    hidden_size.press("Enter")
    page.locator(ERRORS).filter(has_text="3.7 is not a whole number").wait_for(timeout=20_000)
    settled(page)
    hidden_size.fill("3")
    hidden_size.press("Enter")
    page.get_by_text("3 neurons").first.wait_for(timeout=20_000)
    settled(page)
    assert hidden_size.input_value() == "3"
    page.screenshot(path=str(artifacts / "stale-error-size.png"))
    assert_no_stale_error(page, "3.7 is not a whole number")


def upload(page, name: str, content: str) -> None:
    page.locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "application/json", "buffer": content.encode()}]
    )


def test_a_bad_file_then_a_good_one(page, app_url, artifacts):
    open_app(page, app_url)
    page.get_by_text("Save and share").click()
    upload(page, "broken.json", '{"format": ')
    page.locator(ERRORS).filter(has_text="broken.json was not loaded").wait_for(timeout=20_000)
    settled(page)
    if not page.locator("input[type=file]").count():  # the rerun closed the popover
        page.get_by_text("Save and share").click()
    upload(page, "xor.json", dumps(xor()))
    page.get_by_text("Loaded xor.json").wait_for(timeout=20_000)
    settled(page)
    page.screenshot(path=str(artifacts / "stale-error-upload.png"))
    assert_no_stale_error(page, "broken.json was not loaded")


def test_a_bad_keyboard_assignment_then_a_good_one(page, app_url, artifacts):
    open_app(page, app_url)
    box = page.get_by_role("textbox", name="Set a cell (type it and press Enter)")
    box.fill("W9[1,1] = 2")
    box.press("Enter")
    page.locator(ERRORS).first.wait_for(timeout=20_000)
    refused = shown(page, ERRORS)
    settled(page)
    box.fill("W1[1,1] = -1")
    box.press("Enter")
    edited = [row[:] for row in SEED_W1]
    edited[0][0] = -1.0
    wait_for_output(page, seed_output(edited))
    settled(page)
    page.screenshot(path=str(artifacts / "stale-error-keyboard.png"))
    assert not shown(page, ERRORS), (refused, shown(page, ERRORS))


def test_a_typo_then_a_number_as_a_workshop_answer(page, app_url, artifacts):
    seed, difficulty = 21, "easy"
    zs, _ = plain_forward(generate_network(seed, difficulty))
    page.goto(f"{app_url}/workshop?seed={seed}&difficulty={difficulty}&ask=z1.1&lock=1")
    settled(page)
    answer = page.get_by_label("z(N1)")
    answer.fill("abc")
    answer.press("Enter")
    page.locator(WARNINGS).filter(has_text="z(N1)").wait_for(timeout=20_000)
    typo = shown(page, WARNINGS)
    settled(page)
    answer.fill(f"{zs[0][0]:.2f}")
    answer.press("Enter")
    page.get_by_text(f"Right: z(N1) = {float(f'{zs[0][0]:.2f}'):g}").wait_for(timeout=20_000)
    settled(page)
    page.screenshot(path=str(artifacts / "stale-error-workshop.png"))
    assert not [text for text in shown(page, WARNINGS) if "z(N1)" in text], (typo, shown(page, WARNINGS))
