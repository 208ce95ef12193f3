"""docs/mlpsim-in-a-notebook.ipynb runs top to bottom in a kernel of this Python, offline."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "mlpsim-in-a-notebook.ipynb"


def test_the_example_notebook_runs_and_shows_what_it_says():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    root = str(NOTEBOOK.parents[1])
    # The kernel is this interpreter (ipykernel's own spec), started in the repository root.
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": root}}
    )
    client.execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    text = lambda cell: "".join(o.get("text", "") for o in cell.outputs)  # noqa: E731
    data = lambda cell: {k: v for o in cell.outputs for k, v in o.get("data", {}).items()}  # noqa: E731
    assert text(code[0]).strip() == "Network('Seed example (3-4-2)', sizes 3-4-2, relu → sigmoid, 26 parameters)"
    assert "Plotly.newPlot" in data(code[1])["text/html"]
    assert (
        data(code[2])["text/latex"].startswith("$$") and "6.04" in data(code[2])["text/latex"]
    )  # 8·0.5+9·0.1+5·0.2+0.14
    assert "text/latex" in data(code[3])
    assert "sizes 3-2-1" in text(code[4]) and "[-2.5]" in text(code[4])  # 1+3+5=9, 2+4+6=12 → 9−12+0.5
    assert "epoch 10/10" in text(code[5]) and "test accuracy after 10 epochs" in text(code[5])
    assert "Digit reader (64-32-16-10, trained)" in text(code[6])
    assert text(code[7]).strip() == sys.executable  # the kernel is this interpreter
