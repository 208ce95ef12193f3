"""`python -m mlpsim forward|explain` run as a person would, in a subprocess from the repository
root: the printed numbers against the seed example worked by hand, and every kind of bad input
ending with exit status 2 and exactly one `error:` line."""

from __future__ import annotations

import gzip
import json
import math
import os
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from mlpsim.core.errors import ForwardError, LimitError
from mlpsim.core.forward import forward
from mlpsim.core.network import Layer, Network
from mlpsim.io.fileformat import dumps
from mlpsim.io.presets import seed_example

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
    overflow.write_text(dumps(seed_example().with_weight(1, 0, 0, 1e200).with_input([1e200, 0.0, 0.0])))
    oversized = folder / "oversized.json"
    with oversized.open("wb") as handle:  # sparse: refused from its size, never read
        handle.truncate(100_000_001)
    return {
        "seed": seed,
        "bad_json": bad_json,
        "nan": nan_weight,
        "overflow": overflow,
        "oversized": oversized,
        "folder": folder,
    }


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
        "  z = Σ wᵢ·xᵢ + b1[2] = 5.9 + 0.14 = 6.04",
        "  a = f(z) = max(0, 6.04) = 6.04",
    ]


def test_explain_with_input_and_an_output_neuron(files):
    done = run("explain", str(files["seed"]), "--layer", "2", "--neuron", "1", "--input", "1,0.5,-2")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("Output · N1 (layer 2, activation sigmoid)")
    assert "  W2[1,1] × N1 = 0.2 × 10.13 = 2.026" in text
    assert "  W2[3,1] × N3 = (-0.4) × 0 = 0" in text
    assert "z = Σ wᵢ·xᵢ + b2[1] = 2.29 + 0.1 = 2.39" in text
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
        (["forward", "@folder"], "is a directory, not a regular file"),
        (["forward", "@bad_json"], "invalid JSON at line 1"),
        (["forward", "@nan"], "layers[0].bias[0]: NaN is invalid JSON"),
        (["forward", "@oversized"], "100,000,001 bytes; the limit is 100,000,000 bytes (set MLPSIM_MAX_FILE_BYTES"),
        (
            ["forward", "@overflow"],
            "layer 1 (Hidden 1): N1 cannot be computed in floating point: the product W1[1,1]·IN1 = 1e+200 × 1e+200 is beyond ±1.7976931348623157e308",
        ),
        (["forward", "@seed", "--input", "1,2"], "--input has 2 values; the network has 3 inputs"),
        (["forward", "@seed", "--input", "1,x,2"], "--input value 2: 'x' is not a number"),
        (["forward", "@seed", "--input", "1,nan,2"], "'nan' is not a number (only finite numbers are allowed)"),
        (
            ["forward", "@seed", "--input", "1,1e999,2"],
            "'1e999' is beyond the largest number a double holds, ±1.7976931348623157e308",
        ),
        (["forward", "@seed", "--input", "1,,2"], "--input value 2: empty"),
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
    done = run("forward", str(files["seed"]), env={"MLPSIM_MAX_FILE_BYTES": "100"})
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "the limit is 100 bytes (set MLPSIM_MAX_FILE_BYTES" in done.stderr
    assert len(done.stderr.splitlines()) == 1


# ---- files that are not plain files (issue 11) -------------------------------------------------


def one_error_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


@pytest.mark.parametrize(
    "command", [["forward"], ["explain", "--layer", "1", "--neuron", "1"], ["render", "-o", "x.svg"]]
)
def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path, command):
    fifo = tmp_path / "net.json"
    os.mkfifo(fifo)
    started = time.monotonic()
    line = one_error_line(run(command[0], str(fifo), *command[1:]))  # run() gives up after 60 s
    assert time.monotonic() - started < 20
    assert line == f"error: {fifo} is a FIFO (named pipe), not a regular file: give the path of a file"


@pytest.mark.parametrize("device, kind", [("/dev/zero", "a character device"), ("/dev/urandom", "a character device")])
def test_a_link_to_an_endless_device_is_refused_before_reading(tmp_path, device, kind):
    link = tmp_path / "net.json"
    link.symlink_to(device)
    assert (
        one_error_line(run("forward", str(link)))
        == f"error: {link} is {kind}, not a regular file: give the path of a file"
    )


