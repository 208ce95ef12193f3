"""The Workshop page: step through the current network's forward pass and then its backward
pass (ui/parts/workshop_backward.py), answer exercises (one link gives a whole room the same
exercise), and download printable worksheets.

All numbers come from mlpsim (stepper, exercises, worksheet); this module only lays them out and
keeps the learner's progress in session state. Callbacks only set state.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode, urlsplit

import pandas as pd
import streamlit as st

from mlpsim.core.errors import MlpsimError
from mlpsim.core.forward import ForwardResult
from mlpsim.core.network import Network, neuron_name
from mlpsim.core.numbertext import number
from mlpsim.explain.arithmetic import layer_working
from mlpsim.explain.stepper import first_step_of_layer, known_values, step_at, step_count, step_working
from mlpsim.render.figure import NARROW_CAPTION_LINE_CHARS, network_figure
from mlpsim.workshop.answers import check_answer
from mlpsim.workshop.exercise import ExerciseSpec, exercise_title, make_exercise
from mlpsim.workshop.links import LINK_KEYS, spec_from_params, spec_to_params
from mlpsim.workshop.roomresults import (
    MAX_NAME_CHARS,
    SECRET_PARAMETER,
    RoomStoreError,
    TeacherRoom,
    store_from_environment,
    teacher_params,
)
from mlpsim.workshop.scoring import AFTER_SOLUTION_NOTE, QuestionResult, question_result, rescored, score
from mlpsim.workshop.topic import MAX_SEED, Exercise, GivenTable, QuestionT
from mlpsim.workshop.topics import TOPICS, topic_prefix
from mlpsim.workshop.worksheet import (
    LETTERS,
    MAX_COUNT,
    build_worksheet,
    weight_rows,
    worksheet_html,
    worksheet_markdown,
)
from ui.common import cache
from ui.common.literal import escaped
from ui.parts import results
from ui.parts.workshop_backward import render_backward_step_through
from ui.session import state, workspace

STEP_THROUGH, BACKWARD, EXERCISE, WORKSHEET = "Step through", "Backward pass", "Exercise", "Worksheet"
WORKSHOP_PATH = "workshop"
"""The page's url_path in app.py's st.navigation: room links point here."""
RESULTS_PATH = "results"
"""url_path of the hidden room-results page (ui/pages/room_results.py): teacher links point there."""
FEEDBACK_ICONS = {
    "right": ":material/check_circle:",
    "wrong": ":material/cancel:",
    "close": ":material/error:",
    "invalid": ":material/edit_note:",
}
TERMS_AS_TABLE = 12
"""A step's products table shows this many rows in full; longer ones scroll."""


# ---- step-through ---------------------------------------------------------------------------------


def _move_step(delta: int, total: int) -> None:
    st.session_state[state.WORKSHOP_STEP] = min(max(state.value(state.WORKSHOP_STEP) + delta, 0), total)


def _reset_step() -> None:
    st.session_state[state.WORKSHOP_STEP] = 0


@cache.shared(cache.STEP_FIGURE)
def step_figure(network: Network, result: ForwardResult, step_index: int):
    """The step-through's diagram at ``step_index``: the neuron being computed selected, the ones
    not yet computed pending. Cached: a rerun on the same step (a hint, a resize of the window)
    sends the figure it sent, without building it again."""
    step = step_at(network, step_index)
    return network_figure(
        network,
        result,
        selected=step.selected,
        computed_through=step.computed_through,
        show_edge_values=network.weight_count <= results.STEP_EDGE_VALUES_MAX_EDGES,
        caption_line_chars=NARROW_CAPTION_LINE_CHARS,
    )


