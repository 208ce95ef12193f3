"""The Train page's address in Chromium: a reload after Play and Pause brings back the same
dataset, settings and trained network (and says the curves are not kept); a link made on the
Simulator opens that network on /train in a fresh browser context; Back and Forward go through
a setting's change. Screenshots in artifacts/."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import wait_for_app_idle
from test_address_browser import SEED_W1
from test_app_browser import WEIGHTS_TABLE, open_app, seed_output, type_into_cell, wait_for_output
from test_train_browser import pick

from mlpsim.io.sharelink import decode

pytestmark = pytest.mark.browser


def wait_for_url(page, pattern: str, timeout_ms: int = 20_000) -> str:
    """The page's address once it matches ``pattern``; waits with Playwright's own timer, which
    lets the page's events (its address changes) through, as a plain sleep would not."""
    for _ in range(timeout_ms // 200):
        if re.search(pattern, page.url):
            return page.url
        page.wait_for_timeout(200)
    raise AssertionError(f"the address is {page.url}, expected it to match {pattern!r}")


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def w1_text(page) -> str:
    """The one-step panel's first table: the current network's W1, as the page shows it."""
    return page.locator('[data-testid="stTable"]').first.inner_text()


def test_a_reload_after_play_and_pause_keeps_the_data_settings_and_trained_network(page, app_url, artifacts):
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(f"{app_url}/train")
    page.get_by_role("button", name="Play").wait_for(timeout=60_000)
    wait_for_app_idle(page)
    pick(page, "Dataset", "Exclusive or (Playground)")
    rate = page.locator('[data-testid="stSidebar"]').get_by_label("Learning rate η")
    rate.fill("0.07")
    rate.press("Enter")
    wait_for_app_idle(page)
    before_play = wait_for_url(page, r"data=xor.*lr=0\.07")
    entries_before_play = page.evaluate("history.length")
    page.get_by_role("button", name="Play").click()
    page.wait_for_selector("h3:has-text('Epoch'):not(:has-text('Epoch 0'))", timeout=30_000)
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=15_000)
    wait_for_app_idle(page)
    frames = re.search(r"Epoch (\d+)", page.locator("h3", has_text="Epoch").first.inner_text())
    assert int(frames.group(1)) >= 16  # at least two frames of 8 epochs were played ...
    # Pause wrote the trained network: the address's net is no longer the one Play started from.
    started = re.escape(query(before_play)["net"])
    address = wait_for_url(page, rf"net=(?!{started}&)[^&]+&.*data=xor.*lr=0\.07")
    trained = decode(query(address)["net"])
    # ... and the browser's history got one entry for the whole run (Pause's), none per frame.
    assert page.evaluate("history.length") - entries_before_play <= 1
    shown = w1_text(page)
    # The W1 the page shows is the address's W1 (4 significant digits, as the table writes them).
    for value in trained.layers[0].weights.ravel():
        assert f"{value:.4g}" in shown

    page.reload()
    page.get_by_role("button", name="Play").wait_for(timeout=60_000)
    wait_for_app_idle(page)
    assert page.url == address
    sidebar = page.locator('[data-testid="stSidebar"]')
    # The sidebar's caption names the chosen dataset and what of its defaults was changed.
    caption = sidebar.get_by_text("Exclusive or's defaults:").first.inner_text()
    assert caption.endswith("you changed η.")
    assert float(sidebar.get_by_label("Learning rate η").input_value()) == 0.07
    assert page.get_by_text("the run's curves and epoch count are not kept in an address").count() == 1
    assert re.search(r"Epoch 0", page.locator("h3", has_text="Epoch").first.inner_text())
    assert w1_text(page) == shown  # the trained weights, not the ones Play started from
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(artifacts / "train-address-after-reload.png"), full_page=False)


def test_a_link_made_on_the_simulator_opens_its_network_on_train(page, browser, app_url, artifacts):
    open_app(page, app_url)
    type_into_cell(page, WEIGHTS_TABLE, row=1, column=1, text="1")  # W1[2,2]: 9 → 1
    edited = [row[:] for row in SEED_W1]
    edited[1][1] = 1.0
    wait_for_output(page, seed_output(edited))
    wait_for_app_idle(page)
    link = query(wait_for_url(page, r"\?net=1\."))
    assert decode(link["net"]).layers[0].weights.tolist() == edited

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        fresh = context.new_page()
        fresh.goto(f"{app_url}/train?{urlsplit(page.url).query}")
        fresh.get_by_text(re.compile(r"^Seed example \(3-4-2\) — the network")).first.wait_for(timeout=60_000)
        wait_for_app_idle(fresh)
        assert fresh.get_by_text("Circle network").count() == 0
        assert fresh.locator('[data-testid="stException"]').count() == 0
        assert query(fresh.url)["net"] == link["net"]  # the page kept the address it opened
        fresh.screenshot(path=str(artifacts / "train-address-simulator-link.png"))
        fresh.get_by_role("link", name="Simulator").click()
        wait_for_output(fresh, seed_output(edited))  # the very network edited in the other tab
    finally:
        context.close()


def test_back_brings_the_setting_before_a_change_and_forward_the_change(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(f"{app_url}/train")
    page.get_by_role("button", name="Play").wait_for(timeout=60_000)
    wait_for_app_idle(page)
    wait_for_url(page, r"data=circle.*lr=0\.03")
    rate = page.locator('[data-testid="stSidebar"]').get_by_label("Learning rate η")
    rate.fill("0.2")
    rate.press("Enter")
    wait_for_app_idle(page)
    changed = wait_for_url(page, r"lr=0\.2&")
    page.go_back()
    wait_for_url(page, r"lr=0\.03&")
    page.wait_for_function("() => document.querySelector('[aria-label=\"Learning rate η\"]').value === '0.03'")
    wait_for_app_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.go_forward()
    assert wait_for_url(page, r"lr=0\.2&") == changed
    page.wait_for_function("() => document.querySelector('[aria-label=\"Learning rate η\"]').value === '0.2'")