def test_a_socket_and_a_directory_are_refused(tmp_path):
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(path))
        assert "is a socket, not a regular file" in one_error_line(run("forward", str(path)))
    assert "is a directory, not a regular file" in one_error_line(run("forward", str(tmp_path)))


def test_a_file_that_grows_after_the_size_check_is_read_only_to_the_limit(tmp_path, monkeypatch):
    from mlpsim.io import userfile

    path = tmp_path / "growing.json"
    path.write_bytes(b" " * 3_000)
    real_fstat = os.fstat

    class Shrunk:  # what a stat taken before the file grew reports
        def __init__(self, status):
            self.st_mode, self.st_size = status.st_mode, 10

    monkeypatch.setattr(userfile.os, "fstat", lambda fd: Shrunk(real_fstat(fd)))
    reads = []
    real_read = os.read
    monkeypatch.setattr(userfile.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(
        LimitError, match=r"growing.json: more bytes than that; the limit is 1,000 bytes \(set MLPSIM_X"
    ):
        userfile.read_user_file(str(path), 1_000, "MLPSIM_X")
    assert sum(reads) == 1_001  # limit + 1 bytes asked for, never the whole 3,000


def test_a_file_whose_size_the_system_does_not_know_is_still_capped():
    from mlpsim.io.userfile import read_user_file

    # /proc files report size 0 but have content: the cap holds on what is read.
    assert len(read_user_file("/proc/self/status", 100_000, "MLPSIM_X")) > 100
    with pytest.raises(LimitError, match="the limit is 50 bytes"):
        read_user_file("/proc/self/status", 50, "MLPSIM_X")


# ---- encodings and compression -------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, name", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32")]
)
def test_utf16_and_utf32_files_are_named_with_what_to_use(tmp_path, encoding, name):
    path = tmp_path / "net.json"
    path.write_text(dumps(seed_example()), encoding=encoding)
    assert one_error_line(run("forward", str(path))) == (
        f"error: file: this is {name} text; save it as UTF-8 (a UTF-8 byte-order mark is fine)"
    )


def test_a_utf8_byte_order_mark_and_gzip_are_accepted(tmp_path, files):
    plain = json.loads(run("forward", str(files["seed"])).stdout)
    marked = tmp_path / "bom.json"
    marked.write_bytes(b"\xef\xbb\xbf" + files["seed"].read_bytes())
    packed = tmp_path / "net.json.gz"
    packed.write_bytes(gzip.compress(files["seed"].read_bytes()))
    for path in (marked, packed):
        done = run("forward", str(path))
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == plain


def test_a_network_of_500000_parameters_opens_on_the_command_line(tmp_path):
    # 784-600-50: 784·600 + 600 + 600·50 + 50 = 501,050 parameters, about 10 MB of JSON — twice
    # the app's 5 MB upload limit, well inside the command line's 100 MB.
    from mlpsim.core.initializers import initialized_network

    network = initialized_network([784, 600, 50], seed=3)
    path = tmp_path / "big.json"
    path.write_text(dumps(network))
    assert path.stat().st_size > 5_000_000
    done = run("forward", str(path))
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["output"]) == 50


# ---- text that reaches a terminal ------------------------------------------------------------------


HOSTILE_NAMES = {
    "newline": ("Hidden\nerror: fake", "Hidden\\nerror: fake"),
    "clear screen": ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),
    "window title": ("\x1b]0;owned\x07", "\\x1b]0;owned\\x07"),
    "bidi override": ("abc\u202edcba", "abc\\u202edcba"),
    "C1 control": ("x\x9by", "x\\x9by"),
}


@pytest.mark.parametrize("name, shown", HOSTILE_NAMES.values(), ids=list(HOSTILE_NAMES))
def test_names_with_control_characters_are_printed_escaped(tmp_path, name, shown):
    network = seed_example()
    network = network.with_layer(1, name=name)
    path = tmp_path / "net.json"
    path.write_text(dumps(network))
    done = run("explain", str(path), "--layer", "1", "--neuron", "1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"{shown} · N1 (layer 1, activation relu)"
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout and "\x9b" not in done.stdout
    # forward's JSON stays exact: the name comes back as it was
    assert json.loads(run("forward", str(path)).stdout)["layers"][0]["name"] == name


@pytest.mark.parametrize("key, shown", [("a\nb", "a\\nb"), ("\x1b[2Jx", "\\x1b[2Jx"), ("\u202ex", "\\u202ex")])
def test_unknown_and_duplicated_keys_are_printed_escaped(tmp_path, key, shown):
    document = json.loads(dumps(seed_example()))
    document[key] = 1
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps(document))
    assert one_error_line(run("forward", str(unknown))).startswith(f"error: {shown}: unknown field")
    duplicated = tmp_path / "duplicated.json"
    duplicated.write_text(json.dumps({key: 1})[:-1] + ", " + json.dumps({key: 2})[1:])
    assert (
        one_error_line(run("forward", str(duplicated)))
        == f"error: {shown}: duplicate key (each field may appear only once)"
    )