def render_step_through() -> None:
    network = state.current_network()
    result = results.forward_pass(network)  # memoised per network: shared with the Simulator page
    if not isinstance(result, ForwardResult):
        st.error(escaped(f"The forward pass cannot run: {result}. Fix the value on the Simulator page."))
        return
    total = step_count(network)
    if state.value(state.WORKSHOP_STEP) > total:
        st.session_state[state.WORKSHOP_STEP] = total
    sizes = "-".join(map(str, network.layer_sizes))
    st.caption(
        f"{escaped(network.name) or 'Current network'} · {sizes}, with your edits from the Simulator page: "
        f"{total} neurons to compute, layer by layer, neuron by neuron. Keyboard: Tab to a button and press "
        "Enter or Space, or focus the Step slider and press ← / → (Home / End jump to the ends)."
    )
    previous, following, reset = st.columns(3)
    previous.button("◀ Previous", on_click=_move_step, args=(-1, total), width="stretch")
    following.button("Next ▶", on_click=_move_step, args=(1, total), width="stretch")
    reset.button("↺ Reset", on_click=_reset_step, width="stretch")
    index = st.slider("Step", min_value=0, max_value=total, **state.bound(state.WORKSHOP_STEP))
    step = step_at(network, index)
    working = step_working(network, result, step)

    diagram, panel = st.columns([3, 2])
    with diagram:
        st.plotly_chart(step_figure(network, result, index), config={"displaylogo": False}, **results.DIAGRAM_DISPLAY)
    with panel:
        if working is None:
            st.subheader(f"Step 0 of {total}: the input")
            st.markdown("Only the input is known. Press **Next ▶** to compute the first neuron.")
        else:
            _render_step_arithmetic(network, result, working)
    with st.expander("Every neuron's value so far"):
        rows = [
            {"layer": title, "neuron": name, "value": "pending" if value is None else number(value)}
            for title, name, value in known_values(network, result, step)
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="content")


def _render_step_arithmetic(network: Network, result, working) -> None:
    w = working.working
    st.subheader(escaped(working.title))
    st.markdown(f"z = Σ wᵢ·xᵢ + b, then a = {w.activation}(z). The products, one at a time:")
    frame = pd.DataFrame(
        {
            "weight": [t.weight_name for t in w.terms],
            "w": [number(t.weight_value) for t in w.terms],
            "input": [t.input_name for t in w.terms],
            "x": [number(t.input_value) for t in w.terms],
            "w·x": [number(t.product) for t in w.terms],
            "running sum": [number(total) for total in working.running_sums],
        }
    )
    st.dataframe(frame, hide_index=True, height="auto" if len(frame) <= TERMS_AS_TABLE else 300)
    st.code("\n".join(working.lines()[len(w.terms) :]), language=None)
    params = network.layers[w.position - 1]
    if w.neuron == params.size - 1:
        st.markdown(f"**{escaped(network.layer_title(w.position))} is complete.** The same layer in matrix form:")
        st.latex(layer_working(network, result, w.position).as_latex())
    elif w.neuron == 0 and first_step_of_layer(network, w.position) == working.step.index:
        st.caption(
            f"First neuron of {escaped(network.layer_title(w.position))}: its inputs are the previous layer's a."
        )


# ---- exercise: which one, from a link or the instructor's choices -------------------------------


def current_spec() -> ExerciseSpec:
    spec: ExerciseSpec = state.value(state.WORKSHOP_EXERCISE)
    return spec


def _set_form_from(spec: ExerciseSpec) -> None:
    st.session_state[state.WORKSHOP_FORM_TOPIC] = spec.topic
    st.session_state[state.WORKSHOP_FORM_SEED] = spec.seed
    st.session_state[state.WORKSHOP_FORM_DIFFICULTY] = spec.difficulty
    st.session_state[state.WORKSHOP_FORM_ASK] = list(spec.questions)
    st.session_state[state.WORKSHOP_FORM_LOCK] = spec.locked
    st.session_state[state.WORKSHOP_FORM_SOLUTIONS] = spec.solutions


