"""`python -m mlpsim backprop|train` in a subprocess: Mazur's numbers (checked by hand in
test_backward.py) in the JSON, a trained file that is a valid network, divergence and every bad
input ending with exit status 2 and one `error:` line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mlpsim.core.initializers import initialized_network
from mlpsim.core.network import Layer, Network
from mlpsim.io.fileformat import dumps, loads

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MLPSIM_")}
    return subprocess.run(
        [sys.executable, "-m", "mlpsim", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("train")
    mazur = Network(
        2,
        (
            Layer(np.array([[0.15, 0.25], [0.2, 0.3]]), np.array([0.35, 0.35]), "sigmoid"),
            Layer(np.array([[0.4, 0.5], [0.45, 0.55]]), np.array([0.6, 0.6]), "sigmoid"),
        ),
        input_values=np.array([0.05, 0.1]),
    )
    paths = {
        "mazur": folder / "mazur.json",
        "xor": folder / "xor.json",
        "linear": folder / "linear.json",
        "three": folder / "three.json",
        "csv": folder / "data.csv",
        "folder": folder,
    }
    paths["three"].write_text(dumps(initialized_network([2, 3], "softmax", "xavier", seed=1)))
    paths["mazur"].write_text(dumps(mazur))
    paths["xor"].write_text(dumps(initialized_network([2, 4, 1], ["tanh", "sigmoid"], "xavier", seed=1)))
    paths["linear"].write_text(dumps(initialized_network([2, 1], "linear", "xavier", seed=1)))
    paths["csv"].write_text("a,b,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    return paths


def test_backprop_json_has_mazurs_gradients(files):
    done = run("backprop", str(files["mazur"]), "--target", "0.01,0.99", "--json")
    assert done.returncode == 0 and done.stderr == ""
    document = json.loads(done.stdout)
    assert document["loss"] == pytest.approx(0.298371109, abs=1e-9)
    hidden, output = document["layers"]
    assert [hidden["name"], output["name"]] == ["Hidden 1", "Output"]
    assert output["weight_gradient"][0][0] == pytest.approx(0.082167041, abs=1e-9)  # ∂E/∂w5
    assert hidden["weight_gradient"][0][0] == pytest.approx(0.000438568, abs=1e-9)  # ∂E/∂w1
    assert output["delta"][0] == pytest.approx(0.138498562, abs=1e-9)
    assert np.shape(hidden["weight_gradient"]) == (2, 2)


def test_backprop_worked_text_and_one_neuron(files):
    done = run("backprop", str(files["mazur"]), "--target", "0.01,0.99", "--learning-rate", "0.5")
    assert done.returncode == 0
    assert "w - η·g = 0.4 - 0.5 × 0.082167 = 0.358916" in done.stdout
    one = run(
        "backprop",
        str(files["mazur"]),
        "--target",
        "0.01,0.99",
        "--layer",
        "1",
        "--neuron",
        "1",
        "--learning-rate",
        "0.5",
    )
    assert one.returncode == 0
    assert one.stdout.startswith("Hidden 1 · N1 (layer 1, sigmoid)")
    assert "0.149781" in one.stdout and "Output · N1" not in one.stdout


def test_train_writes_a_network_and_prints_one_json_line(files):
    target = files["folder"] / "trained.json"
    done = run(
        "train",
        str(files["xor"]),
        "--data",
        "xor_gate",
        "-o",
        str(target),
        "--learning-rate",
        "0.5",
        "--batch-size",
        "4",
        "--epochs",
        "2000",
        "--test-fraction",
        "0",
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress bar when stderr is not a terminal
    summary = json.loads(done.stdout)
    assert summary["epochs"] == 2000 and len(summary["train_loss"]) == 2000 and summary["test_loss"] == []
    assert summary["train_accuracy"][-1] == 1.0
    trained = loads(target.read_bytes())
    assert trained.layer_sizes == (2, 4, 1)


def test_train_on_a_csv_file_with_a_test_split(files):
    target = files["folder"] / "from_csv.json"
    done = run(
        "train",
        str(files["xor"]),
        "--data",
        str(files["csv"]),
        "-o",
        str(target),
        "--epochs",
        "3",
        "--test-fraction",
        "0.25",
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert len(summary["test_loss"]) == 3 and len(summary["test_accuracy"]) == 3


def test_divergence_exits_2_and_writes_no_file(files):
    target = files["folder"] / "diverged.json"
    done = run(
        "train", str(files["linear"]), "--data", "plane", "-o", str(target), "--learning-rate", "1e9", "--epochs", "20"
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: training diverged at epoch 1, batch")
    assert "layer 1" in lines[0] and "smaller learning rate" in lines[0]
    assert not target.exists() and not list(files["folder"].glob("diverged*"))


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["backprop", "{mazur}", "--target", "1,2,3"], "--target has 3 values; the network has 2 outputs"),
        (["backprop", "{mazur}", "--target", "1,x"], "--target value 2: 'x' is not a number"),
        (["backprop", "{mazur}", "--target", "1,2", "--loss", "cross_entropy"], "pairings are"),
        (["backprop", "{mazur}", "--target", "1,2", "--layer", "3", "--neuron", "1"], "--layer 3"),
        (["backprop", "{mazur}", "--target", "1,2", "--layer", "1"], "--layer and --neuron go together"),
        (
            ["train", "{xor}", "--data", "iris", "-o", "{folder}/o.json"],
            "the data has 4 inputs per row but the network has 2",
        ),
        (
            ["train", "{three}", "--data", "xor_gate", "-o", "{folder}/o.json"],
            "2 classes, so the network needs 2 output neurons (or 1 output for its 2 classes); it has 3",
        ),
        (
            ["train", "{xor}", "--data", "no_such_thing", "-o", "{folder}/o.json"],
            "neither a built-in dataset nor an existing file",
        ),
        (["train", "{xor}", "--data", "xor_gate", "-o", "/no/such/dir/o.json"], "does not exist"),
        (
            ["train", "{xor}", "--data", "xor_gate", "-o", "{folder}/o.json", "--learning-rate", "nan"],
            "'nan' is not a number (only finite numbers are allowed)",
        ),
        (["train", "{xor}", "--data", "xor_gate", "-o", "{folder}/o.json", "--batch-size", "0"], "batch size"),
        (["train", "{xor}", "--data", "xor_gate", "-o", "{folder}/o.json", "--test-fraction", "1"], "test fraction"),
        (
            [
                "train",
                "{xor}",
                "--data",
                "xor_gate",
                "-o",
                "{folder}/o.json",
                "--momentum",
                "1.5",
                "--optimizer",
                "momentum",
            ],
            "momentum",
        ),
        (["train", "{xor}", "--data", "xor_gate", "-o", "{folder}/o.json", "--loss", "cross_entropy"], "pairings are"),
        (["train", "{xor}", "--data", "xor_gate", "-o", "{folder}/o.json", "--seed", "-1"], "--seed -1"),
        (
            ["train", "{xor}", "--data", "circle", "-o", "{folder}/o.json", "--points", "1000000000"],
            "the data row limit",
        ),
        (["train", "{xor}", "--data", "circle", "-o", "{folder}/o.json", "--epochs", "0"], "epochs"),
    ],
)
def test_bad_input_exits_2_with_one_error_line(args, fragment, files):
    done = run(*(arg.format(**{k: str(v) for k, v in files.items()}) for arg in args))
    assert done.returncode == 2, done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert fragment in lines[0]
    assert not (files["folder"] / "o.json").exists()


def test_the_progress_bar_redraws_one_line_on_stderr(capsys):
    from mlpsim.cli import _ProgressBar

    bar = _ProgressBar(4)
    bar.show(1, 0.5)
    bar.show(4, 0.125)
    bar.close()
    err = capsys.readouterr().err
    assert (
        err
        == "\repoch 1/4 " + "█" * 8 + "·" * 22 + " train loss 0.5" + "\repoch 4/4 " + "█" * 30 + " train loss 0.125\n"
    )
