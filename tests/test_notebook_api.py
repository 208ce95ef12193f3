"""mlpsim in a notebook: short repr, diagram as HTML, LaTeX workings, load/save, from_arrays, fit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import mlpsim
from mlpsim.explain.arithmetic import layer_working, neuron_working
from mlpsim.io.presets import seed_example
from mlpsim.notebook import network_html

ROOT = Path(__file__).resolve().parents[1]


def test_repr_is_a_one_line_summary():
    assert repr(seed_example()) == "Network('Seed example (3-4-2)', sizes 3-4-2, relu → sigmoid, 26 parameters)"


def test_the_network_displays_as_its_diagram_with_plotly_inline():
    html = network_html(seed_example())
    assert "Plotly.newPlot" in html and "N2" in html
    assert "cdn.plot.ly" not in html.split("Plotly.newPlot")[0][-2000:]  # the library is inline, not fetched


def test_workings_display_as_latex():
    network = seed_example()
    result = mlpsim.forward(network)
    # N2 of Hidden 1, by hand: z = 8·0.5 + 9·0.1 + 5·0.2 + 0.14 = 6.04
    latex = neuron_working(network, result, 1, 1)._repr_latex_()
    assert latex.startswith("$$") and latex.endswith("$$") and "6.04" in latex
    assert layer_working(network, result, 1)._repr_latex_().startswith("$$")


def test_from_arrays_infers_the_input_size_and_refuses_mismatches():
    network = mlpsim.Network.from_arrays([[[1, 2], [3, 4], [5, 6]], [[1], [-1]]], [[0, 0], [0.5]], ["relu", "linear"])
    assert network.layer_sizes == (3, 2, 1)
    # x = (1, 1, 1): hidden z = (9, 12), out = 9 − 12 + 0.5 = −2.5
    assert mlpsim.forward(network.with_input([1, 1, 1])).output.tolist() == [-2.5]
    with pytest.raises(mlpsim.ValidationError, match="one bias vector"):
        mlpsim.Network.from_arrays([[[1, 2]]], [[0, 0], [1]])
    with pytest.raises(mlpsim.ValidationError, match="W2"):
        mlpsim.Network.from_arrays([[[1, 2]], [[1, 2, 3]]], [[0, 0], [0]])


def test_worked_arithmetic_refuses_a_missing_neuron_with_mlpsims_error():
    network = seed_example()
    with pytest.raises(mlpsim.ValidationError, match="neuron 5: layer 1 has neurons 1..4"):
        neuron_working(network, mlpsim.forward(network), 1, 4)


def test_save_then_load_gives_the_same_numbers(tmp_path):
    path = tmp_path / "seed.json"
    mlpsim.save(seed_example(), path)
    loaded = mlpsim.load(path)
    assert loaded.layers[0].weights.tolist() == [[2, 8, -1, 3], [4, 9, 1, -6], [-3, 5, 2, 7]]
    with pytest.raises(mlpsim.ValidationError, match="cannot read"):
        mlpsim.load(tmp_path / "missing.json")


def test_fit_returns_the_trained_network_and_its_history(capsys):
    start = mlpsim.Network.from_arrays(
        [np.random.default_rng(0).normal(0, 0.5, (64, 10))], [np.zeros(10)], "softmax", name="one layer"
    )
    trained, history = mlpsim.fit(start, "digits", epochs=3, loss="cross_entropy", learning_rate=0.01)
    assert len(history.test_accuracy) == 3 and history.test_accuracy[-1] > history.test_accuracy[0]
    assert trained.layer_sizes == (64, 10) and trained is not start
    assert "epoch 3/3 [" + "#" * 30 + "]" in capsys.readouterr().out


def test_importing_the_core_loads_the_core_only_and_the_package_names_load_on_first_use():
    """`import mlpsim.core.network` runs mlpsim/__init__.py first: it must not pull in the
    notebook layer, training, the data sets or the file format (17 modules before)."""
    code = (
        "import sys, mlpsim.core.network\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('mlpsim'))))\n"
        "import mlpsim\n"
        "print(mlpsim.fit.__module__, mlpsim.Network.__module__, 'mlpsim.notebook' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    loaded, names = done.stdout.splitlines()
    assert set(loaded.split()) == {
        "mlpsim",
        "mlpsim.core",
        "mlpsim.core.activations",
        "mlpsim.core.errors",
        "mlpsim.core.limits",
        "mlpsim.core.network",
    }
    assert names == "mlpsim.notebook mlpsim.core.network True"
    with pytest.raises(AttributeError, match="no attribute 'fitt'"):
        mlpsim.fitt  # noqa: B018
