"""`python -m mlpsim import|export` run as a person would, and the app opening an .onnx file:
outputs checked against onnxruntime and against sums worked here; every bad input ends with exit
status 2 and one `error:` line, and a bad upload leaves the network as it was."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import onnx
import onnxruntime
import pytest
from conftest import ROOT, open_lazy_section
from onnx import TensorProto, helper, numpy_helper
from streamlit.testing.v1 import AppTest
from test_cli import run

from mlpsim.io.fileformat import dumps
from mlpsim.io.presets import seed_example
from ui.session import state

# The seed example by hand: hidden z = [0.93, 6.04, 0.15, 2.46] (ReLU keeps them), output
# z = [1.568, -1.366], then the sigmoid.
SEED_OUTPUT = [1 / (1 + math.exp(-1.568)), 1 / (1 + math.exp(1.366))]


def one_error_line(done, message: str) -> None:
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert message in lines[0]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    place = tmp_path_factory.mktemp("onnx-cli")
    (place / "seed.json").write_text(dumps(seed_example()))
    return place


def test_export_runs_in_onnxruntime_with_the_seed_examples_output(folder):
    done = run("export", str(folder / "seed.json"), "-o", str(folder / "seed.onnx"))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    session = onnxruntime.InferenceSession(str(folder / "seed.onnx"), providers=["CPUExecutionProvider"])
    output = session.run(None, {"input": np.array([[0.5, 0.1, 0.2]])})[0]
    assert output.dtype == np.float64
    assert output[0].tolist() == pytest.approx(SEED_OUTPUT, rel=1e-12)


def test_export_float32(folder):
    done = run("export", str(folder / "seed.json"), "-o", str(folder / "seed32.onnx"), "--float32")
    assert done.returncode == 0, done.stderr
    written = onnx.load(str(folder / "seed32.onnx"))
    assert {tensor.data_type for tensor in written.graph.initializer} == {TensorProto.FLOAT}


def test_import_of_an_exported_model_gives_the_same_network(folder):
    run("export", str(folder / "seed.json"), "-o", str(folder / "back.onnx"))
    done = run("import", str(folder / "back.onnx"), "-o", str(folder / "back.json"))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    imported = json.loads((folder / "back.json").read_text())
    original = json.loads((folder / "seed.json").read_text())
    assert [layer["weights"] for layer in imported["layers"]] == [layer["weights"] for layer in original["layers"]]
    assert [layer["activation"] for layer in imported["layers"]] == ["relu", "sigmoid"]
    forward = run("forward", str(folder / "back.json"), "--input", "0.5,0.1,0.2")
    assert json.loads(forward.stdout)["output"] == pytest.approx(SEED_OUTPUT, rel=1e-12)


def two_output_model() -> bytes:
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "w"], ["z"], transB=1), helper.make_node("Relu", ["z"], ["y"])],
        "two outputs",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", 2])],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in ("z", "y")],
        [numpy_helper.from_array(np.array([[1.0, -2.0]], dtype=np.float32), "w")],  # torch's 1×2: one neuron
    )
    built = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    built.ir_version = 8
    return built.SerializeToString()


def test_import_names_the_outputs_and_reads_the_chosen_one(folder):
    (folder / "two.onnx").write_bytes(two_output_model())
    one_error_line(run("import", str(folder / "two.onnx"), "-o", str(folder / "two.json")), "2 outputs ('z', 'y')")
    assert not (folder / "two.json").exists()
    done = run("import", str(folder / "two.onnx"), "-o", str(folder / "two.json"), "--output-name", "y")
    assert done.returncode == 0, done.stderr
    layer = json.loads((folder / "two.json").read_text())["layers"][0]
    assert (layer["weights"], layer["activation"]) == ([[1.0], [-2.0]], "relu")


def test_bad_inputs_exit_2_with_one_error_line(folder):
    one_error_line(run("import", str(folder / "seed.json"), "-o", str(folder / "x.json")), "not an ONNX file")
    one_error_line(run("import", str(folder / "missing.onnx"), "-o", str(folder / "x.json")), "cannot read")
    one_error_line(run("import", str(folder), "-o", str(folder / "x.json")), "is a directory, not a regular file")
    oversized = folder / "oversized.onnx"
    with oversized.open("wb") as handle:  # sparse: refused from its size, never read
        handle.truncate(100_000_001)
    one_error_line(run("import", str(oversized), "-o", str(folder / "x.json")), "the limit is 100,000,000 bytes")
    (folder / "conv.onnx").write_bytes(
        helper.make_model(
            helper.make_graph(
                [helper.make_node("Conv", ["x", "k"], ["y"], name="conv1")],
                "conv",
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                [numpy_helper.from_array(np.ones((1, 1, 3, 3), dtype=np.float32), "k")],
            )
        ).SerializeToString()
    )
    one_error_line(run("import", str(folder / "conv.onnx"), "-o", str(folder / "x.json")), "node 1 'conv1' (Conv)")
    one_error_line(run("export", str(folder / "missing.json"), "-o", str(folder / "x.onnx")), "cannot read")
    one_error_line(run("export", str(folder / "seed.json"), "-o", str(folder / "no" / "x.onnx")), "cannot write")
    one_error_line(run("import", str(folder / "seed.onnx")), "the following arguments are required: -o/--output")
    assert not (folder / "x.json").exists() and not (folder / "x.onnx").exists()


# ---- the app opens .onnx files --------------------------------------------------------------


def shown_output(app) -> list[float]:
    for table in app.table:
        if list(table.value.columns) == ["a"]:
            return [float(v) for v in table.value["a"]]
    raise AssertionError("no output table on the page")


def notices(app, kind: str) -> list[str]:
    """Texts of the page's st.error/st.success boxes, with the Markdown escaping undone."""
    return [re.sub(r"\\(.)", r"\1", element.value) for element in getattr(app, kind)]


@pytest.fixture
def app():
    page = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    page.run()
    open_lazy_section(page, state.SAVE_SHARE_OPEN)
    return page


def test_the_app_opens_an_onnx_model(app):
    # One torch-style neuron: weight [[1, -2]] (M×N), so y = relu(1·x1 − 2·x2); inputs start at 0.
    app.file_uploader(key=state.UPLOAD).upload("model.onnx", two_output_model(), "application/octet-stream").run()
    assert any("model.onnx was not loaded: ONNX model: 2 outputs ('z', 'y')" in text for text in notices(app, "error"))
    graph = onnx.load_from_string(two_output_model())
    del graph.graph.output[0]
    app.file_uploader(key=state.UPLOAD).upload("one.onnx", graph.SerializeToString(), "application/octet-stream").run()
    assert any("Loaded one.onnx" in text for text in notices(app, "success"))
    network = app.session_state[state.NETWORK]
    assert network.layers[0].weights.tolist() == [[1.0], [-2.0]]
    assert shown_output(app) == [0.0]


def test_a_damaged_onnx_upload_keeps_the_network(app):
    before = app.session_state[state.NETWORK]
    app.file_uploader(key=state.UPLOAD).upload("cut.onnx", two_output_model()[:40], "application/octet-stream").run()
    assert any("cut.onnx was not loaded: ONNX model:" in text for text in notices(app, "error"))
    assert app.session_state[state.NETWORK] is before
