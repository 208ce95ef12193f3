"""The digit reader's speed in headless Chromium, beside the seed example's page open:

1. a drawn pixel → the page showing it inked with every layer recomputed (the reading and the
   diagram redrawn) and the script idle: mouse click to idle, per click of an 8-pixel stroke;
2. page open (navigation start → the diagram drawn and the script idle), for a new visitor (a
   fresh browser context), at ``?preset=`` for the seed example and for the digit reader,
   in alternating rounds so both see the same load.

Targets (issue 16): 1 within 0.5 s; 2 within 0.5 s of the seed example's. On this shared 2-core
machine the figures move with the load of the moment.

Run: python3 benchmarks/digits.py [--repeats N]. Starts its own server and Chromium.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit, wait_for_app_idle  # noqa: E402
from digit_page import click_pixel_and_wait, digit_reader_url  # noqa: E402

STROKE = [4, 12, 20, 28, 36, 44, 52, 60]


def open_seconds(browser, url: str) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=60_000)
    wait_for_app_idle(page)
    seconds = time.perf_counter() - started
    context.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_streamlit(port)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            open_seconds(browser, base)  # warm the server: the first run imports everything
            seed, digits = [], []
            for _ in range(repeats):
                seed.append(open_seconds(browser, f"{base}/?preset={quote('Seed example (3-4-2)')}"))
                digits.append(open_seconds(browser, digit_reader_url(base)))
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            page = context.new_page()
            page.goto(digit_reader_url(base))
            page.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=60_000)
            wait_for_app_idle(page)
            page.get_by_role("button", name="Clear the image").click()
            page.wait_for_timeout(1500)
            wait_for_app_idle(page)
            clicks = [click_pixel_and_wait(page, pixel, wait_for_app_idle) for pixel in STROKE]
            context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    difference = statistics.median(d - s for d, s in zip(digits, seed))
    print(f"page open, seed example:  median {statistics.median(seed):.2f} s  ({', '.join(f'{s:.2f}' for s in seed)})")
    print(
        f"page open, digit reader:  median {statistics.median(digits):.2f} s  ({', '.join(f'{s:.2f}' for s in digits)})"
    )
    print(f"digit reader − seed example, median per round: {difference:+.2f} s (target ≤ +0.5 s)")
    print(
        f"drawn pixel → every layer redrawn, idle: median {statistics.median(clicks):.2f} s, "
        f"max {max(clicks):.2f} s over {len(clicks)} clicks (target ≤ 0.5 s)"
    )


if __name__ == "__main__":
    main()
