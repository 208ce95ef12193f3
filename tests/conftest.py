"""Shared fixtures: headless Debian Chromium through Playwright, and a real `streamlit run` server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots and exports the tests make (git-ignored); look at them."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright for the whole session: its sync API cannot be started twice at once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver):
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield chromium
    chromium.close()


PAGE_VIEWPORT = {"width": 1400, "height": 1000}


@pytest.fixture(scope="session")
def warm_tab(browser):
    """One tab for this test process, lent to each test through ``page``: a new tab costs ~4.5 s
    of CPU to compile Streamlit's and plotly's scripts again, a page opened again in the same tab
    ~1.2 s, because V8 keeps them compiled (measured on the 2-core machine; docs/testing.md)."""
    context = browser.new_context(viewport=PAGE_VIEWPORT)
    tab = context.new_page()
    yield tab
    context.close()


def lend_tab(tab, viewport: dict[str, int], scheme: str):
    """``tab`` as a new one would be — this viewport and colour scheme, no listeners of an earlier
    test — for one test; ``return_tab`` takes back what the test left. Its ``goto`` starts a new
    Streamlit session."""
    added = []

    def on(event, handler):
        added.append((event, handler))
        type(tab).on(tab, event, handler)

    tab.set_viewport_size(viewport)
    tab.emulate_media(color_scheme=scheme)
    tab.on = on  # noqa: B010 (this test's listeners are recorded, to be removed after it)
    tab.lent_listeners = added
    return tab


def return_tab(tab) -> None:
    """Take away what a test left in a lent tab — its listeners and routes, the origin's storage,
    the cookies — and leave for a blank page, which closes its Streamlit session as closing a tab
    would. Each step on its own: one that fails (a page mid-navigation) must not skip the others."""
    added = tab.__dict__.pop("lent_listeners", [])
    tab.__dict__.pop("on", None)
    steps = [lambda event=event, handler=handler: tab.remove_listener(event, handler) for event, handler in added]
    steps += [
        tab.unroute_all,
        lambda: tab.url.startswith("http") and tab.evaluate("() => { sessionStorage.clear(); localStorage.clear(); }"),
        tab.context.clear_cookies,
        lambda: tab.goto("about:blank"),
        lambda: tab.mouse.move(0, 0),
    ]
    for step in steps:
        with contextlib.suppress(Exception):
            step()


@pytest.fixture
def page(warm_tab):
    """The worker's warm tab, lent as a new 1400×1000 light tab and taken back after the test."""
    try:
        yield lend_tab(warm_tab, PAGE_VIEWPORT, "light")
    finally:
        return_tab(warm_tab)


def copy_of_the_checkout(destination: Path) -> Path:
    """What a fresh clone of this work tree holds: its tracked and new files (modes kept), nothing
    ignored."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    for name in files.stdout.splitlines():
        if (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            (destination / name).write_bytes((ROOT / name).read_bytes())
            (destination / name).chmod((ROOT / name).stat().st_mode)
    return destination


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_streamlit(
    port: int, env: dict[str, str] | None = None, script: Path = ROOT / "app.py", cwd: Path = ROOT
) -> subprocess.Popen:
    """`streamlit run app.py` (or ``script``) in folder ``cwd`` on localhost:port, returning once the
    health check answers. (``cwd`` comes first on the server's import path: another checkout of
    the project is served from its own folder.)"""
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    process = subprocess.Popen(
        command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited: {process.stdout.read().decode(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("streamlit did not answer its health check within 60 s")


@pytest.fixture(scope="session")
def app_url():
    """A real Streamlit server running app.py, for the whole test session."""
    port = free_port()
    process = start_streamlit(port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def open_lazy_section(app, key: str):
    """Open a section drawn only while open (Save and share, the matrix form) in an AppTest, as a
    click on it does in the browser, and rerun."""
    app.session_state[key] = True
    return app.run()


def main_thread_seconds(cdp) -> float:
    """The page's renderer main-thread CPU seconds so far (Chromium's TaskDuration metric; the
    CDP session needs ``Performance.enable``). The benchmarks' browser CPU figures."""
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(metric["value"] for metric in metrics if metric["name"] == "TaskDuration")


def wait_for_app_idle(page, timeout_ms: int = 30_000) -> None:
    """Streamlit's own e2e tests wait for this attribute: the script has finished its run."""
    page.wait_for_selector('[data-test-script-state="notRunning"]', state="attached", timeout=timeout_ms)
