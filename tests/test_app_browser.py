"""The Simulator page in real headless Chromium against `streamlit run`: type into a weight cell,
click a neuron, open a share link — and look at the screenshots saved under artifacts/.

The README screenshot (docs/screenshot.png) is written here: light theme, seed example, N2 of
Hidden 1 selected.
"""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path

import pytest
from conftest import wait_for_app_idle

from mlpsim.io.presets import seed_example, xor
from mlpsim.io.sharelink import encode
from ui.common.tables import Table
from ui.parts.editors import CELL_WIDTH_PX, index_width_px

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
HEADER_PX = 35
ROW_PX = 35
CELL_PX = CELL_WIDTH_PX
"""The editors' grid geometry: fixed column widths from ui/parts/editors.py, Streamlit's row height."""

INPUT_TABLE, WEIGHTS_TABLE, BIAS_TABLE = range(3)
"""Order of the grids on the page: the input, weights and bias editors (the output is a plain table)."""
INDEX_PX = (
    index_width_px(Table("input").row_header(seed_example())),
    index_width_px(Table("weights", 1).row_header(seed_example()) + " ↓"),
    index_width_px(Table("bias", 1).row_header(seed_example())),
)
"""Each grid's index column is as wide as its header ('from Input ↓'), as ui/parts/editors.py sets it."""

NEURON_PIXELS = """([position, index]) => {
  const plot = document.querySelector('.js-plotly-plot');
  const layout = plot._fullLayout;
  const box = plot.getBoundingClientRect();
  for (const trace of plot._fullData) {
    const rows = trace.customdata;
    if (!rows) continue;
    for (let k = 0; k < rows.length; k++) {
      if (rows[k][0] == position && rows[k][1] == index) {
        const xaxis = layout['xaxis' + trace.xaxis.slice(1)], yaxis = layout['yaxis' + trace.yaxis.slice(1)];
        return [box.left + xaxis._offset + xaxis.l2p(trace.x[k]), box.top + yaxis._offset + yaxis.l2p(trace.y[k])];
      }
    }
  }
  return null;
}"""


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def seed_output(w1: list[list[float]]) -> list[float]:
    """The seed example's output for W1 = ``w1``, by plain loops."""
    x = [0.5, 0.1, 0.2]
    b1 = [0.13, 0.14, 0.15, 0.16]
    w2 = [[0.2, -0.3], [0.1, -0.2], [-0.4, 0.5], [0.3, 0.1]]
    b2 = [0.1, -0.2]
    hidden = [max(0.0, sum(w1[i][j] * x[i] for i in range(3)) + b1[j]) for j in range(4)]
    return [sigmoid(sum(w2[i][j] * hidden[i] for i in range(4)) + b2[j]) for j in range(2)]


def open_app(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=60_000)
    wait_for_app_idle(page)


def grid(page, which: int):
    return page.get_by_test_id("stDataFrame").nth(which)


def shown_output(page) -> list[float]:
    """The Output table's a column, as shown."""
    return [float(text) for text in page.get_by_test_id("stTable").first.locator("tbody td").all_text_contents()]


def wait_for_output(page, expected: list[float], timeout_s: float = 20.0) -> list[float]:
    deadline = time.monotonic() + timeout_s
    while True:
        shown = shown_output(page)
        if len(shown) == len(expected) and all(math.isclose(a, b, rel_tol=1e-5) for a, b in zip(shown, expected)):
            return shown
        if time.monotonic() > deadline:
            raise AssertionError(f"output shows {shown}, expected {expected}")
        time.sleep(0.2)


def type_into_cell(page, which: int, row: int, column: int, text: str) -> None:
    """Double-click a data cell (row, column 0-based, index column excluded), type, press Enter."""
    table = grid(page, which)
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    x = box["x"] + INDEX_PX[which] + CELL_PX * column + CELL_PX / 2
    y = box["y"] + HEADER_PX + ROW_PX * row + ROW_PX / 2
    page.mouse.dblclick(x, y)
    editor = page.locator(".gdg-input")
    editor.wait_for(timeout=10_000)
    editor.fill(text)
    page.keyboard.press("Enter")


