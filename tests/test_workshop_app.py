"""AppTest flows on the Workshop page: step-through, an exercise opened from a link, worksheets."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from mlpsim.io.presets import seed_example
from mlpsim.workshop.topics.forward.generation import generate_network
from tests.test_exercises import plain_forward
from ui.session import state

PAGE = "from ui.pages.workshop import render\nrender()"
TIMEOUT = 60


def workshop(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def plain(markdown: str) -> str:
    """Text as the reader sees it: the page backslash-escapes names and messages."""
    return re.sub(r"\\(.)", r"\1", markdown)


def texts(elements) -> list[str]:
    return [plain(element.value) for element in elements]


def button(at: AppTest, label: str, nth: int = 0):
    return [b for b in at.button if b.label == label][nth]


def arithmetic(at: AppTest) -> str:
    return "\n".join(code.value for code in at.code)


def test_step_through_next_previous_reset_and_slider():
    at = workshop()
    assert not at.exception
    assert at.slider(key=state.widget_key(state.WORKSHOP_STEP)).value == 0
    assert "Step 0 of 6: the input" in texts(at.subheader)
    button(at, "Next ▶").click().run()
    button(at, "Next ▶").click().run()
    # Hidden 1 · N2 of the seed example by hand: 8·0.5 + 9·0.1 + 5·0.2 = 5.9; + 0.14 = 6.04
    assert "Step 2 of 6: Hidden 1 · N2 (layer 1)" in texts(at.subheader)
    assert "z = Σ wᵢ·xᵢ + b1[2] = 5.9 + 0.14 = 6.04" in arithmetic(at)
    products = at.dataframe[0].value
    assert list(products["running sum"]) == ["4", "4.9", "5.9"]
    button(at, "◀ Previous").click().run()
    # N1: 2·0.5 + 4·0.1 − 3·0.2 = 0.8; + 0.13 = 0.93
    assert "z = Σ wᵢ·xᵢ + b1[1] = 0.8 + 0.13 = 0.93" in arithmetic(at)
    at.slider(key=state.widget_key(state.WORKSHOP_STEP)).set_value(6).run()
    assert "a = f(z) = 1 / (1 + e^(1.366)) = " in arithmetic(at)  # Output N2: z = -1.366
    button(at, "Next ▶").click().run()  # already at the end: stays
    assert at.slider(key=state.widget_key(state.WORKSHOP_STEP)).value == 6
    button(at, "↺ Reset").click().run()
    assert at.slider(key=state.widget_key(state.WORKSHOP_STEP)).value == 0
    assert len(at.get("plotly_chart")) == 1


def test_step_through_uses_the_users_edited_network():
    at = AppTest.from_string(PAGE, default_timeout=TIMEOUT)
    at.session_state[state.NETWORK] = seed_example().with_weight(1, 1, 1, 0.0).with_bias(1, 1, 1.0)
    at.session_state[state.WORKSHOP_STEP] = 2
    at.run()
    # 8·0.5 + 0·0.1 + 5·0.2 = 5; + 1 = 6
    assert "z = Σ wᵢ·xᵢ + b1[2] = 5 + 1 = 6" in arithmetic(at)
    at.session_state[state.NETWORK] = seed_example().resized(1, 1)
    at.run()
    assert not at.exception
    assert at.slider(key=state.widget_key(state.WORKSHOP_STEP)).max == 3  # 1 hidden + 2 outputs; the step was clamped


def answer_box(at: AppTest, nth: int):
    return at.text_input[nth]


def test_exercise_from_a_locked_link():
    seed, difficulty = 11, "medium"
    at = workshop({"seed": str(seed), "difficulty": difficulty, "ask": "z1.1,out", "lock": "1"})
    assert not at.exception
    assert at.segmented_control[0].options == ["Exercise"]  # locked: no step-through, no worksheet
    assert len(at.number_input) == 0 and len(at.multiselect) == 0  # no instructor controls
    assert not [b for b in at.button if b.label == "Open this network in the simulator"]
    assert any("locked by the instructor" in h for h in texts(at.subheader))
    assert any("right to 2 decimal places" in info.value for info in at.info)

    zs, activations = plain_forward(generate_network(seed, difficulty))
    labels = [box.label for box in at.text_input]
    assert labels == ["z(N1)"] + [f"a(N{j + 1})" for j in range(len(activations[-1]))]
    answer_box(at, 0).input(f"{zs[0][0]:.2f}")
    button(at, "Check", 0).click().run()
    assert any(f"Right: z(N1) = {round(zs[0][0], 2):g}" in s for s in texts(at.success))
    answer_box(at, 1).input(f"{activations[-1][0] + 0.5:.3f}")
    answer_box(at, 2).input("abc")
    button(at, "Check", 1).click().run()
    assert any("Not quite" in e for e in texts(at.error))
    assert any("“abc” is not a number" in w for w in texts(at.warning))
    assert "Score this session: 1 of 2 checked answers right" in [m.strip("*") for m in texts(at.markdown)]


def test_hints_climb_the_ladder_and_the_solution_ends_it():
    at = workshop({"seed": "3", "difficulty": "easy", "ask": "a1.1"})
    assert [b.label for b in at.button if b.label.startswith("Hint")] == ["Hint: next step"]
    button(at, "Hint: next step").click().run()
    hint = at.code[-1].value
    assert (
        hint == "Hint 1 of 3 · the formula:\nHidden 1 · N1: z = W1[1,1] × IN1 + W1[2,1] × IN2 + b1[1], then a = relu(z)"
    )
    button(at, "Hint: next step").click().run()
    assert "Hint 2 of 3 · the products:" in at.code[-1].value
    button(at, "Hint: next step").click().run()
    assert "Hint 3 of 3 · the sum:\nHidden 1 · N1: Σ wᵢ·xᵢ = " in at.code[-1].value
    assert button(at, "Hint: next step").disabled  # the ladder ends before the answer
    button(at, "Show solution").click().run()
    zs, activations = plain_forward(generate_network(3, "easy"))
    assert at.code[-1].value.endswith(f"a = f(z) = max(0, {zs[0][0]:g}) = {activations[0][0]:g}")
    assert button(at, "Show solution").disabled


def test_decimal_comma_is_accepted_and_said():
    zs, _ = plain_forward(generate_network(8, "medium"))
    at = workshop({"seed": "8", "difficulty": "medium", "ask": "z1.1"})
    answer_box(at, 0).input(f"{zs[0][0]:.2f}".replace(".", ","))
    button(at, "Check").click().run()
    assert any("(decimal comma)" in s and "Right" in s for s in texts(at.success))


@pytest.mark.parametrize(
    "query, message",
    [
        ({"seed": "x"}, "seed"),
        ({"seed": "1", "difficulty": "extreme"}, "difficulty"),
        ({"seed": "1", "ask": "z7.1"}, "question 'z7.1'"),
    ],
)
def test_a_bad_link_says_what_is_wrong_and_keeps_the_page(query, message):
    at = workshop(query)
    assert not at.exception
    assert any("This exercise link cannot be opened" in e and message in e for e in texts(at.error))
    assert at.segmented_control[0].options == ["Step through", "Backward pass", "Exercise", "Worksheet"]


def test_instructor_builds_an_exercise_and_gets_the_room_link():
    at = workshop()
    at.segmented_control[0].set_value("Exercise").run()
    at.number_input(key=state.WORKSHOP_FORM_SEED).set_value(42).run()
    at.selectbox(key=state.WORKSHOP_FORM_DIFFICULTY).set_value("hard").run()
    at.multiselect(key=state.WORKSHOP_FORM_ASK).set_value(["z1.2", "out"]).run()
    at.checkbox(key=state.WORKSHOP_FORM_LOCK).check().run()
    links = [code.value for code in at.code if "seed=" in code.value]
    assert links == ["/workshop?seed=42&difficulty=hard&ask=z1.2%2Cout&lock=1"]
    assert [box.label for box in at.text_input][0] == "z(N2)"
    at.selectbox(key=state.WORKSHOP_FORM_DIFFICULTY).set_value("easy").run()
    assert at.multiselect(key=state.WORKSHOP_FORM_ASK).value == []  # codes belong to the old shape


def test_open_exercise_in_simulator_makes_it_the_current_network():
    at = workshop({"seed": "4", "difficulty": "easy"})
    button(at, "Open this network in the simulator").click().run()
    network = at.session_state[state.NETWORK]
    assert network.name == "Exercise 4 (easy)"
    assert network.layer_sizes == generate_network(4, "easy").layer_sizes


def test_worksheet_downloads():
    at = workshop({"seed": "9", "difficulty": "hard"})
    at.segmented_control[0].set_value("Worksheet").run()
    assert not at.exception
    downloads = at.get("download_button")
    assert len(downloads) == 2
    at.number_input(key=state.widget_key(state.WORKSHOP_SHEET_COUNT)).set_value(5).run()
    assert not at.exception


def test_link_codes_show_in_the_instructor_controls():
    at = workshop({"seed": "3", "ask": "z01.1,L2"})
    assert not at.exception
    assert at.multiselect(key=state.WORKSHOP_FORM_ASK).value == ["z1.1", "L2"]
    assert at.number_input(key=state.WORKSHOP_FORM_SEED).value == 3
    assert [box.label for box in at.text_input] == ["z(N1)", "a(N1)"]


def test_locked_room_link_hides_the_simulator_page():
    """Through the real app.py: a locked link lists only the Workshop page, so no editing
    controls of the Simulator are reachable; an unlocked link keeps both pages."""
    query = {"seed": "11", "difficulty": "medium", "ask": "z1.1", "lock": "1"}
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Workshop"]
    assert not [s for s in at.selectbox if s.label == "Start from"]
    open_link = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    for key, value in {**query, "lock": "0"}.items():
        open_link.query_params[key] = value
    open_link.run()
    assert not open_link.exception
    assert [t.value for t in open_link.title] == ["mlpsim"]  # the default page is the Simulator
