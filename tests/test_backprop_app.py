"""AppTest of backprop exercises on the Workshop page: a room link opens one, answers are checked
against the plain-loop backward pass in tests/reference.py (right and wrong), the tolerance is
stated, the honesty rules hold (no solution in a locked room unless released; an answer after the
solution does not count), the instructor can choose the topic, and the worksheet is offered."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from streamlit.testing.v1 import AppTest

from mlpsim.workshop.topics.backprop.generation import generate_backprop_task
from tests import reference
from tests.test_room_app import results_page
from tests.test_workshop_app import button, plain, texts, workshop
from ui.session import state

SEED, DIFFICULTY = 5, "easy"


def reference_answers(seed: int = SEED, difficulty: str = DIFFICULTY):
    """(loss, deltas, weight gradients, bias gradients) by tests/reference.py's plain loops."""
    task = generate_backprop_task(seed, difficulty)  # only its network, input and target are used
    network = task.network
    layers = [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]
    return (
        network,
        task.target.tolist(),
        task.learning_rate,
        reference.backward_one(layers, network.input_values.tolist(), task.target.tolist(), "squared_error"),
    )


def three_figures(value: float) -> str:
    return f"{value:.3g}"


def backprop_link(ask: str, **extra: str) -> AppTest:
    return workshop({"topic": "backprop", "seed": str(SEED), "difficulty": DIFFICULTY, "ask": ask, **extra})


def test_a_backprop_exercise_answered_right_and_wrong():
    network, target, rate, (loss, deltas, weight_gradients, _) = reference_answers()
    at = backprop_link("loss,d2.1,g1.1.1", lock="1")
    assert not at.exception
    assert any("Backpropagation exercise 5 · easy · locked by the instructor" in h for h in texts(at.subheader))
    assert any("significant figures or more; write each answer with 3" in info.value for info in at.info)  # stated
    assert [box.label for box in at.text_input] == ["L", "δ2[1]", "∂L/∂W1[1,1]"]
    assert not [b for b in at.button if b.label == "Show solution"]  # locked, solutions not released

    at.text_input[0].input(three_figures(loss))
    button(at, "Check", 0).click().run()
    assert any("Right: L = " in s for s in texts(at.success))
    at.text_input[1].input(three_figures(deltas[1][0] + 1))
    button(at, "Check", 1).click().run()
    assert any("Not quite" in e and "δ2[1]" in e for e in texts(at.error))
    at.text_input[2].input(three_figures(weight_gradients[0][0][0]))
    button(at, "Check", 2).click().run()
    assert "Score this session: 2 of 3 checked answers right" in [m.strip("*") for m in texts(at.markdown)]
    # the task's numbers are on the page: target and η
    frames = [frame.value for frame in at.dataframe]
    task_table = [f for f in frames if "η" in f.columns]
    assert len(task_table) == 1 and task_table[0]["η"].iloc[0] == f"{rate:g}"
    assert [float(task_table[0][f"N{j + 1}"].iloc[0]) for j in range(len(target))] == target


def test_the_solution_released_in_a_locked_room_and_an_answer_after_it_does_not_count():
    network, _, _, (loss, deltas, _, _) = reference_answers()
    hidden = len(network.layers) - 1
    at = backprop_link(f"d{hidden}.1", lock="1", solutions="1")
    button(at, "Hint: next step").click().run()
    assert "Hint 1 of" in at.code[-1].value
    button(at, "Show solution").click().run()
    assert f"{deltas[hidden - 1][0]:.4g}"[:4] in at.code[-1].value.replace("−", "-")
    at.text_input[0].input(three_figures(deltas[hidden - 1][0]))
    button(at, "Check").click().run()
    assert any("Right" in s and "not counted in the score" in s for s in texts(at.success))
    expected = (
        "Score this session: 0 of 1 checked answers right (1 more right after the solution was shown: not counted)"
    )
    assert expected in [m.strip("*") for m in texts(at.markdown)]