def apply_link() -> None:
    """Open the exercise the page's query parameters describe, once per distinct link. A bad
    link leaves the current exercise as it was and says what is wrong. A teacher's results link
    (it has the secret) is no exercise link, though it names the room."""
    if SECRET_PARAMETER in st.query_params:
        return
    params = {key: st.query_params[key] for key in LINK_KEYS if key in st.query_params}
    signature = tuple(sorted(params.items()))
    if not params or state.value(state.WORKSHOP_LINK_SEEN) == signature:
        return
    st.session_state[state.WORKSHOP_LINK_SEEN] = signature
    try:
        spec = spec_from_params(params)
    except MlpsimError as error:
        workspace.notify("error", f"This exercise link cannot be opened: {error}")
        return
    if spec is None:
        workspace.notify("error", "This exercise link has no seed: ask for the full link.")
        return
    st.session_state[state.WORKSHOP_ROOM_STATUS] = None
    if spec.room:
        spec = _room_exercise(spec)
    st.session_state[state.WORKSHOP_EXERCISE] = spec
    st.session_state[state.WORKSHOP_LOCKED] = spec.locked
    st.session_state[state.WORKSHOP_MODE] = EXERCISE
    _set_form_from(spec)


def _room_exercise(spec: ExerciseSpec) -> ExerciseSpec:
    """The exercise of the open room ``spec.room`` as its teacher made it (a link edited to unlock
    it or to release the solutions opens the room's own exercise); ``spec`` itself, with the
    reason its results cannot be sent, when the room is closed or the database unusable."""
    try:
        room = store_from_environment().room(spec.room)
        made = None if room is None else spec_from_params(room.link_params)
    except (RoomStoreError, MlpsimError) as error:
        st.session_state[state.WORKSHOP_ROOM_STATUS] = (
            f"Your results cannot be sent to your teacher: {error}. The exercise works as usual."
        )
        return spec
    if made is None:
        st.session_state[state.WORKSHOP_ROOM_STATUS] = (
            "This room is closed or unknown (a room keeps results for a limited time): your answers are "
            "checked here but not sent to your teacher."
        )
        return spec
    made = replace(made, room=spec.room)
    if made != spec:
        workspace.notify("info", "This link differs from the one your teacher made: the room's own exercise is shown.")
    return made


def _on_form_change() -> None:
    topic = st.session_state.get(state.WORKSHOP_FORM_TOPIC, current_spec().topic)
    seed = st.session_state[state.WORKSHOP_FORM_SEED]
    difficulty = st.session_state[state.WORKSHOP_FORM_DIFFICULTY]
    previous = current_spec()
    asked = tuple(st.session_state[state.WORKSHOP_FORM_ASK])
    if (topic, seed, difficulty) != (previous.topic, previous.seed, previous.difficulty):
        asked = ()  # question codes belong to one topic and one network's shape
        st.session_state[state.WORKSHOP_FORM_ASK] = []
    locked = st.session_state[state.WORKSHOP_FORM_LOCK]
    st.session_state[state.WORKSHOP_EXERCISE] = ExerciseSpec(
        seed=seed,
        difficulty=difficulty,
        questions=asked,
        locked=locked,
        solutions=locked and st.session_state[state.WORKSHOP_FORM_SOLUTIONS],
        topic=topic,
    )


def _on_new_seed() -> None:
    st.session_state[state.WORKSHOP_FORM_SEED] = secrets.randbelow(100_000)
    _on_form_change()


def _on_open_in_simulator(network: Network) -> None:
    workspace.open_network(network, network.name)
    st.session_state[state.WORKSHOP_STEP] = 0
    workspace.notify("success", f"Opened {network.name} as the current network.")


def _origin() -> str:
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def room_link(spec: ExerciseSpec) -> str:
    """The link that opens ``spec`` for everyone: this server's Workshop page + the parameters."""
    return f"{_origin()}/{WORKSHOP_PATH}?{urlencode(spec_to_params(spec))}"


def results_link(room: TeacherRoom) -> str:
    """The teacher's link to the room's results page (it carries the room's secret)."""
    return f"{_origin()}/{RESULTS_PATH}?{urlencode(teacher_params(room))}"


def _on_make_room(spec: ExerciseSpec) -> None:
    st.session_state[state.WORKSHOP_ROOM_REQUEST] = spec


def _teacher_room(spec: ExerciseSpec) -> TeacherRoom | None:
    """The room this session made for ``spec``; a new one first if the instructor just asked."""
    rooms = state.value(state.WORKSHOP_ROOMS)
    request, st.session_state[state.WORKSHOP_ROOM_REQUEST] = state.value(state.WORKSHOP_ROOM_REQUEST), None
    if request == spec and spec not in rooms:
        try:
            rooms[spec] = store_from_environment().create_room(spec_to_params(spec))
        except (RoomStoreError, MlpsimError) as error:
            st.error(escaped(f"No room was made: {error}"))
    return rooms.get(spec)


