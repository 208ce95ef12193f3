"""Benchmark of the Train page in Chromium: frames and epochs per second while playing 2-8-8-1
on the Playground's XOR (500 points, batch 10, 100×100 boundary and every neuron's map), Pause
latency, Step latency, and digits (64-32-10) epochs per second.

A frame is counted when the "Epoch N" heading changes (a MutationObserver in the page stamps
each change with the page's clock), so frames are what the learner sees arrive, not what the
server sent. Run: python3 benchmarks/train_page.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit, wait_for_app_idle  # noqa: E402

from mlpsim.core.initializers import initialized_network  # noqa: E402
from mlpsim.io.sharelink import encode  # noqa: E402

WATCH = """() => {
    window.__frames = [];
    const stamp = () => {
        const heading = Array.from(document.querySelectorAll('h3')).find(h => /^Epoch \\d+/.test(h.innerText));
        const epoch = heading ? parseInt(heading.innerText.match(/\\d+/)[0]) : null;
        const last = window.__frames[window.__frames.length - 1];
        if (epoch !== null && (!last || last[1] !== epoch)) { window.__frames.push([performance.now(), epoch]); }
    };
    new MutationObserver(stamp).observe(document.body, {subtree: true, childList: true, characterData: true});
    stamp();
}"""


def open_train(browser, url: str, network):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(f"{url}/?net={quote(encode(network))}")
    wait_for_app_idle(page, 60_000)
    page.get_by_role("link", name="Train").click()
    page.wait_for_selector("h1:has-text('Train')", timeout=60_000)
    wait_for_app_idle(page)
    return page


def play(page, seconds: float) -> tuple[float, float, float]:
    """(frames/s, epochs/s, Pause latency in s) for ``seconds`` of Play."""
    page.evaluate(WATCH)
    page.get_by_role("button", name="Play").click()
    time.sleep(seconds)
    clicked = page.evaluate("performance.now()")
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=10_000)
    time.sleep(1.5)
    frames = page.evaluate("window.__frames")
    playing = [f for f in frames if f[0] <= clicked]
    if len(playing) < 2:
        return 0.0, 0.0, float("nan")
    span = (playing[-1][0] - playing[0][0]) / 1000
    fps = (len(playing) - 1) / span
    eps = (playing[-1][1] - playing[0][1]) / span
    after = [f for f in frames if f[0] > clicked]
    pause = ((after[-1][0] - clicked) / 1000) if after else 0.0
    return fps, eps, pause


def counter_text(page) -> str:
    """The "Epoch N" heading and the line under it (batch within the epoch, losses)."""
    return page.evaluate("""() => { const h = Array.from(document.querySelectorAll('h3')).find(h => /^Epoch/.test(h.innerText));
        return h ? h.closest('[data-testid="stMarkdownContainer"]').innerText : ''; }""")


def step_latency(page, repeats: int = 5) -> float:
    """Median seconds from a Step click until the counter shows the step and the app is idle."""
    times = []
    for _ in range(repeats):
        before = counter_text(page)
        began = time.perf_counter()
        page.get_by_role("button", name=re.compile("^Step")).click()
        while counter_text(page) == before and time.perf_counter() - began < 10:
            time.sleep(0.01)
        wait_for_app_idle(page)
        times.append(time.perf_counter() - began)
    times.sort()
    return times[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of Play per measurement")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_streamlit(port)
    url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = open_train(browser, url, initialized_network([2, 8, 8, 1], ["tanh"] * 3, "xavier", seed=1))
            fps, eps, pause = play(page, args.seconds)
            step = step_latency(page)
            print("2-8-8-1 XOR, 500 points, batch 10, 100×100 boundary + 17 neuron maps:")
            print(
                f"  frames/s {fps:.1f}   epochs/s {eps:.1f}   Pause latency {pause:.2f} s   Step latency {step:.2f} s"
            )
            page.close()
            # A 64-input network is too big for a share link: open a 2-32-10 one and let the
            # page's reshape offer make it 64-32-10 (softmax, cross-entropy) for the digits.
            digits = open_train(browser, url, initialized_network([2, 32, 10], ["relu", "softmax"], "xavier", seed=0))
            sidebar = digits.locator('[data-testid="stSidebar"]')
            sidebar.get_by_role("combobox", name="Dataset").click()
            digits.get_by_role("option", name=re.compile("^Digits")).click()
            digits.get_by_role("button", name="Reshape the network to fit").click()
            digits.wait_for_selector("h3:has-text('Epoch')", timeout=60_000)
            wait_for_app_idle(digits)
            fps, eps, pause = play(digits, args.seconds)
            print("Digits 64-32-10, batch 10, confusion matrix + worst images:")
            print(f"  frames/s {fps:.1f}   epochs/s {eps:.1f}   Pause latency {pause:.2f} s")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
