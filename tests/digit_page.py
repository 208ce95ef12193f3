"""Driving the digit reader's drawing canvas in Chromium (shared by the browser tests and benchmarks/digits.py)."""

from __future__ import annotations

import time
from urllib.parse import quote

from mlpsim.io.presets import DIGIT_READER_NAME

CANVAS = ".mlpsim-drawing"


def digit_reader_url(app_url: str) -> str:
    return f"{app_url}/?preset={quote(DIGIT_READER_NAME)}"


def pixel_point(page, pixel: int) -> tuple[float, float]:
    """Page coordinates of the centre of pixel ``pixel`` (0..63) of the drawing canvas."""
    cell = page.locator(f'{CANVAS} [data-pixel="{pixel}"]')
    cell.scroll_into_view_if_needed()
    box = cell.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def input_pixels(page) -> list[float]:
    """The 64 values the canvas shows now, as the page last sent them (not a stroke still on its way)."""
    return page.evaluate(
        f"() => [...document.querySelectorAll('{CANVAS} [data-pixel]')].map(c => Number(c.dataset.value))"
    )


def wait_until_inked(page, pixels: list[int], wait_for_app_idle) -> None:
    """Wait until the page has sent ``pixels`` back inked (the server applied them) and the script is idle."""
    page.wait_for_function(
        """([selector, pixels]) => pixels.every(p =>
            Number((document.querySelector(`${selector} [data-pixel="${p}"]`) || {dataset: {}}).dataset.value) === 1)""",
        arg=[CANVAS, pixels],
        polling="raf",
        timeout=30_000,
    )
    wait_for_app_idle(page)


def click_pixel_and_wait(page, pixel: int, wait_for_app_idle) -> float:
    """Click one pixel and wait until the page shows it inked and the script is idle: seconds taken."""
    x, y = pixel_point(page, pixel)
    started = time.perf_counter()
    page.mouse.click(x, y)
    wait_until_inked(page, [pixel], wait_for_app_idle)
    return time.perf_counter() - started


def drag_stroke(page, pixels: list[int], wait_for_app_idle) -> float:
    """Press on the first of ``pixels``, drag through the others, release; wait until all are
    inked and the script is idle: seconds from the release."""
    points = [pixel_point(page, pixel) for pixel in pixels]
    page.mouse.move(*points[0])
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*point, steps=4)
    started = time.perf_counter()
    page.mouse.up()
    wait_until_inked(page, pixels, wait_for_app_idle)
    return time.perf_counter() - started
