"""The app's speed, for the seed example (3-4-2) and the random 784-128-64-10 network:

1. server time of one rerun after a weight edit (AppTest: the edit folded, then the whole script
   run — in the browser an edit reruns only the workbench fragment, so this is an upper bound);
2. browser: Enter pressed in a weight cell → the frame showing the new output value and the
   redrawn chart (whichever comes last);
3. browser: navigation start → the frame showing the finished chart, for a new visitor (a fresh
   browser context: nothing cached), with the page opened at ``?preset=``.

The browser times are read from the page's own clock (performance.now()), from the key press or
the navigation start to the frame after the chart's last change; the chart counts as finished
once it has stayed unchanged for QUIET_MS with the script idle.

The reference is a bare Streamlit page with one small plotly chart, served by a second `streamlit
run`. Page-open times on this shared 2-core machine drift by ±20 % within minutes, so the pages
are opened in rounds — the bare page, then each network — and besides each median the script
prints the median of each round's difference to the bare page: the app's own cost, less exposed
to the load of the moment.

Run: python benchmarks/app.py [--repeats N]. Starts both servers and headless Chromium itself.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ui import state  # noqa: E402
from ui.editors import CELL_WIDTH_PX, index_width_px  # noqa: E402
from ui.tables import Table, fold_edits  # noqa: E402

NETWORKS = {"seed example 3-4-2": "Seed example (3-4-2)", "784-128-64-10": "Random 784-128-64-10 (untrained)"}
TARGETS = {  # from the issue: rerun, edit → settled, open → drawn (seconds)
    "seed example 3-4-2": (0.100, 0.4, 2.5),
    "784-128-64-10": (0.300, 1.0, 3.0),
}
HEADER_PX, ROW_PX, CELL_PX = 35, 35, CELL_WIDTH_PX
INDEX_PX = index_width_px("from Input ↓")
"""W1's index column is as wide as its header, as ui/editors.py sets it (both networks' input is 'Input')."""
WEIGHTS_TABLE = 1
"""The grids are the input, weights and bias editors, in that order."""
SETTLE_S = 1.5
"""Pause after closing a page, so that its teardown (browser and server) is not timed with the next."""
QUIET_MS = 600
"""The chart counts as settled once it has not changed for this long (and the script is idle)."""

PAGE_CLOCK = """
// Timestamps on the page's own clock (performance.now(), 0 = navigation start), so that the
// figures do not include the test harness's round trips to the browser (each ~10-50 ms here).
window.__bench = {chartFrame: 0, chartChanged: 0, enter: 0, outputFrame: 0, outputBefore: null};
const bench = window.__bench;
const markChart = () => {
  bench.chartChanged = performance.now();
  requestAnimationFrame(() => { bench.chartFrame = performance.now(); });  // the frame that shows it
};
const watched = new WeakSet();
new MutationObserver(() => {
  const chart = document.querySelector('.js-plotly-plot');
  if (chart && !watched.has(chart)) {  // each new chart element (Streamlit remounts it per figure)
    watched.add(chart);
    markChart();
    new MutationObserver(markChart).observe(chart, {subtree: true, childList: true, attributes: true});
  }
}).observe(document, {subtree: true, childList: true});
document.addEventListener('keydown', (event) => { if (event.key === 'Enter') bench.enter = performance.now(); }, true);
const outputText = () => {
  const cell = document.querySelector('[data-testid="stTable"] td');  // the Output table's first a
  return cell === null ? null : cell.textContent;
};
const watchOutput = () => {
  if (bench.outputBefore !== null && !bench.outputFrame && outputText() !== bench.outputBefore) bench.outputFrame = performance.now();
  requestAnimationFrame(watchOutput);
};
requestAnimationFrame(watchOutput);
window.__benchArmEdit = () => { bench.outputBefore = outputText(); bench.outputFrame = 0; bench.enter = 0; };
"""
"""Records on the page: the frame after the chart last changed, the Enter key press, and the
first frame showing a changed first output value."""

SETTLED = f"""(needOutput) => {{
  const bench = window.__bench;
  return bench.chartFrame > 0 && performance.now() - bench.chartChanged > {QUIET_MS}
    && document.querySelector('.js-plotly-plot .scatterlayer .trace') !== null
    && document.querySelector('[data-test-script-state="notRunning"]') !== null
    && (!needOutput || bench.outputFrame > 0);
}}"""


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


def opened_page(browser, url: str):
    """A new visitor (empty cache) opening ``url``: (page, seconds from navigation start to the
    frame showing the finished chart)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.add_init_script(PAGE_CLOCK)
    page.goto(url)
    page.wait_for_function(SETTLED, arg=False, polling=100, timeout=120_000)
    return page, page.evaluate("window.__bench.chartFrame") / 1000


