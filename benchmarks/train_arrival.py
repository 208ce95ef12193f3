"""Benchmark of the Train page's arrival, in Chromium: how long from navigation to a usable Play
button on a fresh /train (a new browser context: no session, no link), against a bare Streamlit
page with one plotly chart served the same way, and how long one click on Play takes to show a
finished epoch.

Both pages run in their own Streamlit server on this machine; the runs alternate (train, bare,
train, bare, …) so both see the same load, and the figures are medians with their range. The
target (issue "The Train page a teacher can put on the projector"): the Train page's Play is
usable within the bare page's time + 0.5 s, and one click starts learning.

Run: python3 benchmarks/train_arrival.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit  # noqa: E402

ALLOWANCE_S = 0.5
"""The issue's allowance over the bare page."""
BARE_CHART_PAGE = """import plotly.graph_objects as go
import streamlit as st
st.title("Bare")
st.plotly_chart(go.Figure(go.Scatter(x=[0, 1, 2], y=[0, 1, 0])), theme=None)
"""
"""The reference: the least a Streamlit page with one chart does before it is usable."""


def arrival_seconds(browser, url: str, ready_selector: str) -> float:
    """Seconds from navigation to ``ready_selector`` visible, in a fresh context (a new session)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    began = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(ready_selector, state="visible", timeout=60_000)
    seconds = time.perf_counter() - began
    context.close()
    return seconds


def play_seconds(browser, url: str) -> float:
    """Seconds from one click on a fresh /train's Play to the first finished epoch on screen."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("button:has-text('Play'):not([disabled])", state="visible", timeout=60_000)
    began = time.perf_counter()
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('h3')).some(h => /^Epoch [1-9]/.test(h.innerText))",
        timeout=60_000,
    )
    seconds = time.perf_counter() - began
    page.get_by_role("button", name="Pause").click()
    context.close()
    return seconds


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="interleaved arrivals of each page (default 7)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        bare_script = Path(folder) / "bare.py"
        bare_script.write_text(BARE_CHART_PAGE, encoding="utf-8")
        app_port, bare_port = free_port(), free_port()
        servers = [start_streamlit(app_port), start_streamlit(bare_port, script=bare_script, cwd=Path(folder))]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                train_url, bare_url = f"http://127.0.0.1:{app_port}/train", f"http://127.0.0.1:{bare_port}/"
                # One visit each first: Python imports and Streamlit's first compile are not arrivals.
                arrival_seconds(browser, train_url, "button:has-text('Play')")
                arrival_seconds(browser, bare_url, ".main-svg")
                train, bare = [], []
                for _ in range(args.repeats):
                    train.append(arrival_seconds(browser, train_url, "button:has-text('Play'):not([disabled])"))
                    bare.append(arrival_seconds(browser, bare_url, ".main-svg"))
                plays = [play_seconds(browser, train_url) for _ in range(3)]
                browser.close()
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)

    target = statistics.median(bare) + ALLOWANCE_S
    verdict = "meets" if statistics.median(train) <= target else "misses"
    print(f"{args.repeats} interleaved arrivals each, fresh browser context, 1280×720")
    print(f"bare page with one chart → chart drawn:   {summary(bare)}")
    print(f"fresh /train → Play usable:               {summary(train)}")
    print(f"ratio train / bare: {statistics.median(train) / statistics.median(bare):.2f}")
    print(f"target: bare + {ALLOWANCE_S} s = {target:.2f} s → {verdict} it")
    print(f"one click on Play → first epoch on screen: {summary(plays)}")


if __name__ == "__main__":
    main()
