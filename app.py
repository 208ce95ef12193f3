"""mlpsim — the Streamlit page. Thin: UI modules in ui/, all numbers from mlpsim."""

import streamlit as st

from mlpsim.forward import forward
from mlpsim.presets import seed_example

st.set_page_config(page_title="mlpsim", layout="wide")
st.title("mlpsim")
network = seed_example()
st.write("Output:", forward(network).output.tolist())
