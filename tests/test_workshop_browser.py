"""A learner in the browser: open a room link, answer one question right and one wrong, and see
the feedback (screenshot: artifacts/workshop-feedback.png; step-through: workshop-step.png)."""

from __future__ import annotations

import pytest

from mlpsim.workshop.topics.forward.generation import generate_network
from tests.conftest import wait_for_app_idle
from tests.test_exercises import plain_forward

pytestmark = pytest.mark.browser

SEED, DIFFICULTY = 21, "easy"


def settle(page) -> None:
    page.wait_for_timeout(300)
    wait_for_app_idle(page)


def test_answer_an_exercise_from_a_room_link(page, app_url, artifacts):
    zs, activations = plain_forward(generate_network(SEED, DIFFICULTY))
    right_z = f"{zs[0][0]:.2f}"
    wrong_a = f"{activations[-1][0] + 1:.2f}"
    page.goto(f"{app_url}/workshop?seed={SEED}&difficulty={DIFFICULTY}&ask=z1.1,out&lock=1")
    settle(page)
    page.get_by_text("locked by the instructor").wait_for()
    assert page.get_by_text("Instructor: choose the exercise").count() == 0
    assert page.get_by_role("link", name="Simulator").count() == 0  # locked: the only page is the exercise

    first = page.get_by_label("z(N1)")
    first.fill(right_z)
    first.press("Enter")  # Enter submits the question's form, as the Check button does
    settle(page)
    page.get_by_text(f"Right: z(N1) = {float(right_z):g}").wait_for()

    second = page.get_by_label("a(N1)")
    second.fill(wrong_a)
    page.get_by_role("button", name="Check").nth(1).click()
    settle(page)
    wrong = page.get_by_text(f"Not quite: {float(wrong_a):g} is not a(N1)")
    wrong.wait_for()
    page.get_by_text("Score this session: 1 of 2 checked answers right").wait_for()

    page.get_by_text("(a)", exact=False).first.scroll_into_view_if_needed()
    wrong.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "workshop-feedback.png"))


def test_step_through_in_the_browser(page, app_url, artifacts):
    page.goto(f"{app_url}/workshop")
    settle(page)
    next_button = page.get_by_role("button", name="Next ▶")
    next_button.click()
    settle(page)
    next_button.click()
    settle(page)
    page.get_by_text("Step 2 of 6: Hidden 1 · N2 (layer 1)").wait_for()
    page.get_by_text("z = Σ wᵢ·xᵢ + b1[2] = 5.9 + 0.14 = 6.04").wait_for()
    # keyboard: focus the slider and press → to go on to step 3
    page.get_by_role("slider").focus()
    page.keyboard.press("ArrowRight")
    settle(page)
    page.get_by_text("Step 3 of 6: Hidden 1 · N3 (layer 1)").wait_for()
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "workshop-step.png"))
