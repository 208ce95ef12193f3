"""The digit reader's speed in headless Chromium, beside the seed example's page open:

1. a drawn pixel → the page showing it inked with every layer recomputed (the reading and the
   diagram redrawn) and the script idle: mouse click to idle, per click of 8 pixels down a
   column (a column per round; a click is a one-pixel stroke); beside it the browser's
   main-thread CPU seconds per click, which move far less with the machine's load than the
   wall-clock figure; and, where the canvas takes strokes, the same 8 pixels dragged as one
   stroke: release to idle;
2. page open (navigation start → the diagram drawn and the script idle), for a new visitor (a
   fresh browser context), at ``?preset=`` for the seed example and for the digit reader,
   in alternating rounds so both see the same load.

Targets (issue 16): 1 within 0.5 s; 2 within 0.5 s of the seed example's. On this shared 2-core
machine the figures move with the load of the moment.

``--compare TREE`` serves a second checkout of the project (e.g. the commit before a change)
beside this one, and measures both in the same rounds, in alternating order. Each tree's page is
driven by that tree's own tests/digit_page.py (the drawing canvas has changed form).

Run: python3 benchmarks/digits.py [--repeats N] [--compare TREE]. Starts its own servers and
Chromium.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import CHROMIUM, CHROMIUM_ARGS, free_port, main_thread_seconds, start_streamlit, wait_for_app_idle  # noqa: E402

STROKE = [4, 12, 20, 28, 36, 44, 52, 60]


def page_driver(root: Path):
    """The module ``root``/tests/digit_page.py: how to draw on that tree's page."""
    spec = importlib.util.spec_from_file_location(f"digit_page_{abs(hash(root))}", root / "tests" / "digit_page.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def open_seconds(browser, url: str) -> tuple[float, float]:
    """(seconds from navigation to the diagram drawn and the script idle, the browser's
    main-thread CPU seconds by then) for a new visitor."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=60_000)
    wait_for_app_idle(page)
    seconds = time.perf_counter() - started
    cpu = main_thread_seconds(cdp)
    context.close()
    return seconds, cpu


def stroke_seconds(browser, base: str, driver) -> tuple[list[tuple[float, float]], float | None]:
    """Each click of STROKE on a cleared image: (seconds to the page showing it, idle; the
    browser's main-thread CPU seconds in that time); then, if the canvas takes strokes, STROKE
    dragged as one on a cleared image: seconds from the release to idle (else None)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.goto(driver.digit_reader_url(base))
    page.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=60_000)
    wait_for_app_idle(page)

    def clear() -> None:
        page.get_by_role("button", name="Clear the image").click()
        page.wait_for_timeout(1500)
        wait_for_app_idle(page)

    clear()
    clicks = []
    for pixel in STROKE:
        page.wait_for_timeout(200)  # the page's own work after the last click is not this one's
        before = main_thread_seconds(cdp)
        seconds = driver.click_pixel_and_wait(page, pixel, wait_for_app_idle)
        clicks.append((seconds, main_thread_seconds(cdp) - before))
    dragged = None
    if hasattr(driver, "drag_stroke"):
        clear()
        dragged = driver.drag_stroke(page, STROKE, wait_for_app_idle)
    context.close()
    return clicks, dragged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--compare", type=Path, help="another checkout of the project, measured in the same rounds")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    trees = {"this tree": ROOT}
    if args.compare is not None:
        trees = {args.compare.name: args.compare.resolve(), **trees}
    servers, bases = [], {}
    drivers = {name: page_driver(root) for name, root in trees.items()}
    try:
        for name, root in trees.items():
            port = free_port()
            servers.append(start_streamlit(port, script=root / "app.py", cwd=root))
            bases[name] = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for name, base in bases.items():  # warm the servers: a first run imports and caches everything
                open_seconds(browser, base)
                open_seconds(browser, drivers[name].digit_reader_url(base))
            seed = {name: [] for name in trees}
            digits = {name: [] for name in trees}
            clicks = {name: [] for name in trees}
            drags = {name: [] for name in trees}
            names = list(trees)
            for k in range(args.repeats):
                for name in names[k % len(names) :] + names[: k % len(names)]:
                    seed[name].append(open_seconds(browser, f"{bases[name]}/?preset={quote('Seed example (3-4-2)')}"))
                    digits[name].append(open_seconds(browser, drivers[name].digit_reader_url(bases[name])))
            for k in range(max(2, args.repeats)):  # a stroke each per round, alternating which goes first
                for name in names[k % len(names) :] + names[: k % len(names)]:
                    measured, dragged = stroke_seconds(browser, bases[name], drivers[name])
                    clicks[name] += measured
                    drags[name] += [] if dragged is None else [dragged]
            browser.close()
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    for name in names:
        difference = statistics.median(d - s for (d, _), (s, _) in zip(digits[name], seed[name]))
        cpu_difference = statistics.median(d - s for (_, d), (_, s) in zip(digits[name], seed[name]))
        print(f"== {name}")
        for page_name, opens in (("seed example", seed[name]), ("digit reader", digits[name])):
            print(
                f"page open, {page_name}:  median {statistics.median(w for w, _ in opens):.2f} s  "
                f"({', '.join(f'{w:.2f}' for w, _ in opens)}); browser CPU median "
                f"{statistics.median(c for _, c in opens):.2f} s"
            )
        print(
            f"digit reader − seed example, median per round: {difference:+.2f} s (target ≤ +0.5 s); "
            f"browser CPU {cpu_difference:+.2f} s"
        )
        walls = [wall for wall, _ in clicks[name]]
        print(
            f"drawn pixel → every layer redrawn, idle: median {statistics.median(walls):.2f} s, "
            f"max {max(walls):.2f} s over {len(walls)} clicks (target ≤ 0.5 s); browser main-thread "
            f"CPU per click: median {statistics.median(cpu for _, cpu in clicks[name]):.2f} s"
        )
        if drags[name]:
            print(
                f"8 pixels dragged as one stroke, release → idle: median {statistics.median(drags[name]):.2f} s "
                f"({', '.join(f'{d:.2f}' for d in drags[name])})"
            )
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()
