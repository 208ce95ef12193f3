"""Pen-and-paper exercises, worksheets and room results. Imports core, explain, render and io."""
