"""The backward step-through in Chromium, driven by the keyboard only (Tab to the modes, → and
Space, then Next ▶ with Enter, then the slider's arrow keys, End and Home), and a backprop
exercise from a locked room link answered right and wrong. The numbers are checked against
tests/reference.py (screenshots: artifacts/backward-step-*.png, backprop-exercise-feedback.png)."""

from __future__ import annotations

import pytest

from mlpsim.io.presets import seed_example
from mlpsim.workshop.topics.backprop.generation import generate_backprop_task
from tests import reference
from tests.conftest import wait_for_app_idle

pytestmark = pytest.mark.browser

MAX_TAB_STOPS = 40
SEED, DIFFICULTY = 5, "easy"


def settle(page) -> None:
    page.wait_for_timeout(300)
    wait_for_app_idle(page)


def tab_to(page, predicate: str) -> None:
    """Press Tab until the focused element satisfies ``predicate`` (JS, given the element e)."""
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return !!e && ({predicate}); }})()"):
            return
    raise AssertionError(f"nothing matching {predicate} among the first {MAX_TAB_STOPS} Tab stops")


def seed_deltas():
    network = seed_example()
    layers = [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]
    return reference.backward_one(layers, network.input_values.tolist(), [1.0, 0.0], "squared_error")


def test_backward_step_through_with_the_keyboard(page, app_url, artifacts):
    loss, deltas, weight_gradients, _ = seed_deltas()
    page.goto(f"{app_url}/workshop")
    page.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=60_000)
    settle(page)
    tab_to(page, "e.getAttribute('role') === 'radio' && e.innerText.trim() === 'Step through'")
    page.keyboard.press("ArrowRight")  # the modes are a radio group: → moves to the next one,
    page.keyboard.press("Space")  # Space chooses it
    settle(page)
    page.get_by_text("Step 0 of 12: the loss (squared error)").wait_for()
    page.get_by_text(f"= {loss:.6g}", exact=False).first.wait_for()

    tab_to(page, "e.innerText && e.innerText.includes('Next ▶')")
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_text("Step 1 of 12: Output · N1 (layer 2) · δ").wait_for()
    page.get_by_text(f"= {deltas[1][0]:.6g}", exact=False).first.wait_for()

    tab_to(page, "e.type === 'range'")
    for _ in range(3):  # to step 4: hidden N2's δ
        page.keyboard.press("ArrowRight")
    settle(page)
    page.get_by_text("Step 4 of 12: Hidden 1 · N2 (layer 1) · δ").wait_for()
    page.get_by_text(f"= {deltas[0][1]:.6g}", exact=False).first.wait_for()
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "backward-step-4.png"), full_page=True)

    page.get_by_role("slider").focus()
    page.keyboard.press("End")
    settle(page)
    page.get_by_text("Step 12 of 12: Hidden 1 · N4 (layer 1) · weight gradients and updates").wait_for()
    page.get_by_text(f"{weight_gradients[0][0][3]:.6g}", exact=False).first.wait_for()
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "backward-step-12.png"), full_page=True)

    page.get_by_role("slider").focus()
    page.keyboard.press("Home")
    settle(page)
    page.get_by_text("Step 0 of 12: the loss (squared error)").wait_for()


def test_a_backprop_exercise_answered_right_and_wrong(page, app_url, artifacts):
    task = generate_backprop_task(SEED, DIFFICULTY)  # its network, input and target only
    network = task.network
    layers = [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]
    loss, deltas, _, _ = reference.backward_one(
        layers, network.input_values.tolist(), task.target.tolist(), "squared_error"
    )
    page.goto(f"{app_url}/workshop?topic=backprop&seed={SEED}&difficulty={DIFFICULTY}&ask=loss,d2.1&lock=1")
    settle(page)
    page.get_by_text(f"Backpropagation exercise {SEED} · {DIFFICULTY} · locked by the instructor").wait_for()
    page.get_by_text("write each answer with 3", exact=False).first.wait_for()  # the tolerance, stated

    first = page.get_by_label("L", exact=True)
    first.fill(f"{loss:.3g}")
    first.press("Enter")  # Enter submits the question's form
    settle(page)
    page.get_by_text("Right: L = ", exact=False).wait_for()

    second = page.get_by_label("δ2[1]")
    second.fill(f"{deltas[1][0] + 1:.3g}")
    page.get_by_role("button", name="Check").nth(1).click()
    settle(page)
    wrong = page.get_by_text("is not δ2[1]", exact=False)
    wrong.wait_for()
    page.get_by_text("Score this session: 1 of 2 checked answers right").wait_for()
    wrong.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "backprop-exercise-feedback.png"))
