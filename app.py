"""mlpsim — the Streamlit page. Thin: the pages live in ui/, all numbers come from mlpsim."""

import streamlit as st

from ui import simulator, state, workshop, workspace

st.set_page_config(page_title="mlpsim", page_icon="🧮", layout="wide")
workspace.ensure_defaults()
# Read an exercise link before building the navigation: a locked room link must not even list
# the Simulator page, whose controls would let a learner edit the exercise's network.
workshop.apply_link()
workshop_page = st.Page(workshop.render, title="Workshop", url_path="workshop")
if st.session_state.get(state.WORKSHOP_LOCKED, False):
    page = st.navigation([workshop_page], position="hidden")
else:
    simulator_page = st.Page(simulator.render, title="Simulator", url_path="simulator", default=True)
    page = st.navigation([simulator_page, workshop_page])
page.run()