def click_neuron(page, position: int, index: int) -> None:
    page.locator(".js-plotly-plot").scroll_into_view_if_needed()
    x, y = page.evaluate(NEURON_PIXELS, [position, index])
    page.mouse.click(x, y)


def test_typing_into_weight_cells_updates_the_output(page, app_url, artifacts):
    open_app(page, app_url)
    w1 = [[2.0, 8.0, -1.0, 3.0], [4.0, 9.0, 1.0, -6.0], [-3.0, 5.0, 2.0, 7.0]]
    wait_for_output(page, seed_output(w1))
    page.screenshot(path=str(artifacts / "browser-before-edit.png"))

    type_into_cell(page, WEIGHTS_TABLE, row=1, column=1, text="1")  # W1[2,2]: 9 → 1
    w1[1][1] = 1.0
    shown = wait_for_output(page, seed_output(w1))
    assert shown == pytest.approx([sigmoid(1.488), sigmoid(-1.206)], rel=1e-5)  # by hand: N2 = 5.24

    wait_for_app_idle(page)
    type_into_cell(page, WEIGHTS_TABLE, row=0, column=0, text="-1")  # W1[1,1]: 2 → −1, a second edit
    w1[0][0] = -1.0
    wait_for_output(page, seed_output(w1))  # N1 = relu(−0.5 + 0.4 − 0.6 + 0.13) = 0: both edits hold
    wait_for_app_idle(page)
    page.screenshot(path=str(artifacts / "browser-after-two-edits.png"))


def test_clicking_a_neuron_shows_its_arithmetic(browser, app_url, artifacts):
    for scheme in ("dark", "light"):
        context = browser.new_context(viewport={"width": 1400, "height": 1350}, color_scheme=scheme)
        page = context.new_page()
        try:
            open_app(page, app_url)
            click_neuron(page, 1, 1)  # N2 of Hidden 1
            page.wait_for_function(
                "() => [...document.querySelectorAll('.katex')].some(k => k.textContent.includes('5.9+0.14=6.04'))",
                timeout=20_000,
            )
            katex = " ".join(page.locator(".katex").all_text_contents())
            assert "8⋅0.5+9⋅0.1+5⋅0.2+0.14" in katex  # 4 + 0.9 + 1 + 0.14 = 6.04, relu → 6.04
            assert "max\u2061(0,\xa06.04)=6.04" in katex
            wait_for_app_idle(page)
            page.mouse.move(5, 995)  # away from the chart, so no hover label or mode bar
            time.sleep(0.5)
            shot = artifacts / f"browser-neuron-{scheme}.png"
            page.screenshot(path=str(shot))
            if scheme == "light":
                (ROOT / "docs").mkdir(exist_ok=True)
                shutil.copyfile(shot, ROOT / "docs" / "screenshot.png")
                click_neuron(page, 2, 0)  # then N1 of the output: 0.186 + 0.604 − 0.06 + 0.738 + 0.1
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.katex')].some(k => k.textContent.includes('=1.568'))",
                    timeout=20_000,
                )
                assert "0.827498" in " ".join(page.locator(".katex").all_text_contents())  # sigmoid(1.568)
        finally:
            context.close()


def test_share_link_opens_its_network(page, app_url, artifacts):
    open_app(page, f"{app_url}/?net={encode(xor())}")
    wait_for_output(page, [1.0])  # XOR(1, 0)
    assert page.get_by_text("Network loaded from the share link.").is_visible()
    page.screenshot(path=str(artifacts / "browser-share-link.png"))


def test_damaged_share_link_keeps_the_seed_example(page, app_url, artifacts):
    open_app(page, f"{app_url}/?net={encode(xor())[:-12]}")
    wait_for_output(page, seed_output([[2.0, 8.0, -1.0, 3.0], [4.0, 9.0, 1.0, -6.0], [-3.0, 5.0, 2.0, 7.0]]))
    assert page.get_by_text("This share link cannot be opened").is_visible()
    page.screenshot(path=str(artifacts / "browser-bad-link.png"))
