"""The Workshop page: step through the current network's forward pass, answer exercises (one
link gives a whole room the same exercise), and download printable worksheets.

All numbers come from mlpsim (stepper, exercises, worksheet); this module only lays them out and
keeps the learner's progress in session state. Callbacks only set state.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlsplit

import pandas as pd
import streamlit as st

from mlpsim.arithmetic import layer_working, number
from mlpsim.errors import MlpsimError
from mlpsim.exercises import (
    DIFFICULTIES,
    LINK_KEYS,
    MAX_SEED,
    TOLERANCE_TEXT,
    Exercise,
    ExerciseSpec,
    Question,
    check_answer,
    make_exercise,
    parse_question,
    question_text,
    spec_from_params,
    spec_to_params,
)
from mlpsim.figure import network_figure
from mlpsim.forward import ForwardResult
from mlpsim.network import Network, neuron_name
from mlpsim.stepper import first_step_of_layer, known_values, step_at, step_count, step_working
from mlpsim.worksheet import LETTERS, MAX_COUNT, build_worksheet, weight_rows, worksheet_html, worksheet_markdown
from ui import results, state, workspace
from ui.literal import escaped

STEP_THROUGH, EXERCISE, WORKSHEET = "Step through", "Exercise", "Worksheet"
WORKSHOP_PATH = "workshop"
"""The page's url_path in app.py's st.navigation: room links point here."""
DEFAULT_SPEC = ExerciseSpec(seed=1, difficulty="easy")
FEEDBACK_ICONS = {
    "right": ":material/check_circle:", "wrong": ":material/cancel:",
    "close": ":material/error:", "invalid": ":material/edit_note:",
}
TERMS_AS_TABLE = 12
"""A step's products table shows this many rows in full; longer ones scroll."""


# ---- step-through ---------------------------------------------------------------------------------


def _move_step(delta: int, total: int) -> None:
    current = st.session_state.get(state.WORKSHOP_STEP, 0)
    st.session_state[state.WORKSHOP_STEP] = min(max(current + delta, 0), total)


def _reset_step() -> None:
    st.session_state[state.WORKSHOP_STEP] = 0


def render_step_through() -> None:
    network = state.current_network()
    result = results.forward_pass(network)  # memoised per network: shared with the Simulator page
    if not isinstance(result, ForwardResult):
        st.error(escaped(f"The forward pass cannot run: {result}. Fix the value on the Simulator page."))
        return
    total = step_count(network)
    if st.session_state.get(state.WORKSHOP_STEP, 0) > total:
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
    index = st.slider("Step", min_value=0, max_value=total, key=state.WORKSHOP_STEP)
    step = step_at(network, index)
    working = step_working(network, result, step)

    diagram, panel = st.columns([3, 2])
    with diagram:
        figure = network_figure(
            network, result, selected=step.selected, computed_through=step.computed_through,
            show_edge_values=network.weight_count <= 40,
        )
        st.plotly_chart(figure, config={"displaylogo": False}, **results.DIAGRAM_DISPLAY)
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
            "weight": [t.weight_name for t in working.running],
            "w": [number(t.weight_value) for t in working.running],
            "input": [t.input_name for t in working.running],
            "x": [number(t.input_value) for t in working.running],
            "w·x": [number(t.product) for t in working.running],
            "running sum": [number(t.running_sum) for t in working.running],
        }
    )
    st.dataframe(frame, hide_index=True, height="auto" if len(frame) <= TERMS_AS_TABLE else 300)
    st.code("\n".join(working.lines()[len(working.running):]), language=None)
    params = network.layers[w.layer - 1]
    if w.neuron == params.size - 1:
        st.markdown(f"**{escaped(network.layer_title(w.layer))} is complete.** The same layer in matrix form:")
        st.latex(layer_working(network, result, w.layer).as_latex())
    elif w.neuron == 0 and first_step_of_layer(network, w.layer) == working.step.index:
        st.caption(f"First neuron of {escaped(network.layer_title(w.layer))}: its inputs are the previous layer's a.")


# ---- exercise: which one, from a link or the instructor's choices -------------------------------


def current_spec() -> ExerciseSpec:
    return st.session_state.get(state.WORKSHOP_EXERCISE, DEFAULT_SPEC)