def test_a_neuron_with_many_inputs_lists_its_products_and_gives_the_total(tmp_path):
    # 20 inputs of 0.5, each weight 0.25: 20 products of 0.125, Σ = 2.5; + b 0.5 = 3
    network = Network(
        input_size=20,
        input_values=np.full(20, 0.5),
        layers=(Layer(weights=np.full((20, 1), 0.25), bias=np.array([0.5]), activation="relu"),),
    )
    path = tmp_path / "wide.json"
    path.write_text(dumps(network))
    lines = run("explain", str(path), "--layer", "1", "--neuron", "1").stdout.splitlines()
    assert lines[1:21] == [f"  W1[{i},1] × IN{i} = 0.25 × 0.5 = 0.125" for i in range(1, 21)]
    assert lines[21:] == [
        "  Σ wᵢ·xᵢ = the 20 products above = 2.5",
        "  z = Σ wᵢ·xᵢ + b1[1] = 2.5 + 0.5 = 3",
        "  a = f(z) = max(0, 3) = 3",
    ]
    assert max(map(len, lines)) < 80


def test_printed_sums_add_up_as_printed(tmp_path):
    # x = (1, 1): the products are the weights themselves, -0.2287354321 and 0.2285961234.
    # At 6 digits they print as -0.228735 + 0.228596 = -0.000139, yet the total is
    # -0.0001393087 → -0.000139309: so every number gets the 9 decimals that make the line add up.
    network = Network(
        input_size=2,
        input_values=np.array([1.0, 1.0]),
        layers=(Layer(weights=np.array([[-0.2287354321], [0.2285961234]]), bias=np.array([0.0]), activation="linear"),),
    )
    path = tmp_path / "cancel.json"
    path.write_text(dumps(network))
    lines = run("explain", str(path), "--layer", "1", "--neuron", "1").stdout.splitlines()
    assert lines[3] == "  Σ wᵢ·xᵢ = -0.228735432 + 0.228596123 = -0.000139309"
    assert Decimal("-0.228735432") + Decimal("0.228596123") == Decimal("-0.000139309")
    assert lines[-1] == "  a = f(z) = -0.000139309"


def test_a_total_no_short_printing_reaches_is_marked_approximate():
    from mlpsim.core.numbertext import SumText, sum_text

    # 0.333333 · 3 = 0.999999, which is 1 at the precision "1" is printed with (units).
    third = 1 / 3
    assert sum_text([third, third, third], 1.0) == SumText(("0.333333",) * 3, "=", "1")
    # 1.23457e+20 - 1.23457e+20 prints as 0, not 1e+14, and numbers this large get no more
    # decimals: the total is marked and given in full.
    assert sum_text([1.234567e20, -1.234566e20], 1e14) == SumText(
        ("1.23457e+20", "-1.23457e+20"), "≈", "100000000000000.0"
    )
    # 2e+10 + 0.13 = 2e+10 holds at the precision of 2e+10.
    assert sum_text([2e10, 0.13], 2e10 + 0.13) == SumText(("2e+10", "0.13"), "=", "2e+10")


def test_softmax_and_linear_neurons_read_as_the_article_writes_them(files, tmp_path):
    # Output z = (1.568, -1.366) as in the seed example; softmax a1 = e^1.568 / (e^1.568 + e^-1.366)
    network = seed_example().with_activation(2, "softmax")
    path = tmp_path / "softmax.json"
    path.write_text(dumps(network))
    text = run("explain", str(path), "--layer", "2", "--neuron", "1").stdout
    a1 = math.exp(1.568) / (math.exp(1.568) + math.exp(-1.366))
    assert f"  a = f(z)_j = e^(1.568) / (e^(1.568) + e^(-1.366)) = {a1:.6g}" in text
    path.write_text(dumps(seed_example().with_activation(2, "linear")))
    text = run("explain", str(path), "--layer", "2", "--neuron", "2").stdout
    assert text.splitlines()[-1] == "  a = f(z) = -1.366"
    assert "−" not in text


