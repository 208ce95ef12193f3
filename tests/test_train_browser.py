"""The Train page in Chromium: Play on XOR until the test loss is below 0.05 and the boundary
has changed (screenshots at the start, middle and end in artifacts/), Pause within 0.5 s, and
a Step's three tables with a weight worked out here; the page at 1280×720 and 820 px, light
and dark."""

from __future__ import annotations

import base64
import io
import re
import time
from urllib.parse import quote

import numpy as np
import pytest
import reference
from conftest import wait_for_app_idle
from PIL import Image

from mlpsim.core.initializers import initialized_network
from mlpsim.core.network import Layer, Network
from mlpsim.io.sharelink import encode

pytestmark = pytest.mark.browser

COUNTER = re.compile(r"Epoch (\d+)")
TEST_LOSS = re.compile(r"test loss (\d+\.\d+)")
TRAIN_LOSS = re.compile(r"train loss (\d+\.\d+)")


def open_on_train(page, app_url: str, network: Network, viewport=(1280, 900), dark=False) -> None:
    """A fresh session: the network opened by a share link on the Simulator, then the Train page
    picked in the navigation (the same session network)."""
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.emulate_media(color_scheme="dark" if dark else "light")
    page.goto(f"{app_url}/?net={quote(encode(network))}")
    wait_for_app_idle(page, 60_000)
    page.get_by_role("link", name="Train").click()
    page.wait_for_selector("h3:has-text('Epoch')", timeout=60_000)
    wait_for_app_idle(page)


def pick(page, select: str, option: str) -> None:
    """Choose ``option`` in the sidebar's select named ``select``, and wait for the page's rerun."""
    page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name=select).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app_idle(page)