def _set_form_from(spec: ExerciseSpec) -> None:
    st.session_state[state.WORKSHOP_FORM_SEED] = spec.seed
    st.session_state[state.WORKSHOP_FORM_DIFFICULTY] = spec.difficulty
    st.session_state[state.WORKSHOP_FORM_ASK] = list(spec.questions)
    st.session_state[state.WORKSHOP_FORM_LOCK] = spec.locked


def apply_link() -> None:
    """Open the exercise the page's query parameters describe, once per distinct link. A bad
    link leaves the current exercise as it was and says what is wrong."""
    params = {key: st.query_params[key] for key in LINK_KEYS if key in st.query_params}
    signature = tuple(sorted(params.items()))
    if not params or st.session_state.get(state.WORKSHOP_LINK_SEEN) == signature:
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
    st.session_state[state.WORKSHOP_EXERCISE] = spec
    st.session_state[state.WORKSHOP_LOCKED] = spec.locked
    st.session_state[state.WORKSHOP_MODE] = EXERCISE
    _set_form_from(spec)


def _on_form_change() -> None:
    seed = st.session_state[state.WORKSHOP_FORM_SEED]
    difficulty = st.session_state[state.WORKSHOP_FORM_DIFFICULTY]
    previous = current_spec()
    asked = tuple(st.session_state.get(state.WORKSHOP_FORM_ASK, ()))
    if (seed, difficulty) != (previous.seed, previous.difficulty):
        asked = ()  # question codes belong to one network's shape
        st.session_state[state.WORKSHOP_FORM_ASK] = []
    st.session_state[state.WORKSHOP_EXERCISE] = ExerciseSpec(
        seed=seed, difficulty=difficulty, questions=asked, locked=st.session_state[state.WORKSHOP_FORM_LOCK]
    )


def _on_new_seed() -> None:
    st.session_state[state.WORKSHOP_FORM_SEED] = secrets.randbelow(100_000)
    _on_form_change()


def _on_open_in_simulator(network: Network) -> None:
    workspace.open_network(network, network.name)
    st.session_state[state.WORKSHOP_STEP] = 0
    workspace.notify("success", f"Opened {network.name} as the current network.")


def room_link(spec: ExerciseSpec) -> str:
    """The link that opens ``spec`` for everyone: this server's Workshop page + the parameters."""
    url = st.context.url or ""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return f"{origin}/{WORKSHOP_PATH}?{urlencode(spec_to_params(spec))}"


def _possible_questions(network: Network) -> list[str]:
    codes = []
    for k, params in enumerate(network.layers, start=1):
        codes += [f"w{k}.{i + 1}.{j + 1}" for i in range(params.n_in) for j in range(params.size)]
        codes += [f"{kind}{k}.{j + 1}" for j in range(params.size) for kind in ("z", "a")]
        codes.append(f"L{k}")
    return codes + ["out"]


def _render_instructor(spec: ExerciseSpec, network: Network) -> None:
    """``network``: the exercise's, generated from ``spec`` (its question codes are offered)."""
    with st.expander("Instructor: choose the exercise and share it with the room", expanded=False):
        if state.WORKSHOP_FORM_SEED not in st.session_state:
            _set_form_from(spec)
        seed, difficulty, new = st.columns([2, 2, 1], vertical_alignment="bottom")
        seed.number_input("Seed", min_value=0, max_value=MAX_SEED, step=1, key=state.WORKSHOP_FORM_SEED,
                          on_change=_on_form_change)
        difficulty.selectbox("Difficulty", list(DIFFICULTIES), key=state.WORKSHOP_FORM_DIFFICULTY,
                             on_change=_on_form_change)
        new.button("New seed", key=state.WORKSHOP_NEW_SEED, on_click=_on_new_seed)
        st.caption(escaped(DIFFICULTIES[spec.difficulty].description))
        st.multiselect(
            "Questions (none chosen: a weight's contribution, a hidden neuron's z and a, a layer, the output)",
            _possible_questions(network), key=state.WORKSHOP_FORM_ASK, on_change=_on_form_change,
            format_func=lambda code: f"{code}: {question_text(parse_question(code, network), network)}",
        )
        st.checkbox("Lock the network for the room (no editing controls, no new exercise)",
                    key=state.WORKSHOP_FORM_LOCK, on_change=_on_form_change)
        st.markdown("**Link for the room** (copy it with the button at its right):")
        st.code(room_link(spec), language=None, wrap_lines=True)