def test_the_gradient_matrix_has_one_row_of_boxes_per_row():
    network, _, _, (_, _, weight_gradients, _) = reference_answers()
    count = len(network.layers)
    at = backprop_link(f"G{count}")
    labels = [box.label for box in at.text_input]
    rows, columns = len(weight_gradients[-1]), len(weight_gradients[-1][0])
    assert labels == [f"∂L/∂W{count}[{i + 1},{j + 1}]" for i in range(rows) for j in range(columns)]
    for k, box in enumerate(at.text_input):
        box.input(three_figures(weight_gradients[-1][k // columns][k % columns]))
    button(at, "Check").click().run()
    assert len([s for s in texts(at.success) if "Right" in s]) == rows * columns


def test_the_instructor_chooses_the_backprop_topic_and_gets_its_link_and_worksheet():
    at = workshop()
    at.segmented_control[0].set_value("Exercise").run()
    at.selectbox(key=state.WORKSHOP_FORM_TOPIC).set_value("backprop").run()
    assert not at.exception
    assert any(h.startswith("Backpropagation exercise 1 · easy") for h in texts(at.subheader))
    options = at.multiselect(key=state.WORKSHOP_FORM_ASK).options
    assert options[:2] == ["loss: L", "d2.1: δ2[1]"]
    assert "G2: the gradient matrix ∂L/∂W2 (3×1)" in options  # seed 1, easy: a 2-3-1 network
    at.multiselect(key=state.WORKSHOP_FORM_ASK).set_value(["loss", "d2.1"]).run()
    at.checkbox(key=state.WORKSHOP_FORM_LOCK).check().run()
    links = [code.value for code in at.code if "seed=" in code.value]
    assert links == ["/workshop?topic=backprop&seed=1&difficulty=easy&ask=loss%2Cd2.1&lock=1"]
    at.segmented_control[0].set_value("Worksheet").run()
    assert not at.exception
    downloads = at.get("download_button")
    assert len(downloads) == 2
    assert any("backpropagation exercises" in m for m in texts(at.markdown))


def test_a_backprop_room_sends_its_results_to_the_teachers_view(tmp_path, monkeypatch):
    monkeypatch.setenv("MLPSIM_ROOM_DB", str(tmp_path / "rooms.sqlite3"))
    monkeypatch.delenv("MLPSIM_ROOM_RETENTION_HOURS", raising=False)
    network, _, _, (_, deltas, _, _) = reference_answers()
    at = workshop()
    at.segmented_control[0].set_value("Exercise").run()
    at.selectbox(key=state.WORKSHOP_FORM_TOPIC).set_value("backprop").run()
    at.number_input(key=state.WORKSHOP_FORM_SEED).set_value(SEED).run()
    at.multiselect(key=state.WORKSHOP_FORM_ASK).set_value(["d2.1"]).run()
    at.checkbox(key=state.WORKSHOP_FORM_LOCK).check().run()
    at.button(key=state.WORKSHOP_MAKE_ROOM).click().run()
    links = {
        urlsplit(code.value).path: dict(parse_qsl(urlsplit(code.value).query)) for code in at.code if "?" in code.value
    }
    learner_link, teacher_link = links["/workshop"], links["/results"]
    assert learner_link["topic"] == "backprop"

    learner = workshop(learner_link)
    assert not learner.exception
    learner.text_input[-1].input(three_figures(deltas[1][0]))
    button(learner, "Check").click().run()
    assert any("Right: δ2[1]" in s for s in texts(learner.success))
    assert not learner.warning  # sent

    teacher = results_page(teacher_link)
    assert not teacher.exception and not teacher.error
    assert plain(teacher.subheader[0].value) == f"Backpropagation exercise {SEED} · {DIFFICULTY} · locked"
    per_question, per_learner = (frame.value for frame in teacher.dataframe)
    assert per_question.to_dict("records")[0]["question"] == "d2.1"
    assert per_question.to_dict("records")[0]["solved"] == 1
