"""mlpsim — the Streamlit page. Thin: the pages live in ui/, all numbers come from mlpsim."""

import streamlit as st

from mlpsim.core.limits import ENVIRONMENT_PROBLEM
from ui.common import style
from ui.pages import room_results, simulator, train, workshop
from ui.session import state, workspace

st.set_page_config(page_title="mlpsim", page_icon="🧮", layout="wide")
style.apply()
if ENVIRONMENT_PROBLEM:  # a mistyped MLPSIM_MAX_* setting: say which, instead of a traceback
    st.error(f"mlpsim cannot start: {ENVIRONMENT_PROBLEM}")
    st.stop()
workspace.ensure_defaults()
# Read an exercise link before building the navigation: a locked room link must not even list
# the Simulator page, whose controls would let a learner edit the exercise's network.
workshop.apply_link()
workshop_page = st.Page(workshop.render, title="Workshop", url_path="workshop")
# The teacher's results page: reachable only by its secret link, so it is never listed.
results_page = st.Page(room_results.render, title="Room results", url_path=workshop.RESULTS_PATH, visibility="hidden")


def to_the_exercise() -> None:
    """The locked session's root URL: the exercise is the only page there is."""
    st.switch_page(workshop_page)


if state.value(state.WORKSHOP_LOCKED):
    root = st.Page(to_the_exercise, title="Exercise", url_path="exercise", default=True, visibility="hidden")
    page = st.navigation([root, workshop_page, results_page], position="hidden")
else:
    simulator_page = st.Page(simulator.render, title="Simulator", url_path="simulator", default=True)
    train_page = st.Page(train.render, title="Train", url_path="train")
    page = st.navigation([simulator_page, train_page, workshop_page, results_page])
page.run()
