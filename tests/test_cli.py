"""`python -m mlpsim forward|explain` run as a person would, in a subprocess from the repository
root: the printed numbers against the seed example worked by hand, and every kind of bad input
ending with exit status 2 and exactly one `error:` line."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlpsim.fileformat import dumps
from mlpsim.presets import seed_example

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MLPSIM_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mlpsim", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli")
    seed = folder / "seed.json"
    seed.write_text(dumps(seed_example()))
    bad_json = folder / "bad.json"
    bad_json.write_text('{"format": "mlpsim.network", "version": 1,')
    nan_weight = folder / "nan.json"
    nan_weight.write_text(dumps(seed_example()).replace("0.13", "NaN", 1))
    overflow = folder / "overflow.json"
    overflow.write_text(dumps(seed_example().with_weight(0, 0, 0, 1e200).with_input([1e200, 0.0, 0.0])))
    oversized = folder / "oversized.json"
    with oversized.open("wb") as handle:  # sparse: refused from its size, never read
        handle.truncate(5_000_001)
    return {"seed": seed, "bad_json": bad_json, "nan": nan_weight, "overflow": overflow, "oversized": oversized, "folder": folder}


def test_forward_prints_every_layer_as_json(files):
    done = run("forward", str(files["seed"]))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    printed = json.loads(done.stdout)
    assert list(printed) == ["layers", "output"]
    assert [layer["name"] for layer in printed["layers"]] == ["Hidden 1", "Output"]
    assert all(list(layer) == ["name", "z", "a"] for layer in printed["layers"])
    hidden, output = printed["layers"]
    # z1 = [1 + .4 - .6 + .13, 4 + .9 + 1 + .14, -.5 + .1 + .4 + .15, 1.5 - .6 + 1.4 + .16]
    assert hidden["z"] == pytest.approx([0.93, 6.04, 0.15, 2.46], abs=1e-14)
    assert hidden["a"] == pytest.approx([0.93, 6.04, 0.15, 2.46], abs=1e-14)
    assert output["z"] == pytest.approx([1.568, -1.366], abs=1e-14)
    sigmoid = [1 / (1 + math.exp(-1.568)), 1 / (1 + math.exp(1.366))]
    assert output["a"] == pytest.approx(sigmoid, rel=1e-14)
    assert printed["output"] == output["a"]


def test_forward_input_overrides_the_files(files):
    done = run("forward", str(files["seed"]), "--input", "1,0.5,-2")
    assert done.returncode == 0, done.stderr
    hidden, output = json.loads(done.stdout)["layers"]
    # z1 = [2 + 2 + 6 + .13, 8 + 4.5 - 10 + .14, -1 + .5 - 4 + .15, 3 - 3 - 14 + .16]; ReLU zeroes the negatives
    assert hidden["z"] == pytest.approx([10.13, 2.64, -4.35, -13.84], abs=1e-13)
    assert hidden["a"] == pytest.approx([10.13, 2.64, 0.0, 0.0], abs=1e-13)
    assert output["z"] == pytest.approx([2.39, -3.767], abs=1e-13)  # 10.13·.2 + 2.64·.1 + .1, ...
    spaced = run("forward", str(files["seed"]), "--input", " 1, 0.5 ,-2 ")
    assert json.loads(spaced.stdout) == json.loads(done.stdout)


def test_explain_prints_the_worked_arithmetic(files):
    done = run("explain", str(files["seed"]), "--layer", "1", "--neuron", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Hidden 1 · N2 (layer 1, activation relu)",
        "  W1[1,2] × IN1 = 8 × 0.5 = 4",
        "  W1[2,2] × IN2 = 9 × 0.1 = 0.9",
        "  W1[3,2] × IN3 = 5 × 0.2 = 1",
        "  Σ wᵢ·xᵢ = 4 + 0.9 + 1 = 5.9",
        "  z = Σ wᵢ·xᵢ + b = 5.9 + 0.14 = 6.04",
        "  a = max(0, 6.04) = 6.04",
    ]


def test_explain_with_input_and_an_output_neuron(files):
    done = run("explain", str(files["seed"]), "--layer", "2", "--neuron", "1", "--input", "1,0.5,-2")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("Output · N1 (layer 2, activation sigmoid)")
    assert "  W2[1,1] × N1 = 0.2 × 10.13 = 2.026" in text
    assert "  W2[3,1] × N3 = -0.4 × 0 = 0" in text
    assert "z = Σ wᵢ·xᵢ + b = 2.29 + 0.1 = 2.39" in text
    assert f"= {1 / (1 + math.exp(-2.39)):.6g}" in text


def bad(args: list[str], files: dict[str, Path]) -> list[str]:
    """'@seed' → the path of that fixture file; '@folder/name' → a path inside the fixture folder."""
    paths = []
    for arg in args:
        if arg.startswith("@"):
            name, _, rest = arg[1:].partition("/")
            arg = str(files[name] / rest) if rest else str(files[name])
        paths.append(arg)
    return paths


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["forward", "@folder/missing.json"], "cannot read"),
        (["forward", "@folder"], "Is a directory"),
        (["forward", "@bad_json"], "invalid JSON at line 1"),
        (["forward", "@nan"], "layers[0].bias[0]: NaN is invalid JSON"),
        (["forward", "@oversized"], "5,000,001 bytes; the limit is 5,000,000 bytes"),
        (["forward", "@overflow"], "layer 1 (Hidden 1): z overflowed"),
        (["forward", "@seed", "--input", "1,2"], "--input has 2 values; the network has 3 inputs"),
        (["forward", "@seed", "--input", "1,x,2"], "--input value 2 ('x') is not a number"),
        (["forward", "@seed", "--input", "1,nan,2"], "must be a finite number"),
        (["forward", "@seed", "--input", "1,1e999,2"], "must be a finite number"),
        (["forward", "@seed", "--input", "1,,2"], "is not a number"),
        (["forward", "@seed", "--input"], "expected one argument"),
        (["forward", "@seed", "surplus"], "unrecognized arguments"),
        (["forward"], "required: network"),
        (["explain", "@seed", "--layer", "0", "--neuron", "1"], "--layer 0: the network has layers 1..2"),
        (["explain", "@seed", "--layer", "3", "--neuron", "1"], "--layer 3"),
        (["explain", "@seed", "--layer", "1", "--neuron", "0"], "--neuron 0: layer 1 has neurons 1..4"),
        (["explain", "@seed", "--layer", "2", "--neuron", "3"], "--neuron 3: layer 2 has neurons 1..2"),
        (["explain", "@seed", "--layer", "one", "--neuron", "1"], "invalid int value: 'one'"),
        (["explain", "@seed", "--layer", "1"], "required: --neuron"),
        (["explain", "@seed", "--layer", "1", "--neuron", "1", "--input", "1"], "--input has 1 values"),
        ([], "required: command"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_exits_2_with_one_error_line(args, fragment, files):
    done = run(*bad(args, files))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]
    assert "Traceback" not in done.stderr


def test_the_byte_limit_follows_the_environment(files):
    done = run("forward", str(files["seed"]), env={"MLPSIM_MAX_UPLOAD_BYTES": "100"})
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "the limit is 100 bytes" in done.stderr
    assert len(done.stderr.splitlines()) == 1
