"""AppTest flows of an exercise room: no Show solution in a locked room unless released, answers
after the solution not counted, and the teacher's results page — which only the teacher's secret
link opens — listing what a learner sent."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from mlpsim.workshop.roomresults import store_from_environment
from mlpsim.workshop.scoring import QuestionResult
from mlpsim.workshop.topics.forward.generation import generate_network
from tests.test_exercises import plain_forward
from tests.test_workshop_app import TIMEOUT, button, plain, texts, workshop
from ui.pages.room_results import NOT_OPEN
from ui.session import state

RESULTS_PAGE = "from ui.pages.room_results import render\nrender()"
SEED, DIFFICULTY = 11, "medium"


@pytest.fixture(autouse=True)
def room_database(tmp_path, monkeypatch):
    """Every test gets its own results file."""
    monkeypatch.setenv("MLPSIM_ROOM_DB", str(tmp_path / "rooms.sqlite3"))
    monkeypatch.delenv("MLPSIM_ROOM_RETENTION_HOURS", raising=False)


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def results_page(query: dict[str, str]) -> AppTest:
    at = AppTest.from_string(RESULTS_PAGE, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def z_answer(seed: int = SEED, difficulty: str = DIFFICULTY) -> str:
    zs, _ = plain_forward(generate_network(seed, difficulty))
    return f"{zs[0][0]:.2f}"


def test_a_locked_room_has_hints_but_no_show_solution():
    at = workshop({"seed": str(SEED), "difficulty": DIFFICULTY, "ask": "z1.1,out", "lock": "1"})
    assert not at.exception
    assert "Show solution" not in labels(at)
    assert labels(at).count("Hint: next step") == 2


def test_the_teachers_solutions_1_releases_it():
    at = workshop({"seed": str(SEED), "difficulty": DIFFICULTY, "ask": "z1.1", "lock": "1", "solutions": "1"})
    assert labels(at).count("Show solution") == 1
    button(at, "Show solution").click().run()
    zs, _ = plain_forward(generate_network(SEED, DIFFICULTY))
    assert at.code[-1].value.endswith(f"= {zs[0][0]:.6g}")


def test_an_answer_after_the_solution_is_marked_and_not_counted():
    at = workshop({"seed": str(SEED), "difficulty": DIFFICULTY, "ask": "z1.1,a1.1"})
    at.text_input[0].input(z_answer())
    button(at, "Check", 0).click().run()  # own answer, before any solution
    button(at, "Show solution", 1).click().run()
    _, activations = plain_forward(generate_network(SEED, DIFFICULTY))
    at.text_input[1].input(f"{activations[0][0]:.2f}")
    button(at, "Check", 1).click().run()
    copied = [s for s in texts(at.success) if s.startswith("Right: a(N1)")]
    assert copied and "not counted in the score" in copied[0]
    assert "not counted" not in [s for s in texts(at.success) if s.startswith("Right: z(N1)")][0]
    score = [m.strip("*") for m in texts(at.markdown) if "Score this session" in m]
    assert score == [
        "Score this session: 1 of 2 checked answers right (1 more right after the solution was shown: not counted)"
    ]


def teacher_makes_a_room(locked: bool = True) -> tuple[dict[str, str], dict[str, str]]:
    """The instructor form: exercise SEED, z1.1, locked; Collect the room's results. Returns the
    learners' and the teacher's link parameters as shown on the page."""
    at = workshop()
    at.segmented_control[0].set_value("Exercise").run()
    at.number_input(key=state.WORKSHOP_FORM_SEED).set_value(SEED).run()
    at.selectbox(key=state.WORKSHOP_FORM_DIFFICULTY).set_value(DIFFICULTY).run()
    at.multiselect(key=state.WORKSHOP_FORM_ASK).set_value(["z1.1"]).run()
    if locked:
        at.checkbox(key=state.WORKSHOP_FORM_LOCK).check().run()
    at.button(key=state.WORKSHOP_MAKE_ROOM).click().run()
    assert not at.exception
    links = {
        urlsplit(code.value).path: dict(parse_qsl(urlsplit(code.value).query)) for code in at.code if "?" in code.value
    }
    assert set(links) == {"/workshop", "/results"}
    return links["/workshop"], links["/results"]


def test_the_room_links_carry_the_room_id_and_only_the_teachers_carries_the_secret():
    learner, teacher = teacher_makes_a_room()
    assert learner == {"seed": str(SEED), "difficulty": DIFFICULTY, "ask": "z1.1", "lock": "1", "room": teacher["room"]}
    assert set(teacher) == {"room", "secret"}
    assert teacher["secret"] not in "".join(learner.values())


def test_the_teacher_view_lists_a_learners_result():
    learner_link, teacher_link = teacher_makes_a_room()
    learner = workshop(learner_link)
    assert not learner.exception
    assert any("locked by the instructor" in h for h in texts(learner.subheader))
    learner.text_input(key=state.widget_key(state.WORKSHOP_LEARNER_NAME)).input("<b>Ana</b>\x1b").run()
    button(learner, "Hint: next step").click().run()
    [box for box in learner.text_input if box.label == "z(N1)"][0].input(z_answer())
    button(learner, "Check").click().run()
    assert not learner.warning  # sent, no "cannot be sent"

    teacher = results_page(teacher_link)
    assert not teacher.exception
    assert not teacher.error
    assert plain(teacher.subheader[0].value) == f"Exercise {SEED} · {DIFFICULTY} · locked"
    per_question, per_learner = (frame.value for frame in teacher.dataframe)
    assert per_learner.to_dict("records")[0] | {"last change (UTC)": ""} == {
        "learner": 1,
        "name": "<b>Ana</b>",
        "question": "z1.1",
        "right": 1,
        "of": 1,
        "hints": 1,
        "solution shown": "no",
        "solved after the solution": "no",
        "last change (UTC)": "",
    }
    assert per_question.to_dict("records") == [
        {
            "question": "z1.1",
            "learners": 1,
            "solved": 1,
            "solved after the solution": 0,
            "solution shown": 0,
            "hints used": 1,
        }
    ]
    assert [b.proto.label for b in teacher.get("download_button")] == ["Download CSV"]


@pytest.mark.parametrize(
    "which", ["no secret (the learners' link)", "wrong secret", "secret of another room", "nothing"]
)
def test_only_the_teachers_secret_link_opens_the_results(which):
    learner_link, teacher_link = teacher_makes_a_room()
    _, other = teacher_makes_a_room(locked=False)
    query = {
        "no secret (the learners' link)": learner_link,
        "wrong secret": {"room": teacher_link["room"], "secret": teacher_link["secret"][:-2] + "xx"},
        "secret of another room": {"room": teacher_link["room"], "secret": other["secret"]},
        "nothing": {},
    }[which]
    at = results_page(query)
    assert not at.exception
    assert [e.value for e in at.error] == [NOT_OPEN]
    assert not at.dataframe and not at.get("download_button")


def test_a_learner_link_edited_to_unlock_opens_the_rooms_locked_exercise():
    learner_link, _ = teacher_makes_a_room()
    edited = {**learner_link, "lock": "0", "solutions": "1"}
    at = workshop(edited)
    assert at.segmented_control[0].options == ["Exercise"]
    assert "Show solution" not in labels(at)
    assert any("differs from the one your teacher made" in i for i in texts(at.info))


def test_a_closed_room_still_checks_answers_and_says_nothing_is_sent(monkeypatch):
    learner_link, teacher_link = teacher_makes_a_room()
    monkeypatch.setenv("MLPSIM_ROOM_RETENTION_HOURS", "0.000001")  # the room is now past its retention
    at = workshop(learner_link)
    assert any("closed or unknown" in w for w in texts(at.warning))
    [box for box in at.text_input if box.label == "z(N1)"][0].input(z_answer())
    button(at, "Check").click().run()
    assert any(s.startswith("Right: z(N1)") for s in texts(at.success))
    monkeypatch.delenv("MLPSIM_ROOM_RETENTION_HOURS")
    assert store_from_environment().room(teacher_link["room"]) is None  # purged, not just hidden


def test_the_teachers_link_is_no_exercise_link():
    """app.py reads exercise links on every page: the results link (room + secret) must not be
    taken for an exercise link without a seed."""
    _, teacher_link = teacher_makes_a_room()
    at = workshop(teacher_link)
    assert not at.exception and not at.error
    assert at.session_state[state.NOTICES] == []


def test_a_room_that_closes_while_the_learner_works_says_so(monkeypatch):
    learner_link, _ = teacher_makes_a_room()
    at = workshop(learner_link)
    assert not at.warning
    monkeypatch.setenv("MLPSIM_ROOM_RETENTION_HOURS", "0.000001")
    [box for box in at.text_input if box.label == "z(N1)"][0].input(z_answer())
    button(at, "Check").click().run()
    assert any(s.startswith("Right: z(N1)") for s in texts(at.success))
    assert any("This room has closed" in w for w in texts(at.warning))


def test_a_bad_retention_setting_is_a_clear_message_and_the_exercise_still_works(monkeypatch):
    learner_link, _ = teacher_makes_a_room()
    monkeypatch.setenv("MLPSIM_ROOM_RETENTION_HOURS", "a day")
    at = workshop(learner_link)
    assert not at.exception
    assert any("cannot be sent to your teacher" in w and "MLPSIM_ROOM_RETENTION_HOURS" in w for w in texts(at.warning))
    [box for box in at.text_input if box.label == "z(N1)"][0].input(z_answer())
    button(at, "Check").click().run()
    assert any(s.startswith("Right: z(N1)") for s in texts(at.success))
    teacher = workshop({"seed": "3"})
    teacher.button(key=state.WORKSHOP_MAKE_ROOM).click().run()
    assert any(e.startswith("No room was made") and "MLPSIM_ROOM_RETENTION_HOURS" in e for e in texts(teacher.error))


def test_the_instructor_form_offers_solutions_1_for_a_locked_room():
    at = workshop({"seed": "42", "difficulty": "hard", "ask": "z1.2"})
    assert at.checkbox(key=state.WORKSHOP_FORM_SOLUTIONS).disabled  # only a locked room needs it
    at.checkbox(key=state.WORKSHOP_FORM_LOCK).check().run()
    assert "Show solution" not in labels(at)  # the instructor's preview is the room's view
    at.checkbox(key=state.WORKSHOP_FORM_SOLUTIONS).check().run()
    assert [c.value for c in at.code if "seed=" in c.value] == [
        "/workshop?seed=42&difficulty=hard&ask=z1.2&lock=1&solutions=1"
    ]
    assert "Show solution" in labels(at)


def test_a_room_whose_exercise_this_server_cannot_make_still_shows_its_results():
    """A room made before an upgrade changed the exercises: its questions may not fit any more."""
    made = store_from_environment().create_room({"seed": "1", "difficulty": "easy", "ask": "z9.9"})
    store_from_environment().record(made.room_id, "a", "Ana", [QuestionResult("z9.9", 1, 1, 0, 0, False)])
    at = results_page({"room": made.room_id, "secret": made.secret})
    assert not at.exception
    assert "cannot make it again" in plain(at.subheader[0].value)
    assert at.dataframe[0].value.to_dict("records")[0]["question"] == "z9.9"
    learner = workshop({"seed": "1", "difficulty": "easy", "room": made.room_id})
    assert not learner.exception
    assert any("cannot be sent to your teacher" in w for w in texts(learner.warning))