def _render_instructor(exercise: Exercise[Any]) -> None:
    """The form that makes ``exercise`` (its question codes are offered) and its room links."""
    spec = exercise.spec
    topic = TOPICS[spec.topic]
    with st.expander("Instructor: choose the exercise and share it with the room", expanded=False):
        if state.WORKSHOP_FORM_SEED not in st.session_state:
            _set_form_from(spec)
        topic_column, seed, difficulty, new = st.columns([2, 2, 2, 1], vertical_alignment="bottom")
        topic_column.selectbox(
            "Topic",
            list(TOPICS),
            key=state.WORKSHOP_FORM_TOPIC,
            on_change=_on_form_change,
            format_func=_topic_title,
        )
        seed.number_input(
            "Seed", min_value=0, max_value=MAX_SEED, step=1, key=state.WORKSHOP_FORM_SEED, on_change=_on_form_change
        )
        difficulty.selectbox(
            "Difficulty",
            list(topic.difficulties),
            key=state.WORKSHOP_FORM_DIFFICULTY,
            on_change=_on_form_change,
        )
        new.button("New seed", key=state.WORKSHOP_NEW_SEED, on_click=_on_new_seed)
        st.caption(escaped(topic.difficulties[spec.difficulty].description))
        st.multiselect(
            f"Questions (none chosen: {topic.default_questions_text})",
            list(topic.possible_questions(exercise.network)),
            key=state.WORKSHOP_FORM_ASK,
            on_change=_on_form_change,
            format_func=exercise.question_label,
        )
        st.checkbox(
            "Lock the network for the room (no editing controls, no new exercise)",
            key=state.WORKSHOP_FORM_LOCK,
            on_change=_on_form_change,
        )
        st.checkbox(
            "Let the locked room show the solutions",
            key=state.WORKSHOP_FORM_SOLUTIONS,
            on_change=_on_form_change,
            disabled=not spec.locked,
            help="Without this a locked room has hints but no Show solution.",
        )
        _render_room_links(replace(spec, room=""))


def _topic_title(name: str) -> str:
    return TOPICS[name].title


def _render_room_links(spec: ExerciseSpec) -> None:
    room = _teacher_room(spec)
    if room is None:
        st.markdown("**Link for the room** (copy it with the button at its right):")
        st.code(room_link(spec), language=None, wrap_lines=True)
        st.button(
            "Collect the room's results",
            key=state.WORKSHOP_MAKE_ROOM,
            on_click=_on_make_room,
            args=(spec,),
            help="Makes a room on this server: a link for the learners that sends each one's results "
            "(score per question, hints, solution looked at) and a secret results link for you.",
        )
        return
    st.markdown("**Link for the room** (it sends each learner's results to your results page):")
    st.code(room_link(replace(spec, room=room.room_id)), language=None, wrap_lines=True)
    hours = store_from_environment().retention_seconds / 3600
    st.markdown(
        f"**Your results link.** Keep it to yourself: it opens every learner's results. The room and "
        f"its results are deleted {hours:g} h after it was made."
    )
    st.code(results_link(room), language=None, wrap_lines=True)


# ---- exercise: questions, answers, hints, score ------------------------------------------------


def _scoped_key(spec: ExerciseSpec, part: str) -> str:
    """The session-state key of one answer box (``part`` = blank id) or one question (its code)."""
    return f"{spec.key}/{part}"


def _solution_shown(spec: ExerciseSpec, code: str) -> bool:
    return _scoped_key(spec, code) in state.value(state.WORKSHOP_SOLUTIONS)


def _on_check(exercise: Exercise[QuestionT], question: QuestionT) -> None:
    scores = state.value(state.WORKSHOP_SCORE)
    checked = state.value(state.WORKSHOP_CHECKED)
    shown = _solution_shown(exercise.spec, question.code)
    for blank in exercise.blanks(question):
        key = _scoped_key(exercise.spec, blank.id)
        text = st.session_state.get(state.WORKSHOP_ANSWER_PREFIX + key, "")
        checked[key] = text
        feedback = check_answer(blank, text)
        if feedback.status != "invalid":  # a typo is not a wrong answer
            scores[key] = rescored(scores.get(key), feedback.correct, shown)