# ---- exercise: questions, answers, hints, score ------------------------------------------------


def _blank_key(spec: ExerciseSpec, blank_id: str) -> str:
    return f"{spec.key}/{blank_id}"


def _on_check(exercise: Exercise, question: Question) -> None:
    scores = st.session_state.setdefault(state.WORKSHOP_SCORE, {})
    checked = st.session_state.setdefault(state.WORKSHOP_CHECKED, {})
    for blank in exercise.blanks(question):
        key = _blank_key(exercise.spec, blank.id)
        text = st.session_state.get(state.WORKSHOP_ANSWER_PREFIX + key, "")
        checked[key] = text
        feedback = check_answer(blank, text)
        if feedback.status != "invalid":  # a typo is not a wrong answer
            scores[key] = feedback.correct


def _on_hint(spec: ExerciseSpec, code: str, available: int) -> None:
    hints = st.session_state.setdefault(state.WORKSHOP_HINTS, {})
    key = f"{spec.key}/{code}"
    hints[key] = min(hints.get(key, 0) + 1, available)


def _on_solution(spec: ExerciseSpec, code: str) -> None:
    st.session_state.setdefault(state.WORKSHOP_SOLUTIONS, set()).add(f"{spec.key}/{code}")


def score_text() -> str:
    scores = st.session_state.get(state.WORKSHOP_SCORE, {})
    right = sum(1 for ok in scores.values() if ok)
    return f"Score this session: {right} of {len(scores)} checked answers right"


def _render_network_tables(network: Network) -> None:
    # A wrapping row, not fixed columns: a table that does not fit beside the others goes to a
    # row of its own at its full width (fixed columns hid the input values behind an invisible
    # scroll, even at 1400 px with the sidebar open).
    with st.container(horizontal=True, gap="medium"):
        with st.container(width="content"):
            st.markdown("**Input**")
            frame = pd.DataFrame({"x": [number(v) for v in network.input_values]},
                                 index=[neuron_name(0, i) for i in range(network.input_size)])
            st.dataframe(frame, width="content")
        for k, params in enumerate(network.layers, start=1):
            with st.container(width="content"):
                st.markdown(f"**W{k}, b{k}** · {escaped(network.layer_title(k))} · `{params.activation}`")
                header, rows = weight_rows(network, k)
                st.dataframe(pd.DataFrame([row[1:] for row in rows], index=[row[0] for row in rows],
                                          columns=header[1:]), width="content")


def _render_question(exercise: Exercise, letter: str, question: Question) -> None:
    spec = exercise.spec
    code = question.code
    st.markdown(f"**({letter})** {escaped(exercise.question_text(question))}")
    checked = st.session_state.get(state.WORKSHOP_CHECKED, {})
    with st.form(state.WORKSHOP_QUESTION_FORM_PREFIX + f"{spec.key}/{code}", border=False):
        blanks = exercise.blanks(question)
        columns = st.columns(max(len(blanks), 4))
        for column, blank in zip(columns, blanks):
            column.text_input(blank.label, key=state.WORKSHOP_ANSWER_PREFIX + _blank_key(spec, blank.id),
                              placeholder="your answer")
        st.form_submit_button("Check", on_click=_on_check, args=(exercise, question))
    for blank in blanks:
        key = _blank_key(spec, blank.id)
        if key in checked:
            feedback = check_answer(blank, checked[key])
            writer = {"right": st.success, "close": st.warning, "wrong": st.error, "invalid": st.warning}[feedback.status]
            writer(escaped(feedback.message), icon=FEEDBACK_ICONS[feedback.status])
    steps = exercise.solution_steps(question)
    hint_key = f"{spec.key}/{code}"
    shown = st.session_state.get(state.WORKSHOP_HINTS, {}).get(hint_key, 0)
    solved = hint_key in st.session_state.get(state.WORKSHOP_SOLUTIONS, set())
    hint, solution, _ = st.columns([1, 1, 3])
    hint.button("Hint: next step", key=state.WORKSHOP_HINT_PREFIX + hint_key, on_click=_on_hint,
                args=(spec, code, len(steps) - 1), disabled=solved or shown >= len(steps) - 1)
    solution.button("Show solution", key=state.WORKSHOP_SOLUTION_PREFIX + hint_key, on_click=_on_solution,
                    args=(spec, code), disabled=solved)
    if solved:
        st.code("\n".join(steps), language=None)
    elif shown:
        st.code("\n".join(steps[:shown]), language=None)


