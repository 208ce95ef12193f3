"""A room in the browser, through app.py: the teacher makes a room and opens its results page, a
learner answers from the room link, and the teacher's page shows it without a reload; the CSV
download has the learner's row (screenshots: artifacts/room-learner.png, room-results.png)."""

from __future__ import annotations

import csv
import io
import re
import subprocess

import pytest

from mlpsim.workshop.topics.forward.generation import generate_network
from tests.conftest import free_port, start_streamlit, wait_for_app_idle
from tests.test_exercises import plain_forward

pytestmark = pytest.mark.browser

SEED, DIFFICULTY = 21, "easy"


def settle(page) -> None:
    page.wait_for_timeout(300)
    wait_for_app_idle(page)


@pytest.fixture
def room_server(tmp_path):
    """A server of its own, with its own results file."""
    port = free_port()
    process = start_streamlit(port, env={"MLPSIM_ROOM_DB": str(tmp_path / "rooms.sqlite3")})
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_learners_answer_reaches_the_teachers_results(browser, room_server, artifacts):
    zs, _ = plain_forward(generate_network(SEED, DIFFICULTY))
    right_z = f"{zs[0][0]:.2f}"
    teacher = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    teacher.goto(f"{room_server}/workshop?seed={SEED}&difficulty={DIFFICULTY}&ask=z1.1,out")
    settle(teacher)
    teacher.get_by_text("Instructor: choose the exercise and share it with the room").click()
    teacher.get_by_text("Lock the network for the room").click()
    settle(teacher)
    teacher.get_by_role("button", name="Collect the room's results").click()
    settle(teacher)
    teacher.get_by_text("Your results link.").wait_for()
    teacher.get_by_text("Your results link.").scroll_into_view_if_needed()
    teacher.wait_for_timeout(400)
    teacher.screenshot(path=str(artifacts / "room-instructor.png"))
    codes = teacher.locator('[data-testid="stCode"]').all_inner_texts()
    learner_link = next(c.strip() for c in codes if "/workshop?" in c)
    results_link = next(c.strip() for c in codes if "/results?" in c)
    assert "secret=" in results_link and "secret=" not in learner_link and "room=" in learner_link
    assert "lock=1" in learner_link

    teacher.goto(results_link)
    settle(teacher)
    teacher.get_by_text("who worked on a question: 0", exact=False).wait_for()

    learner = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    learner.goto(learner_link)
    settle(learner)
    learner.get_by_text("locked by the instructor").wait_for()
    assert learner.get_by_role("button", name="Show solution").count() == 0
    name = learner.get_by_label("Your name for your teacher (optional)")
    name.fill("Ana")
    name.press("Enter")
    settle(learner)
    answer = learner.get_by_label("z(N1)")
    answer.fill(right_z)
    answer.press("Enter")
    settle(learner)
    right = learner.get_by_text(f"Right: z(N1) = {float(right_z):g}")
    right.wait_for()
    for _ in range(2):  # two rungs of (b)'s hint ladder
        learner.get_by_role("button", name="Hint: next step").nth(1).click()
        settle(learner)
    learner.get_by_text("Hint 2 of 3 · the products:").wait_for()
    right.scroll_into_view_if_needed()
    learner.wait_for_timeout(400)
    learner.screenshot(path=str(artifacts / "room-learner.png"))

    # the teacher's page was not reloaded: its fragment refreshes every 5 s
    teacher.get_by_text("who worked on a question: 1", exact=False).wait_for(timeout=20_000)
    teacher.wait_for_timeout(2 * 5_000)  # two more refreshes: the hints taken last have arrived
    teacher.wait_for_timeout(800)
    teacher.screenshot(path=str(artifacts / "room-results.png"), full_page=True)
    with teacher.expect_download() as download:
        teacher.get_by_role("button", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows[0][:6] == ["learner", "name", "question", "right", "of", "hints"]
    assert rows[1][:8] == ["1", "Ana", "z1.1", "1", "1", "0", "no", "no"]
    assert rows[2][:8] == ["1", "Ana", "out", "0", "1", "2", "no", "no"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[1][8])

    # the learner's link with the room id cannot open the results page
    room = re.search(r"room=([A-Za-z0-9_-]+)", learner_link).group(1)
    learner.goto(f"{room_server}/results?room={room}")
    settle(learner)
    learner.get_by_text("This link opens no room's results").wait_for()
    assert learner.get_by_role("button", name="Download CSV").count() == 0