def _on_hint(spec: ExerciseSpec, code: str, available: int) -> None:
    hints = state.value(state.WORKSHOP_HINTS)
    key = _scoped_key(spec, code)
    hints[key] = min(hints.get(key, 0) + 1, available)


def _on_solution(spec: ExerciseSpec, code: str) -> None:
    if spec.shows_solutions:
        state.value(state.WORKSHOP_SOLUTIONS).add(_scoped_key(spec, code))


def score_text() -> str:
    return score(state.value(state.WORKSHOP_SCORE)).text()


def _question_results(exercise: Exercise[Any]) -> tuple[QuestionResult, ...]:
    """The learner's standing on every question they worked on (checked, took a hint or looked
    at the solution), in the exercise's order."""
    spec = exercise.spec
    scores = state.value(state.WORKSHOP_SCORE)
    hints = state.value(state.WORKSHOP_HINTS)
    standings = []
    for question in exercise.questions:
        ids = tuple(blank.id for blank in exercise.blanks(question))
        records = {
            blank_id: scores[_scoped_key(spec, blank_id)] for blank_id in ids if _scoped_key(spec, blank_id) in scores
        }
        taken = hints.get(_scoped_key(spec, question.code), 0)
        shown = _solution_shown(spec, question.code)
        if records or taken or shown:
            standings.append(question_result(question, ids, records, taken, shown))
    return tuple(standings)


def _render_network_tables(network: Network, given: tuple[str, GivenTable] | None = None) -> None:
    """The input and each layer's W and b; then what else the exercise ``given`` (a title in
    Markdown and a table: a backprop task's target and η)."""
    # A wrapping row, not fixed columns: a table that does not fit beside the others goes to a
    # row of its own at its full width (fixed columns hid the input values behind an invisible
    # scroll, even at 1400 px with the sidebar open).
    with st.container(horizontal=True, gap="medium"):
        with st.container(width="content"):
            st.markdown("**Input**")
            frame = pd.DataFrame(
                {"x": [number(v) for v in network.input_values]},
                index=[neuron_name(0, i) for i in range(network.input_size)],
            )
            st.dataframe(frame, width="content")
        for k, params in enumerate(network.layers, start=1):
            with st.container(width="content"):
                st.markdown(f"**W{k}, b{k}** · {escaped(network.layer_title(k))} · `{params.activation}`")
                header, rows = weight_rows(network, k)
                st.dataframe(
                    pd.DataFrame([row[1:] for row in rows], index=[row[0] for row in rows], columns=header[1:]),
                    width="content",
                )
        if given is not None:
            title, table = given
            with st.container(width="content"):
                st.markdown(title)
                frame = pd.DataFrame(
                    [row[1:] for row in table.rows], index=[row[0] for row in table.rows], columns=table.header[1:]
                )
                st.dataframe(frame, width="content")


