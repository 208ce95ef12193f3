"""The pages' parts: sidebar, tables, diagram, share box, canvas, step-through (Streamlit)."""