def edit_seconds(page, value: float) -> float:
    """Type ``value`` into W1[1,1] and press Enter: seconds from the key press to the frame
    showing the new output value and the redrawn chart, whichever comes last."""
    table = page.get_by_test_id("stDataFrame").nth(WEIGHTS_TABLE)
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.wait_for_selector('[data-testid="stDataFrame"] #glide-cell-1-0', state="attached", timeout=60_000)
    page.mouse.dblclick(box["x"] + INDEX_PX + CELL_PX / 2, box["y"] + HEADER_PX + ROW_PX / 2)
    page.locator(".gdg-input").fill(str(value))
    page.evaluate("window.__benchArmEdit()")
    page.keyboard.press("Enter")
    page.wait_for_function(SETTLED, arg=True, polling=100, timeout=60_000)
    enter, output_frame, chart_frame = page.evaluate(
        "[window.__bench.enter, window.__bench.outputFrame, window.__bench.chartFrame]"
    )
    return (max(output_frame, chart_frame) - enter) / 1000


BARE_PAGE = """import plotly.graph_objects as go
import streamlit as st
st.plotly_chart(go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 0, 1], mode="markers")))
"""
"""The reference: a bare Streamlit page with one small plotly chart (Streamlit's own floor)."""


def browser_seconds(browser, bare_url: str, app_url: str, repeats: int) -> dict[str, list[tuple[float, float]]]:
    """Per round, the bare page opened, then each network's page opened and edited once:
    {label: [(open, edit), ...]} ("bare": edit 0). Interleaved, so that each round's figures share
    the machine's load of the moment (this 2-core machine's page-open times drift by ±20 %)."""
    urls = {"bare": bare_url, **{label: f"{app_url}/?preset={quote(preset)}" for label, preset in NETWORKS.items()}}
    for url in urls.values():  # each server's first session pays for imports and first builds
        warm, _ = opened_page(browser, url)
        warm.context.close()
    rounds: dict[str, list[tuple[float, float]]] = {label: [] for label in urls}
    for k in range(repeats):
        for label, url in urls.items():
            page, opened = opened_page(browser, url)
            edited = 0.0 if label == "bare" else edit_seconds(page, 50 + 10 * k)  # W1[1,1]: moves the output
            page.context.close()
            time.sleep(SETTLE_S)
            rounds[label].append((opened, edited))
    return rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    reruns = {label: server_rerun_seconds(preset, args.repeats) for label, preset in NETWORKS.items()}
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bare.py"
        script.write_text(BARE_PAGE)
        app_port, bare_port = free_port(), free_port()
        servers = [start_streamlit(app_port), start_streamlit(bare_port, script=script)]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                rounds = browser_seconds(
                    browser, f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{app_port}", args.repeats
                )
                browser.close()
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)

    bare_opens = [opened for opened, _ in rounds["bare"]]
    print(
        f"app benchmark, median of {args.repeats} rounds (2 shared cores: noisy); each round opens the bare page, then the app"
    )
    print(
        f"{'network':<20} {'rerun after edit':>18} {'edit → settled':>16} {'open → drawn':>14} {'open − bare page':>18}"
    )
    for label in NETWORKS:
        target = TARGETS[label]
        rerun = reruns[label]
        opened = statistics.median(opened for opened, _ in rounds[label])
        edited = statistics.median(edited for _, edited in rounds[label])
        overhead = statistics.median(app - bare for (app, _), bare in zip(rounds[label], bare_opens))
        print(
            f"{label:<20} {rerun * 1000:>12.0f} ms {'✓' if rerun <= target[0] else '✗'}   "
            f"{edited:>10.2f} s {'✓' if edited <= target[1] else '✗'}  {opened:>10.2f} s {'✓' if opened <= target[2] else '✗'}"
            f"  {overhead:>+14.2f} s"
        )
    print(
        f"reference: a bare Streamlit page with one plotly chart, open → drawn {statistics.median(bare_opens):.2f} s "
        f"(rounds: {', '.join(f'{t:.2f}' for t in bare_opens)}); the issue measured ~2.1 s"
    )
    print(
        "targets: rerun ≤ 100 / 300 ms, edit → settled ≤ 0.4 / 1 s, open → drawn ≤ 2.5 / 3 s "
        "(~2.1 s bare page + 0.4 / 0.9 s)"
    )


if __name__ == "__main__":
    main()