WATCH_PAUSE = """() => {
    window.__pressed = null;
    window.__changes = [];
    document.addEventListener('click', () => { window.__pressed = performance.now(); }, {capture: true, once: true});
    const heading = () => Array.from(document.querySelectorAll('h3')).find(h => /^Epoch \\d+/.test(h.innerText));
    let last = heading().innerText;
    new MutationObserver(() => {
        const now = heading();
        if (now && now.innerText !== last) { last = now.innerText; window.__changes.push([performance.now(), last]); }
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""
"""Stamps, on the page's own clock, the next click (the Pause button's, when a button acts) and
every change of the "Epoch N" heading: Playwright's click waits for the button to be stable on a
busy page before it presses, and its polling of the heading lags, so neither is the learner's
latency."""


def epoch_of(page) -> int:
    return int(COUNTER.search(page.locator("h3", has_text="Epoch").first.inner_text()).group(1))


def boundary_rgb(page) -> np.ndarray:
    """The decision boundary picture as the page shows it: (H, W, 3) floats, decoded by Pillow."""
    picture = page.get_by_role("img", name=re.compile("^Decision boundary"))
    picture.wait_for(timeout=30_000)
    source = picture.get_attribute("src")
    assert source.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB"), dtype=float)


def blueness(rgb: np.ndarray, right: float, up: float) -> float:
    """Mean blue minus red over a 10 % square around a place of the plane (fractions from the
    left and from the bottom): the ramp's blue (high output) is about +180, its orange −210."""
    height, width, _ = rgb.shape
    row, column = round((1 - up) * height), round(right * width)
    block = rgb[max(0, row - height // 20) : row + height // 20, max(0, column - width // 20) : column + width // 20]
    return float(np.mean(block[..., 2] - block[..., 0]))


@pytest.mark.timing
def test_play_on_xor_until_the_test_loss_is_below_0_05_then_pause_within_half_a_second(page, app_url, artifacts):
    network = initialized_network([2, 8, 8, 1], ["tanh", "tanh", "tanh"], "xavier", seed=1)
    open_on_train(page, app_url, network, viewport=(1280, 1400))
    pick(page, "Dataset", "Exclusive or (Playground)")  # a fresh page opens on the circle
    start = boundary_rgb(page)
    page.screenshot(path=str(artifacts / "train-play-start.png"))
    page.get_by_role("button", name="Play").click()
    began, middle_shot, loss = time.monotonic(), False, None
    while time.monotonic() - began < 120:
        text = (
            page.locator("p", has_text="test loss").first.inner_text()
            if page.locator("p", has_text="test loss").count()
            else ""
        )
        match = TEST_LOSS.search(text)
        loss = float(match.group(1)) if match else None
        if loss is not None and not middle_shot and loss < 0.3:
            page.screenshot(path=str(artifacts / "train-play-middle.png"))
            middle_shot = True
        if loss is not None and loss < 0.05:
            break
        time.sleep(0.2)
    assert loss is not None and loss < 0.05, f"test loss {loss} after 120 s"
    page.evaluate(WATCH_PAUSE)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=5_000)
    time.sleep(2.5)
    changes = page.evaluate("window.__changes")
    pressed = page.evaluate("window.__pressed")
    assert pressed is not None
    late = [at - pressed for at, _ in changes if at > pressed]
    assert not late or late[-1] <= 500, f"the epoch still moved {late[-1] / 1000:.2f} s after Pause: {changes}"
    wait_for_app_idle(page)
    end = boundary_rgb(page)
    page.screenshot(path=str(artifacts / "train-play-end.png"))
    assert middle_shot
    assert np.mean(np.abs(end - start)) > 20  # the boundary moved (of 255 per channel)
    # XOR: the trained output is high (blue) where x·y > 0, low (orange) elsewhere.
    assert blueness(end, 0.9, 0.9) > 50 and blueness(end, 0.1, 0.1) > 50
    assert blueness(end, 0.9, 0.1) < -50 and blueness(end, 0.1, 0.9) < -50


def small_network() -> Network:
    return Network(
        input_size=2,
        name="small",
        layers=(
            Layer(weights=np.array([[0.5, -0.5], [0.25, 1.0]]), bias=np.array([0.0, 0.0]), activation="relu"),
            Layer(weights=np.array([[1.0], [2.0]]), bias=np.array([0.0]), activation="sigmoid"),
        ),
    )


def test_a_step_shows_the_three_tables_of_the_next_step_and_makes_it(page, app_url, artifacts):
    open_on_train(page, app_url, small_network(), viewport=(1280, 1600))
    sidebar = page.locator('[data-testid="stSidebar"]')
    pick(page, "Dataset", "Truth table: XOR")
    pick(page, "Optimiser", "SGD")  # picking the gate applied its own settings: Adam
    pick(page, "Loss", "Binary cross-entropy")
    rate = sidebar.get_by_label("Learning rate η")
    rate.fill("0.5")
    rate.press("Enter")
    wait_for_app_idle(page)
    page.get_by_role("button", name=re.compile("^Step")).click()
    page.wait_for_selector("h3:has-text('Epoch 1')", timeout=10_000)
    page.get_by_role("radio", name=re.compile("W2")).or_(
        page.get_by_role("button", name=re.compile("W2 ·"))
    ).first.click()
    wait_for_app_idle(page)
    # The Step: one gradient step (η = 0.5) on the mean of the four rows' gradients (batch 10 >
    # 4 rows), worked with the reference's plain loops. The panel then shows the next Step, the
    # same again from the stepped weights: W2, the four rows' mean ∂L/∂W2 and W2′.
    rows, targets = [[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]]
    layers = [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in small_network().layers]

    def stepped(layers):
        _, _, gw, gb = reference.backward_batch(layers, rows, targets, "binary_cross_entropy")
        return [
            (
                [[w - 0.5 * g for w, g in zip(row, grow)] for row, grow in zip(weights, gws)],
                [b - 0.5 * g for b, g in zip(bias, gbs)],
                activation,
            )
            for (weights, bias, activation), gws, gbs in zip(layers, gw, gb)
        ], gw

    after_one, _ = stepped(layers)
    after_two, gradients = stepped(after_one)
    w2, gradient, updated = after_one[1][0][0][0], gradients[1][0][0], after_two[1][0][0][0]
    tables = page.locator('[data-testid="stTable"]')
    # The W2 choice reruns the page: wait (up to 15 s) for its tables rather than read W1's.
    deadline = time.monotonic() + 15
    while f"{w2:.4g}" not in tables.nth(0).inner_text() and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    texts = [tables.nth(k).inner_text() for k in range(3)]
    assert f"{w2:.4g}" in texts[0]
    assert f"{gradient:.4g}" in texts[1]
    assert f"{updated:.4g}" in texts[2]
    heading = page.locator("p").filter(has_text=re.compile(r"^The next Step trains")).first
    assert "batch 1 of 1 of epoch 2: all training rows" in heading.inner_text()
    page.get_by_role("button", name=re.compile("^Step")).click()
    page.wait_for_selector("h3:has-text('Epoch 2')", timeout=10_000)
    deadline = time.monotonic() + 15
    while f"{updated:.4g}" not in tables.nth(0).inner_text() and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert f"{updated:.4g}" in tables.nth(0).inner_text()  # Step left the panel's W2′
    page.screenshot(path=str(artifacts / "train-step-tables.png"))


@pytest.mark.parametrize(
    "width,height,dark", [(1280, 720, False), (1280, 720, True), (820, 1000, False), (820, 1000, True)]
)
def test_the_page_at_1280_and_820_pixels_light_and_dark(page, app_url, artifacts, width, height, dark):
    network = initialized_network([2, 8, 8, 1], ["tanh", "tanh", "tanh"], "xavier", seed=1)
    open_on_train(page, app_url, network, viewport=(width, height), dark=dark)
    page.get_by_role("button", name=re.compile("^Epoch")).click()
    page.wait_for_selector("h3:has-text('Epoch 1')", timeout=10_000)
    wait_for_app_idle(page)
    name = f"train-{width}x{height}-{'dark' if dark else 'light'}"
    page.screenshot(path=str(artifacts / f"{name}.png"))
    page.locator("h3", has_text="One step").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"{name}-step.png"))
    assert page.locator("h3", has_text="One step").is_visible()


