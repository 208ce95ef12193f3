"""mlpsim — the Streamlit page. Thin: the pages live in ui/, all numbers come from mlpsim."""

import streamlit as st

from ui import simulator, workshop

st.set_page_config(page_title="mlpsim", page_icon="🧮", layout="wide")
page = st.navigation(
    [
        st.Page(simulator.render, title="Simulator", url_path="simulator", default=True),
        st.Page(workshop.render, title="Workshop", url_path="workshop"),
    ]
)
page.run()
