"""Driving the digit reader's drawing image in Chromium (shared by the browser test and benchmarks/digits.py)."""

from __future__ import annotations

import time
from urllib.parse import quote

from mlpsim.io.presets import DIGIT_READER_NAME

CANVAS_TITLE = "Input: 8×8 pixels"


def digit_reader_url(app_url: str) -> str:
    return f"{app_url}/?preset={quote(DIGIT_READER_NAME)}"


def pixel_point(page, pixel: int) -> tuple[float, float]:
    """Page coordinates of pixel ``pixel`` (0..63) of the drawing image, from plotly's own axes."""
    return tuple(
        page.evaluate(
            """([title, pixel]) => {
            const gd = [...document.querySelectorAll('.js-plotly-plot')]
                .find(g => g._fullLayout && (g._fullLayout.title.text || '').startsWith(title));
            gd.scrollIntoView({block: 'center'});
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
            return [box.left + xa.l2p(pixel % 8), box.top + ya.l2p(Math.floor(pixel / 8))];
        }""",
            [CANVAS_TITLE, pixel],
        )
    )


def input_pixels(page) -> list[float]:
    """The 64 values the drawing image shows now (its marker colours)."""
    return page.evaluate(
        """(title) => [...document.querySelectorAll('.js-plotly-plot')]
            .find(g => g._fullLayout && (g._fullLayout.title.text || '').startsWith(title))._fullData[0].marker.color""",
        CANVAS_TITLE,
    )


def click_pixel_and_wait(page, pixel: int, wait_for_app_idle) -> float:
    """Click one pixel and wait until the page shows it inked and the script is idle: seconds taken."""
    x, y = pixel_point(page, pixel)
    started = time.perf_counter()
    page.mouse.click(x, y)
    page.wait_for_function(
        """([title, pixel]) => { const g = [...document.querySelectorAll('.js-plotly-plot')]
            .find(g => g._fullLayout && (g._fullLayout.title.text || '').startsWith(title));
            return g && g._fullData[0].marker.color[pixel] === 1; }""",
        arg=[CANVAS_TITLE, pixel],
        timeout=30_000,
    )
    wait_for_app_idle(page)
    return time.perf_counter() - started