def test_the_keys_s_and_p_step_play_and_pause(page, app_url, artifacts):
    network = initialized_network([2, 8, 8, 1], ["tanh", "tanh", "tanh"], "xavier", seed=1)
    open_on_train(page, app_url, network)
    page.locator("h1", has_text="Train").click()  # focus on the page, not in a text box
    page.keyboard.press("s")
    page.wait_for_selector("text=batch 1 of 25 of the next epoch", timeout=15_000)  # 250 rows, batch 10
    wait_for_app_idle(page)
    page.keyboard.press("p")
    page.get_by_role("button", name=re.compile("^Pause")).wait_for(timeout=15_000)
    page.wait_for_function(
        "() => /Epoch [1-9]/.test(document.body.innerText)", timeout=30_000
    )  # frames arrive: an epoch finished
    page.keyboard.press("p")
    page.get_by_role("button", name=re.compile("^Play")).wait_for(timeout=15_000)
    wait_for_app_idle(page)
    stopped = epoch_of(page)
    time.sleep(1.0)
    assert epoch_of(page) == stopped
    page.screenshot(path=str(artifacts / "train-keys.png"))


def test_a_fresh_train_page_learns_with_one_click_on_play(page, app_url, artifacts):
    """A new session opens /train itself (no link, no Simulator first): the circle and its own
    2-4-2-1 network, Play enabled; one click and the epochs count up while the loss goes down."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_url}/train")
    play = page.get_by_role("button", name="Play")
    play.wait_for(timeout=60_000)
    assert play.is_enabled()
    assert page.get_by_text("does not fit").count() == 0
    assert page.get_by_text("Circle network (2-4-2-1)").count() >= 1
    wait_for_app_idle(page)
    page.screenshot(path=str(artifacts / "train-fresh-before-play.png"))
    play.click()
    began, first, last = time.monotonic(), None, None
    while time.monotonic() - began < 60:
        heading = page.locator("h3", has_text="Epoch").first
        text = heading.inner_text() if heading.count() else ""
        counter = page.locator("p", has_text="train loss")
        match = TRAIN_LOSS.search(counter.first.inner_text()) if counter.count() else None
        if match and COUNTER.search(text) and int(COUNTER.search(text).group(1)) > 0:
            loss = float(match.group(1))
            first = loss if first is None else first
            last = loss
            if last < first:
                break
        time.sleep(0.2)
    assert first is not None, "no epoch finished within 60 s of one click on Play"
    assert last < first, f"the train loss did not go down: {first} → {last}"
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=15_000)
    wait_for_app_idle(page)
    assert epoch_of(page) > 0
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(artifacts / "train-fresh-after-play.png"))


def test_eta_100_on_xor_stops_with_its_message_and_every_view_still_drawn(page, app_url, artifacts):
    """The workshop demo: the seed example reshaped for XOR (ReLU hidden, large weights) at
    η 100 overflows within a few epochs; the page says where and keeps drawing, no exception."""
    from mlpsim import training_run
    from mlpsim.io.presets import seed_example

    dataset = training_run.built_in(training_run.DataChoice("xor"))[0]
    open_on_train(page, app_url, training_run.reshape_for(seed_example(), dataset).network, viewport=(1280, 1600))
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("combobox", name="Dataset").click()
    page.get_by_role("option", name="Exclusive or (Playground)").click()
    wait_for_app_idle(page)
    sidebar.get_by_role("combobox", name="Loss").click()
    page.get_by_role("option", name="Binary cross-entropy").click()
    wait_for_app_idle(page)
    rate = sidebar.get_by_label("Learning rate η")
    rate.fill("100")
    rate.press("Enter")
    wait_for_app_idle(page)
    stopped = page.get_by_text(re.compile(r"Training stopped at epoch \d+"))
    for _ in range(8):
        page.get_by_role("button", name=re.compile("^Epoch")).click()
        wait_for_app_idle(page)
        if stopped.count():
            break
    assert stopped.count() == 1 and stopped.is_visible()
    assert re.search(r"in layer \d+ \(", stopped.inner_text())
    assert page.locator('[data-testid="stException"]').count() == 0
    boundary = page.get_by_role("img", name=re.compile("^Decision boundary"))
    fallback = page.get_by_text("No picture: over this plane").first
    assert boundary.count() == 1 or fallback.is_visible()
    assert page.get_by_role("img", name="Loss and accuracy per epoch").is_visible()
    page.screenshot(path=str(artifacts / "train-diverged.png"), full_page=True)
    page.get_by_role("heading", name="One step, every number").hover()
    page.mouse.wheel(0, 1400)
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "train-diverged-step-panel.png"))
    page.get_by_role("button", name="Undo", exact=True).click()
    stopped.wait_for(state="detached", timeout=15_000)
    wait_for_app_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_selector("h3:has-text('Epoch 0')", timeout=15_000)
    wait_for_app_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
