"""The app's speed, for the seed example (3-4-2) and the random 784-128-64-10 network:

1. server time of one rerun after a weight edit (AppTest: the edit folded, then the script run);
2. browser: Enter pressed in a weight cell → the rerun done and the chart redrawn;
3. browser: navigation start → the chart drawn (the page opened with ``?preset=``).

Run: python benchmarks/app.py [--repeats N]. Starts its own `streamlit run` and headless Chromium.
Times are medians; on a shared 2-core machine they are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit, wait_for_app_idle  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ui import state  # noqa: E402
from ui.tables import Table, fold_edits  # noqa: E402

NETWORKS = {"seed example 3-4-2": "Seed example (3-4-2)", "784-128-64-10": "Random 784-128-64-10"}
TARGETS = {  # from the issue: rerun, edit → settled, open → drawn (seconds)
    "seed example 3-4-2": (0.100, 0.4, 2.5),
    "784-128-64-10": (0.300, 1.0, 3.0),
}
HEADER_PX, ROW_PX, INDEX_PX, CELL_PX = 35, 35, 48, 80
WEIGHTS_TABLE = 2
OUTPUT_CHANGED_AND_IDLE = """(before) => {
  const cell = document.querySelector('[data-testid="stDataFrame"] #glide-cell-1-0');
  return cell !== null && cell.textContent !== before
    && document.querySelector('[data-test-script-state="notRunning"]') !== null;
}"""
"""The rerun's output has arrived (first output value changed) and the script has finished."""
CHART_SETTLED = """() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))"""


def server_rerun_seconds(preset: str, repeats: int) -> float:
    """Median wall time of fold + script rerun after editing W1[1,1], in AppTest."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params["preset"] = preset
    app.run()
    app.run()  # warm: imports and the first figure are not part of an edit
    times = []
    for k in range(repeats):
        started = time.perf_counter()
        network = app.session_state[state.NETWORK]
        fold = fold_edits(network, Table("weights", 1), {0: {"N1": 0.25 + k}})
        app.session_state[state.NETWORK] = fold.network
        app.session_state[state.GENERATION] = app.session_state[state.GENERATION] + 1
        app.run()
        times.append(time.perf_counter() - started)
        assert not app.exception, app.exception
    return statistics.median(times)


def output_texts(page) -> list[str]:
    """The output table's values as shown (from the grid's accessibility cells)."""
    table = page.get_by_test_id("stDataFrame").nth(0)
    texts = []
    for row in range(10):
        cell = table.locator(f"#glide-cell-1-{row}")
        if cell.count() == 0:
            break
        texts.append(cell.first.text_content())
    return texts


def browser_seconds(browser, url: str, preset: str, repeats: int) -> tuple[float, float]:
    """(median open → chart drawn, median Enter in a weight cell → rerun done and chart redrawn)."""
    opens, edits = [], []
    warm = browser.new_context()  # the server's first session pays for imports; not part of a visit
    warm.new_page().goto(f"{url}/?preset={quote(preset)}")
    warm.pages[0].wait_for_selector(".js-plotly-plot .scatterlayer .trace", timeout=120_000)
    warm.close()
    for k in range(repeats):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        started = time.perf_counter()
        page.goto(f"{url}/?preset={quote(preset)}")
        page.wait_for_selector(".js-plotly-plot .scatterlayer .trace", timeout=120_000)
        wait_for_app_idle(page, 120_000)
        page.evaluate(CHART_SETTLED)
        opens.append(time.perf_counter() - started)

        table = page.get_by_test_id("stDataFrame").nth(WEIGHTS_TABLE)
        table.scroll_into_view_if_needed()
        box = table.bounding_box()
        page.wait_for_selector('[data-testid="stDataFrame"] #glide-cell-1-0', state="attached", timeout=60_000)
        before = output_texts(page)[0]
        page.mouse.dblclick(box["x"] + INDEX_PX + CELL_PX / 2, box["y"] + HEADER_PX + ROW_PX / 2)
        page.locator(".gdg-input").fill(str(50 + 10 * k))  # W1[1,1]: large enough to move the output
        started = time.perf_counter()
        page.keyboard.press("Enter")
        page.wait_for_function(OUTPUT_CHANGED_AND_IDLE, arg=before, polling="raf", timeout=60_000)
        page.evaluate(CHART_SETTLED)
        edits.append(time.perf_counter() - started)
        context.close()
    return statistics.median(opens), statistics.median(edits)


BARE_PAGE = """import plotly.graph_objects as go
import streamlit as st
st.plotly_chart(go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 0, 1], mode="markers")))
"""
"""The reference: a bare Streamlit page with one small plotly chart (Streamlit's own floor)."""


def bare_page_open_seconds(browser, repeats: int) -> float:
    """Median navigation → chart drawn for BARE_PAGE, measured now, under the same load."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bare.py"
        script.write_text(BARE_PAGE)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.3)
            times = []
            for k in range(repeats + 1):
                context = browser.new_context()
                page = context.new_page()
                started = time.perf_counter()
                page.goto(url)
                page.wait_for_selector(".js-plotly-plot .scatterlayer .trace", timeout=120_000)
                wait_for_app_idle(page, 120_000)
                page.evaluate(CHART_SETTLED)
                if k:  # the first visit warms the server
                    times.append(time.perf_counter() - started)
                context.close()
            return statistics.median(times)
        finally:
            server.terminate()
            server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    port = free_port()
    server = start_streamlit(port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            bare = bare_page_open_seconds(browser, args.repeats)
            for label, preset in NETWORKS.items():
                rerun = server_rerun_seconds(preset, args.repeats)
                opened, edited = browser_seconds(browser, f"http://127.0.0.1:{port}", preset, args.repeats)
                rows.append((label, rerun, edited, opened))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"app benchmark, median of {args.repeats} (2 shared cores: noisy)")
    print(f"{'network':<20} {'rerun after edit':>18} {'edit → settled':>16} {'open → drawn':>14}")
    for label, rerun, edited, opened in rows:
        target = TARGETS[label]
        print(
            f"{label:<20} {rerun * 1000:>12.0f} ms {'✓' if rerun <= target[0] else '✗'}   "
            f"{edited:>10.2f} s {'✓' if edited <= target[1] else '✗'}  {opened:>10.2f} s {'✓' if opened <= target[2] else '✗'}"
        )
    print(f"reference: a bare Streamlit page with one plotly chart, open → drawn {bare:.2f} s (same load, now)")
    print("targets: rerun ≤ 100 / 300 ms, edit → settled ≤ 0.4 / 1 s, open → drawn ≤ 2.5 / 3 s")


if __name__ == "__main__":
    main()
