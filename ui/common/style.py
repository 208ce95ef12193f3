"""The CSS the app adds to Streamlit's, for one reason: nothing may hide behind an invisible scroll.

Streamlit draws every scrollbar transparent until the pointer is over it, so a grid, a table
(st.table scrolls in the div inside its element) or a formula wider than its column looked
complete while its last columns (or its "+ 0.14") were cut off.
The tables are laid out to fit (ui/pages/simulator.py, ui/pages/workshop.py); these rules make what still
cannot fit — a 128-column weight matrix, a long matrix form — show that it scrolls, and let a
button's label wrap instead of ending in "…".
"""

from __future__ import annotations

import streamlit as st

VISIBLE_SCROLLBAR = "rgba(128, 128, 128, 0.75) transparent"
"""Mid grey: visible on the light and the dark theme."""

CSS = f"""
<style>
[data-testid="stDataFrame"] .dvn-scroller,
[data-testid="stTable"] > div,
[data-testid="stMarkdownContainer"] .katex-display {{
  scrollbar-color: {VISIBLE_SCROLLBAR};
}}
[data-testid="stMarkdownContainer"] .katex-display {{
  overflow-x: auto;
  overflow-y: hidden;
}}
[data-testid^="stBaseButton"] [data-testid="stMarkdownContainer"] p {{
  white-space: normal;
  overflow-wrap: anywhere;
  text-overflow: clip;
}}
</style>
"""


def apply() -> None:
    """Add the rules to the page (a style-only st.html takes no room); once per script run."""
    st.html(CSS)