def _render_question(exercise: Exercise[QuestionT], letter: str, question: QuestionT) -> None:
    spec = exercise.spec
    code = question.code
    st.markdown(f"**({letter})** {escaped(exercise.question_text(question))}")
    checked = state.value(state.WORKSHOP_CHECKED)
    with st.form(state.WORKSHOP_QUESTION_FORM_PREFIX + f"{spec.key}/{code}", border=False):
        blanks = exercise.blanks(question)
        per_row = exercise.boxes_per_row(question)  # a whole gradient matrix: one row per matrix row
        columns = [
            column
            for start in range(0, len(blanks), per_row)
            for column in st.columns(max(per_row, 4))[: min(per_row, len(blanks) - start)]
        ]
        for column, blank in zip(columns, blanks):
            column.text_input(
                blank.label, key=state.WORKSHOP_ANSWER_PREFIX + _scoped_key(spec, blank.id), placeholder="your answer"
            )
        st.form_submit_button("Check", on_click=_on_check, args=(exercise, question))
    scores = state.value(state.WORKSHOP_SCORE)
    for blank in blanks:
        key = _scoped_key(spec, blank.id)
        if key in checked:
            feedback = check_answer(blank, checked[key])
            writer = {"right": st.success, "close": st.warning, "wrong": st.error, "invalid": st.warning}[
                feedback.status
            ]
            after = key in scores and scores[key].after_solution and feedback.status != "invalid"
            writer(
                escaped(feedback.message + (f" — {AFTER_SOLUTION_NOTE}" if after else "")),
                icon=FEEDBACK_ICONS[feedback.status],
            )
    ladder = exercise.hints(question)
    hint_key = _scoped_key(spec, code)
    shown = state.value(state.WORKSHOP_HINTS).get(hint_key, 0)
    solved = _solution_shown(spec, code)
    hint, solution, _ = st.columns([1, 1, 3])
    hint.button(
        "Hint: next step",
        key=state.WORKSHOP_HINT_PREFIX + hint_key,
        on_click=_on_hint,
        args=(spec, code, len(ladder)),
        disabled=solved or shown >= len(ladder),
    )
    if spec.shows_solutions:
        solution.button(
            "Show solution",
            key=state.WORKSHOP_SOLUTION_PREFIX + hint_key,
            on_click=_on_solution,
            args=(spec, code),
            disabled=solved,
        )
    if solved:
        st.code("\n".join(exercise.solution_steps(question)), language=None)
        st.caption("Solution shown: answers to this question checked from now on do not count in the score.")
    elif shown:
        st.code(
            "\n\n".join(
                f"Hint {n} of {len(ladder)} · {rung.title}:\n" + "\n".join(rung.lines)
                for n, rung in enumerate(ladder[:shown], start=1)
            ),
            language=None,
        )


def render_exercise() -> None:
    spec = current_spec()
    locked = state.value(state.WORKSHOP_LOCKED)
    try:
        exercise = make_exercise(spec)
    except MlpsimError as error:
        st.error(escaped(f"This exercise cannot be made: {error}"))
        return
    if not locked:
        _render_instructor(exercise)
    topic = TOPICS[spec.topic]
    st.subheader(exercise_title(spec) + (" · locked by the instructor" if locked else ""))
    st.caption(
        escaped(topic.difficulties[spec.difficulty].description) + ". Weights: row = source "
        "neuron, column = target neuron; z = Σ wᵢ·xᵢ + b, a = f(z)." + topic.page_note
    )
    network = exercise.network
    diagram, _ = st.columns([3, 1])
    with diagram:
        figure = network_figure(
            network, exercise.result, computed_through=(0, network.input_size - 1), show_edge_values=True
        )
        st.plotly_chart(figure, config={"displaylogo": False, "staticPlot": True}, **results.DIAGRAM_DISPLAY)
    _render_network_tables(network, exercise.page_given())
    if not locked:
        st.button(
            "Open this network in the simulator",
            key=state.WORKSHOP_OPEN_IN_SIMULATOR,
            on_click=_on_open_in_simulator,
            args=(network,),
        )
    st.info(f"**Tolerance.** {topic.tolerance_text}", icon=":material/straighten:")
    if not spec.shows_solutions:
        st.caption("In this room the solutions are not shown: the hints lead you to each answer step by step.")
    _render_room_membership(spec)
    for letter, question in zip(LETTERS, exercise.questions):
        _render_question(exercise, letter, question)
    st.markdown(f"**{score_text()}**")
    _send_to_room(exercise)


def _render_room_membership(spec: ExerciseSpec) -> None:
    """In a room: what is sent to the teacher, and the optional name; or why nothing is sent."""
    if not spec.room:
        return
    if state.value(state.WORKSHOP_ROOM_STATUS) is not None:
        st.warning(escaped(state.value(state.WORKSHOP_ROOM_STATUS)), icon=":material/cloud_off:")
        return
    name, _ = st.columns([1, 2])
    name.text_input(
        "Your name for your teacher (optional)",
        max_chars=MAX_NAME_CHARS,
        placeholder="anonymous",
        **state.bound(state.WORKSHOP_LEARNER_NAME),
    )
    hours = store_from_environment().retention_seconds / 3600
    st.caption(
        "In this room your teacher sees, for each question, how many of your answers are right, how many "
        "hints you took and whether you looked at the solution, under the name above if you type one. "
        "Answers checked after a solution was shown do not count. Nothing else about you is kept, and "
        f"the room's results are deleted {hours:g} h after your teacher made the room."
    )


