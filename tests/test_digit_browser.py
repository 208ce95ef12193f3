"""The digit reader in real Chromium: draw a stroke with the mouse (press, drag, release), draw
with the keyboard alone, and watch the reading follow (a plain vertical bar is not how the
dataset's writers drew a 1: the reader may say otherwise, and the test checks it says what a
plain numpy forward of the drawn pixels says)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import wait_for_app_idle
from digit_page import (
    CANVAS,
    click_pixel_and_wait,
    digit_reader_url,
    drag_stroke,
    input_pixels,
    pixel_point,
    wait_until_inked,
)
from test_digit_reader import plain_forward

from mlpsim.io.presets import digit_reader

pytestmark = pytest.mark.browser

ONE = [4, 12, 20, 28, 36, 44, 52, 60]
"""A vertical stroke down column 4 (0-based), top to bottom."""


def reading(page) -> str:
    return page.get_by_text("The network reads:").first.inner_text()


def expected_reading(pixels: list[int]) -> int:
    drawn = np.zeros((1, 64))
    drawn[0, pixels] = 1.0
    return int(np.argmax(plain_forward(digit_reader(), drawn)[0]))


def open_cleared(browser, width: int, height: int, app_url: str, **context_options):
    """A new visitor's digit reader, its image cleared: (context, page)."""
    context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
    page = context.new_page()
    page.goto(digit_reader_url(app_url))
    page.wait_for_selector(f"{CANVAS} [data-pixel]", timeout=60_000)
    wait_for_app_idle(page)
    page.get_by_role("button", name="Clear the image").click()
    page.wait_for_function("() => document.body.innerText.includes('(not the input now')", timeout=30_000)
    wait_for_app_idle(page)
    return context, page


def wait_for_brush(page, value: int) -> None:
    """Wait until the canvas paints with the brush just picked: the idle check alone can pass
    before the rerun that sends it has begun, and a click then paints with the old brush."""
    page.wait_for_function(f"() => document.querySelector('{CANVAS}').dataset.brush === '{value}'", timeout=30_000)
    wait_for_app_idle(page)


@pytest.mark.parametrize("width, height", [(1280, 720), (390, 844)])
def test_a_dragged_stroke_draws_a_one_that_the_reader_reads(browser, app_url, artifacts, width, height):
    context, page = open_cleared(browser, width, height, app_url)
    try:
        drag_stroke(page, ONE, wait_for_app_idle)
        shown = input_pixels(page)
        assert [k for k, v in enumerate(shown) if v] == ONE
        assert f"reads: {expected_reading(ONE)} " in reading(page)
        assert page.locator(CANVAS).get_attribute("aria-label").startswith("Drawing, 8 by 8 pixels")
        page.screenshot(path=str(artifacts / f"digit-reader-{width}.png"), full_page=False)
        # The eraser takes a pixel back out, and a second click on the same pixel counts again.
        page.get_by_test_id("stMain").get_by_text("Eraser", exact=True).click()
        wait_for_brush(page, 0)
        page.locator(f'{CANVAS} [data-pixel="4"]').click()
        page.wait_for_function(f"() => document.querySelector('{CANVAS} [data-pixel=\"4\"]').dataset.value === '0'")
        wait_for_app_idle(page)
        assert [k for k, v in enumerate(input_pixels(page)) if v] == ONE[1:]
        assert f"reads: {expected_reading(ONE[1:])} " in reading(page)
        page.get_by_test_id("stMain").get_by_text("Ink", exact=True).click()
        wait_for_brush(page, 1)
        assert click_pixel_and_wait(page, 4, wait_for_app_idle) < 10  # the 0.5 s target is benchmarks/digits.py's
        assert [k for k, v in enumerate(input_pixels(page)) if v] == ONE
    finally:
        page.screenshot(path=str(artifacts / f"digit-reader-{width}-last.png"), full_page=True)
        context.close()


def test_the_keyboard_alone_draws(browser, app_url, artifacts):
    context, page = open_cleared(browser, 1280, 720, app_url)
    try:
        canvas = page.locator(CANVAS)
        # Tab from the element before the canvas (the label above it is not focusable): the canvas
        # is the next Tab stop, and its cursor starts at the top left pixel.
        page.get_by_role("button", name="Clear the image").focus()
        for _ in range(8):
            page.keyboard.press("Shift+Tab")
            if page.evaluate(f"() => document.activeElement === document.querySelector('{CANVAS}')"):
                break
        assert page.evaluate(f"() => document.activeElement === document.querySelector('{CANVAS}')")
        assert canvas.get_attribute("data-cursor") == "0"
        for key in ["ArrowRight"] * 3 + ["ArrowDown"] * 2:  # row 2, column 3 (0-based): pixel 19
            page.keyboard.press(key)
        page.keyboard.press("Space")
        wait_until_inked(page, [19], wait_for_app_idle)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        wait_until_inked(page, [19, 27], wait_for_app_idle)
        assert [k for k, v in enumerate(input_pixels(page)) if v] == [19, 27]
        assert f"reads: {expected_reading([19, 27])} " in reading(page)
        # Focus stayed on the canvas through the reruns, with the cursor where it was.
        assert page.evaluate(f"() => document.activeElement === document.querySelector('{CANVAS}')")
        assert canvas.get_attribute("data-cursor") == "27"
        page.screenshot(path=str(artifacts / "digit-reader-keyboard.png"), full_page=False)
    finally:
        context.close()


def test_a_finger_draws_a_stroke(browser, app_url, artifacts):
    """A phone: the finger's stroke (touch start, moves, end) inks what it crosses, and the page
    does not scroll under it (the canvas takes the touch: touch-action none)."""
    context, page = open_cleared(browser, 390, 844, app_url, has_touch=True, is_mobile=True)
    try:
        across = [24, 25, 26, 27, 28, 29]  # row 3 (0-based), columns 0–5
        points = [pixel_point(page, pixel) for pixel in across]
        scrolled = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop")
        cdp = context.new_cdp_session(page)

        def touch(kind: str, point=None) -> None:
            touches = [] if point is None else [{"x": point[0], "y": point[1], "id": 1}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touches})

        touch("touchStart", points[0])
        for point in points[1:]:
            touch("touchMove", point)
        touch("touchEnd")
        wait_until_inked(page, across, wait_for_app_idle)
        assert [k for k, v in enumerate(input_pixels(page)) if v] == across
        assert page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTop") == scrolled
        assert f"reads: {expected_reading(across)} " in reading(page)
        page.screenshot(path=str(artifacts / "digit-reader-touch.png"), full_page=False)
    finally:
        context.close()
