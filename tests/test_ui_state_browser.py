"""In the browser, the Workshop's step survives a switch to another mode and to another page
(screenshot: artifacts/workshop-step-kept.png)."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for_app_idle

pytestmark = pytest.mark.browser


def settle(page) -> None:
    page.wait_for_timeout(300)
    wait_for_app_idle(page)


def test_the_step_is_kept_across_a_mode_switch_and_a_page_switch(page, app_url, artifacts):
    page.goto(f"{app_url}/workshop")
    settle(page)
    page.get_by_role("slider").focus()
    for _ in range(3):  # the keyboard path: → on the slider, through its on_change callback
        page.keyboard.press("ArrowRight")
        settle(page)
    page.get_by_text("Step 3 of 6: Hidden 1 · N3 (layer 1)").wait_for()
    page.get_by_role("radio", name="Worksheet").click()
    settle(page)
    page.get_by_text("Exercises on the sheet").wait_for()
    page.get_by_role("radio", name="Step through").click()
    settle(page)
    page.get_by_text("Step 3 of 6: Hidden 1 · N3 (layer 1)").wait_for()
    page.get_by_role("link", name="Simulator").click()
    settle(page)
    page.get_by_text("Start from").wait_for()
    page.get_by_role("link", name="Workshop").click()
    settle(page)
    page.get_by_text("Step 3 of 6: Hidden 1 · N3 (layer 1)").wait_for()
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "workshop-step-kept.png"))