def _send_to_room(exercise: Exercise[Any]) -> None:
    """Send this learner's standing to the room when it changed since the last send."""
    spec = exercise.spec
    if not spec.room or state.value(state.WORKSHOP_ROOM_STATUS) is not None:
        return
    learner = state.value(state.WORKSHOP_LEARNER_ID)
    name = state.value(state.WORKSHOP_LEARNER_NAME)
    standings = _question_results(exercise)
    payload = (spec.room, name, standings)
    if state.value(state.WORKSHOP_ROOM_SENT) == payload:
        return
    problem: str | None
    try:
        kept = store_from_environment().record(spec.room, learner, name, standings)
    except (RoomStoreError, MlpsimError) as error:
        problem = f"Your results cannot be sent to your teacher: {error}."
    else:
        problem = (
            None
            if kept
            else (
                "This room has closed (or is full): your answers are still checked here but no longer sent to your teacher."
            )
        )
    if problem is None:
        st.session_state[state.WORKSHOP_ROOM_SENT] = payload
        return
    st.session_state[state.WORKSHOP_ROOM_STATUS] = problem
    st.warning(escaped(problem), icon=":material/cloud_off:")


# ---- worksheet -------------------------------------------------------------------------------------


def render_worksheet() -> None:
    spec = current_spec()
    topic = TOPICS[spec.topic].title.lower()
    st.markdown(
        f"A printable worksheet with an answer key (on its own page) for the **{spec.difficulty}** {topic} exercises "
        f"starting at seed **{spec.seed}** (exercise i uses seed {spec.seed} + i − 1; change them under "
        f"*Exercise*). The same as `python -m mlpsim worksheet --topic {spec.topic}`. Printed on A4, each exercise "
        "fills one page "
        "(diagram, tables, questions and a working area) and the key starts on a new page."
    )
    count_column, _ = st.columns([1, 3])
    count = count_column.number_input(
        "Exercises on the sheet", min_value=1, max_value=MAX_COUNT, step=1, **state.bound(state.WORKSHOP_SHEET_COUNT)
    )
    try:
        sheet = build_worksheet(spec.seed, spec.difficulty, int(count), topic=spec.topic)
    except MlpsimError as error:
        st.error(escaped(f"No worksheet: {error}"))
        return
    stem = f"worksheet-{topic_prefix(spec.topic)}{spec.difficulty}-seed{spec.seed}-x{int(count)}"
    html_column, markdown_column, _ = st.columns([2, 2, 3])
    html_column.download_button(
        "Download HTML (print it from the browser)", worksheet_html(sheet), file_name=f"{stem}.html", mime="text/html"
    )
    markdown_column.download_button(
        "Download Markdown", worksheet_markdown(sheet), file_name=f"{stem}.md", mime="text/markdown"
    )


# ---- the page --------------------------------------------------------------------------------------


def render() -> None:
    """The Workshop page, for app.py's st.navigation."""
    workspace.ensure_defaults()
    apply_link()
    st.title("Workshop")
    workspace.render_notices()
    locked = state.value(state.WORKSHOP_LOCKED)
    modes = [EXERCISE] if locked else [STEP_THROUGH, BACKWARD, EXERCISE, WORKSHEET]
    if state.value(state.WORKSHOP_MODE) not in modes:
        st.session_state[state.WORKSHOP_MODE] = modes[0]
    mode = st.segmented_control(
        "Mode", modes, required=True, label_visibility="collapsed", **state.bound(state.WORKSHOP_MODE)
    )
    {
        STEP_THROUGH: render_step_through,
        BACKWARD: render_backward_step_through,
        EXERCISE: render_exercise,
        WORKSHEET: render_worksheet,
    }[mode]()