def render_exercise() -> None:
    spec = current_spec()
    locked = st.session_state.get(state.WORKSHOP_LOCKED, False)
    try:
        exercise = make_exercise(spec)
    except MlpsimError as error:
        st.error(escaped(f"This exercise cannot be made: {error}"))
        return
    if not locked:
        _render_instructor(spec, exercise.network)
    st.subheader(f"Exercise {spec.seed} · {spec.difficulty}" + (" · locked by the instructor" if locked else ""))
    st.caption(escaped(DIFFICULTIES[spec.difficulty].description) + ". Weights: row = source neuron, "
               "column = target neuron; z = Σ wᵢ·xᵢ + b, a = f(z).")
    network = exercise.network
    diagram, _ = st.columns([3, 1])
    with diagram:
        figure = network_figure(network, exercise.result, computed_through=(0, network.input_size - 1),
                                show_edge_values=True)
        st.plotly_chart(figure, config={"displaylogo": False, "staticPlot": True}, **results.DIAGRAM_DISPLAY)
    _render_network_tables(network)
    if not locked:
        st.button("Open this network in the simulator", key=state.WORKSHOP_OPEN_IN_SIMULATOR,
                  on_click=_on_open_in_simulator, args=(network,))
    st.info(f"**Tolerance.** {TOLERANCE_TEXT}", icon=":material/straighten:")
    for letter, question in zip(LETTERS, exercise.questions):
        _render_question(exercise, letter, question)
    st.markdown(f"**{score_text()}**")


# ---- worksheet -------------------------------------------------------------------------------------


def render_worksheet() -> None:
    spec = current_spec()
    st.markdown(
        f"A printable worksheet with an answer key (on its own page) for the **{spec.difficulty}** exercises "
        f"starting at seed **{spec.seed}** (exercise i uses seed {spec.seed} + i − 1; change them under "
        "*Exercise*). The same as `python -m mlpsim worksheet`."
    )
    count_column, _ = st.columns([1, 3])
    count = count_column.number_input("Exercises on the sheet", min_value=1, max_value=MAX_COUNT, value=3, step=1,
                                      key=state.WORKSHOP_SHEET_COUNT)
    try:
        sheet = build_worksheet(spec.seed, spec.difficulty, int(count))
    except MlpsimError as error:
        st.error(escaped(f"No worksheet: {error}"))
        return
    stem = f"worksheet-{spec.difficulty}-seed{spec.seed}-x{int(count)}"
    html_column, markdown_column, _ = st.columns([2, 2, 3])
    html_column.download_button("Download HTML (print it from the browser)", worksheet_html(sheet),
                                file_name=f"{stem}.html", mime="text/html")
    markdown_column.download_button("Download Markdown", worksheet_markdown(sheet),
                                    file_name=f"{stem}.md", mime="text/markdown")


# ---- the page --------------------------------------------------------------------------------------


def render() -> None:
    """The Workshop page, for app.py's st.navigation."""
    workspace.ensure_defaults()
    apply_link()
    st.title("Workshop")
    workspace.render_notices()
    locked = st.session_state.get(state.WORKSHOP_LOCKED, False)
    modes = [EXERCISE] if locked else [STEP_THROUGH, EXERCISE, WORKSHEET]
    if st.session_state.get(state.WORKSHOP_MODE) not in modes:
        st.session_state[state.WORKSHOP_MODE] = modes[0]
    mode = st.segmented_control("Mode", modes, key=state.WORKSHOP_MODE, required=True, label_visibility="collapsed")
    {STEP_THROUGH: render_step_through, EXERCISE: render_exercise, WORKSHEET: render_worksheet}[mode]()
