"""mlpsim — the Streamlit page. Thin: the pages live in ui/, all numbers come from mlpsim."""

import streamlit as st

from ui import simulator, state, train, workshop, workspace

st.set_page_config(page_title="mlpsim", page_icon="🧮", layout="wide")
workspace.ensure_defaults()
# Read an exercise link before building the navigation: a locked room link must not even list
# the Simulator page, whose controls would let a learner edit the exercise's network.
workshop.apply_link()
workshop_page = st.Page(workshop.render, title="Workshop", url_path="workshop")


def to_the_exercise() -> None:
    """The locked session's root URL: the exercise is the only page there is."""
    st.switch_page(workshop_page)


if st.session_state.get(state.WORKSHOP_LOCKED, False):
    root = st.Page(to_the_exercise, title="Exercise", url_path="exercise", default=True, visibility="hidden")
    page = st.navigation([root, workshop_page], position="hidden")
else:
    simulator_page = st.Page(simulator.render, title="Simulator", url_path="simulator", default=True)
    train_page = st.Page(train.render, title="Train", url_path="train")
    page = st.navigation([simulator_page, train_page, workshop_page])
page.run()
