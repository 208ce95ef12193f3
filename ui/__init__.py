"""Streamlit UI modules for app.py. Only this package and app.py import Streamlit."""