def test_explain_of_layer_1_works_when_a_later_layer_overflows(files):
    # IN1 = 1e10: layer 1's N1 = 2·1e10 + 0.13, within range; layer 2's W2[1,1]·N1 = 1e300 × 2e10
    # is not. Explaining a layer-1 neuron needs only layer 1.
    network = seed_example().with_weight(2, 0, 0, 1e300).with_weight(2, 1, 0, 1e300).with_input([1e10, 0, 0])
    with pytest.raises(ForwardError):
        forward(network)
    path = files["folder"] / "late_overflow.json"
    path.write_text(dumps(network))
    done = run("explain", str(path), "--layer", "1", "--neuron", "1")
    assert done.returncode == 0, done.stderr
    # N1 = 2·1e10 + 0.13
    assert done.stdout.splitlines()[-1] == "  a = f(z) = max(0, 2e+10) = 2e+10"
    assert "layer 2" in one_error_line(run("explain", str(path), "--layer", "2", "--neuron", "1"))


# ---- arguments ------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["-1.2,0.5,2", "−1.2,0.5,2", "−1.2,0.5,+2"])
def test_a_negative_first_input_value_works(files, written):
    done = run("forward", str(files["seed"]), "--input", written)
    assert done.returncode == 0, done.stderr
    # z1 of N1 = 2·(-1.2) + 4·0.5 - 3·2 + 0.13 = -6.27
    assert json.loads(done.stdout)["layers"][0]["z"][0] == pytest.approx(-6.27, abs=1e-13)
    explained = run("explain", str(files["seed"]), "--layer", "1", "--neuron", "1", "--input", written)
    assert explained.returncode == 0 and "W1[1,1] × IN1 = 2 × (-1.2) = -2.4" in explained.stdout


@pytest.mark.parametrize(
    "written, message",
    [
        ("1_000,0,0", "'1_000' is not a number (write it without '_': 1000, not 1_000)"),
        ("١,0,0", "'١' is not a number (type its digits as 0-9)"),
        ("１,0,0", "'１' is not a number (type its digits as 0-9)"),
        ("2e308,0,0", "'2e308' is beyond the largest number a double holds, ±1.7976931348623157e308"),
    ],
)
def test_the_command_line_reads_numbers_by_the_apps_rule(files, written, message):
    assert (
        one_error_line(run("forward", str(files["seed"]), "--input", written)) == f"error: --input value 1: {message}"
    )


def test_the_largest_double_loads_from_a_file_and_from_the_command_line(tmp_path):
    # z = 1e-300 · 1.7976931348623157e308 + 1 · 0 = 1.7976931348623157e8
    largest = sys.float_info.max
    network = Network(
        input_size=2,
        input_values=np.array([largest, 0.0]),
        layers=(Layer(weights=np.array([[1e-300], [1.0]]), bias=np.array([0.0]), activation="linear"),),
    )
    path = tmp_path / "largest.json"
    path.write_text(dumps(network))
    assert "1.7976931348623157e+308" in path.read_text()
    for extra in ([], ["--input", "1.7976931348623157e308,0"]):
        done = run("forward", str(path), *extra)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["output"][0] == pytest.approx(1.7976931348623157e8, rel=1e-15)


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("MLPSIM_MAX_LAYERS", "many", "MLPSIM_MAX_LAYERS='many': expected a whole number (digits 0-9)"),
        ("MLPSIM_MAX_LAYER_SIZE", "1_000", "MLPSIM_MAX_LAYER_SIZE='1_000': expected a whole number (digits 0-9)"),
        ("MLPSIM_MAX_FILE_BYTES", "0", "MLPSIM_MAX_FILE_BYTES='0': must be at least 1"),
        ("MLPSIM_MAX_PARAMETERS", "\x1b[2J", "MLPSIM_MAX_PARAMETERS='\\x1b[2J': expected a whole number (digits 0-9)"),
    ],
)
def test_an_invalid_limit_setting_is_one_error_line(files, variable, value, message):
    assert one_error_line(run("forward", str(files["seed"]), env={variable: value})) == f"error: {message}"
