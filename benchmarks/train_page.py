"""Benchmark of the Train page in Chromium: frames and epochs per second while playing 2-8-8-1
on the Playground's XOR (500 points, batch 10, 100×100 boundary and every neuron's map), Pause
latency, Step latency, and digits (64-32-10) epochs per second.

A frame is counted when the "Epoch N" heading changes (a MutationObserver in the page stamps
each change with the page's clock), so frames are what the learner sees arrive, not what the
server sent. Beside them, measured in the same run (this 2-core machine is shared, so figures
from different minutes do not compare):

- the bare frame: a Streamlit page whose fragment only counts on the same timer
  (ui.pages.train.FRAME_SECONDS) — the frame rate Streamlit itself allows here and now;
- the core alone: epochs per second of the same training (mlpsim.training_run.epochs, the same rows
  and settings) in this process, with no page — the ceiling for epochs per second;
- the browser's main thread: the share of each second Chromium spent on tasks while playing
  (CDP Performance.getMetrics TaskDuration), where a plotly redraw would show.

Run: python3 benchmarks/train_page.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import CHROMIUM, CHROMIUM_ARGS, free_port, main_thread_seconds, start_streamlit, wait_for_app_idle  # noqa: E402

from mlpsim import training_run  # noqa: E402
from mlpsim.core.initializers import initialized_network  # noqa: E402
from mlpsim.io.sharelink import encode  # noqa: E402
from ui.pages.train import FRAME_SECONDS  # noqa: E402

STEP_PAUSE_S = 0.3
TARGETS = {"frames/s": 5.0, "epochs/s": 20.0, "pause": 0.5, "step": 0.5, "digits epochs/s": 2.0}
BARE_FRAME_PAGE = f"""import streamlit as st
st.session_state.setdefault("frames", 0)
@st.fragment(run_every={FRAME_SECONDS})
def frame():
    st.session_state.frames += 1
    st.markdown(f"### Epoch {{st.session_state.frames}}")
frame()
"""
"""The reference: a fragment on the Train page's timer that does nothing but count."""

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
    window.__clicked = null;
    document.addEventListener('click', () => { window.__clicked = performance.now(); }, {capture: true});
}"""
"""Stamps each change of the "Epoch N" heading and the last click on the page's clock (Playwright's
click presses only once the button is stable, 0.1–0.5 s after the call on a busy page)."""


def open_train(browser, url: str, network):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(f"{url}/?net={quote(encode(network))}")
    wait_for_app_idle(page, 60_000)
    page.get_by_role("link", name="Train").click()
    page.wait_for_selector("h1:has-text('Train')", timeout=60_000)
    wait_for_app_idle(page)
    return page


def play(page, seconds: float, press: bool = True) -> tuple[float, float, float, float]:
    """(frames/s, epochs/s, Pause latency in s, browser main-thread busy share) for ``seconds``
    of Play (``press`` False: the page plays by itself, the bare frame)."""
    page.evaluate(WATCH)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    if press:
        page.get_by_role("button", name="Play").click()
    time.sleep(1.0)  # the first frames pay for the play's first full rerun
    busy_before, began = main_thread_seconds(cdp), time.perf_counter()
    time.sleep(seconds)
    busy = (main_thread_seconds(cdp) - busy_before) / (time.perf_counter() - began)
    clicked = page.evaluate("performance.now()")
    if not press:
        frames = page.evaluate("window.__frames")
        return *rates([f for f in frames if f[0] >= clicked - 1000 * seconds]), float("nan"), busy
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=10_000)
    time.sleep(1.5)
    frames = page.evaluate("window.__frames")
    fps, eps = rates([f for f in frames if clicked - 1000 * seconds <= f[0] <= clicked])
    pressed = page.evaluate("window.__clicked")
    after = [f for f in frames if f[0] > pressed]
    pause = ((after[-1][0] - pressed) / 1000) if after else 0.0
    return fps, eps, pause, busy


def pause_latencies(page, first: float, cycles: int = 2, seconds: float = 2.0) -> list[float]:
    """``first`` (the long play's Pause) and ``cycles`` more Play / ``seconds`` / Pause latencies,
    sorted: one Pause can land at any point of a frame, so one figure is a draw."""
    latencies = [first]
    for _ in range(cycles):
        latencies.append(play(page, seconds)[2])
    return sorted(latencies)


def rates(frames: list) -> tuple[float, float]:
    """Frames and epochs per second between the first and the last of [(time ms, epoch), …]."""
    if len(frames) < 2:
        return 0.0, 0.0
    span = (frames[-1][0] - frames[0][0]) / 1000
    return (len(frames) - 1) / span, (frames[-1][1] - frames[0][1]) / span


def core_epochs_per_second(seconds: float = 3.0) -> float:
    """The Train page's XOR training (500 points, half of them test rows, 2-8-8-1 tanh, batch
    10, its default settings) with no page: epochs per second in this process."""
    choice = training_run.DataChoice()
    network = initialized_network([2, 8, 8, 1], ["tanh"] * 3, "xavier", seed=1)
    data = training_run.prepare(*training_run.built_in(choice), network)
    settings = training_run.Settings()
    run = training_run.new_run(network, settings, choice.seed)
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        run = training_run.epochs(run, settings, data, 10)
    return run.epoch / (time.perf_counter() - began)


def counter_text(page) -> str:
    """The "Epoch N" heading and the line under it (batch within the epoch, losses)."""
    return page.evaluate("""() => { const h = Array.from(document.querySelectorAll('h3')).find(h => /^Epoch/.test(h.innerText));
        return h ? h.closest('[data-testid="stMarkdownContainer"]').innerText : ''; }""")


def step_latency(page, repeats: int = 9) -> list[float]:
    """Seconds from each Step click until the counter shows the step and the app is idle, sorted.
    Each click comes STEP_PAUSE_S after the page went idle, as a learner's next click would: the
    browser's work left over from the last draw (the chart's second layout pass, image decoding)
    is not counted in this one's."""
    times = []
    for _ in range(repeats):
        page.wait_for_timeout(STEP_PAUSE_S * 1000)
        before = counter_text(page)
        began = time.perf_counter()
        page.get_by_role("button", name=re.compile("^Step")).click()
        while counter_text(page) == before and time.perf_counter() - began < 10:
            time.sleep(0.01)
        wait_for_app_idle(page)
        times.append(time.perf_counter() - began)
    return sorted(times)


def mark(value: float, target: float, higher_is_better: bool = True) -> str:
    return "✓" if (value >= target if higher_is_better else value <= target) else "✗"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of Play per measurement")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])} on 2 shared cores")
    core = core_epochs_per_second()
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bare_frame.py"
        script.write_text(BARE_FRAME_PAGE)
        port, bare_port = free_port(), free_port()
        servers = [start_streamlit(port), start_streamlit(bare_port, script=script)]
        url = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                bare = browser.new_page(viewport={"width": 1280, "height": 1400})
                bare.goto(f"http://127.0.0.1:{bare_port}/")
                bare.wait_for_selector("h3:has-text('Epoch')", timeout=60_000)
                bare_fps, _, _, bare_busy = play(bare, args.seconds, press=False)
                bare.close()
                page = open_train(browser, url, initialized_network([2, 8, 8, 1], ["tanh"] * 3, "xavier", seed=1))
                fps, eps, first_pause, busy = play(page, args.seconds)
                pauses = pause_latencies(page, first_pause)
                pause = pauses[len(pauses) // 2]
                steps = step_latency(page)
                step = steps[len(steps) // 2]
                page.close()
                # A 64-input network is too big for a share link: open a 2-32-10 one and let the
                # page's reshape offer make it 64-32-10 (softmax, cross-entropy) for the digits.
                digits = open_train(
                    browser, url, initialized_network([2, 32, 10], ["relu", "softmax"], "xavier", seed=0)
                )
                sidebar = digits.locator('[data-testid="stSidebar"]')
                sidebar.get_by_role("combobox", name="Dataset").click()
                digits.get_by_role("option", name=re.compile("^Digits")).click()
                digits.get_by_role("button", name="Reshape the network to fit").click()
                try:
                    digits.wait_for_selector("h3:has-text('Epoch')", timeout=60_000)
                except Exception:
                    digits.screenshot(path=str(ROOT / "artifacts" / "train-benchmark-digits-failed.png"))
                    raise
                wait_for_app_idle(digits)
                digit_fps, digit_eps, first_digit_pause, digit_busy = play(digits, args.seconds)
                digit_pauses = pause_latencies(digits, first_digit_pause)
                digit_pause = digit_pauses[len(digit_pauses) // 2]
                browser.close()
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
    print(f"load average after:  {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print(f"Train page in Chromium, {args.seconds:g} s of Play each; frame timer {FRAME_SECONDS:g} s")
    print(f"{'':<44} {'measured':>9} {'target':>8}   reference (same run)")
    print(
        f"{'2-8-8-1 XOR frames/s':<44} {fps:>9.1f} {'≥ 5':>8} {mark(fps, TARGETS['frames/s'])} "
        f"bare fragment on the same timer: {bare_fps:.1f} frames/s"
    )
    print(
        f"{'2-8-8-1 XOR epochs/s':<44} {eps:>9.1f} {'≥ 20':>8} {mark(eps, TARGETS['epochs/s'])} "
        f"the core alone, no page: {core:.0f} epochs/s"
    )
    print(
        f"{'  browser main thread busy while playing':<44} {100 * busy:>8.0f}% {'':>8}   bare: {100 * bare_busy:.0f}%"
    )
    print(
        f"{'Pause: click → last frame shown':<44} {pause:>7.2f} s {'≤ 0.5 s':>8} {mark(pause, 0.5, False)} "
        f"median of {len(pauses)}, {pauses[0]:.2f}–{pauses[-1]:.2f} s"
    )
    print(
        f"{'Step: click → counter moved, app idle':<44} {step:>7.2f} s {'≤ 0.5 s':>8} {mark(step, 0.5, False)} "
        f"median of {len(steps)}, {steps[0]:.2f}–{steps[-1]:.2f} s"
    )
    print(
        f"{'digits 64-32-10 epochs/s (confusion, worst)':<44} {digit_eps:>9.1f} {'≥ 2':>8} "
        f"{mark(digit_eps, TARGETS['digits epochs/s'])} {digit_fps:.1f} frames/s, Pause {digit_pause:.2f} s "
        f"({digit_pauses[0]:.2f}–{digit_pauses[-1]:.2f}), "
        f"main thread {100 * digit_busy:.0f}%"
    )


if __name__ == "__main__":
    main()
