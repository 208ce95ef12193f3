"""``python -m mlpsim``: one sub-command per task; each ``run`` returns the text to print.

Bad input of any kind ends with exit status 2 and one line on stderr starting ``error:``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

import numpy as np

from mlpsim.core.errors import MlpsimError
from mlpsim.core.forward import forward
from mlpsim.core.limits import DEFAULT_LIMITS, ENVIRONMENT_PROBLEM, variable
from mlpsim.core.losses import LOSSES, default_loss, loss_for_any_output
from mlpsim.core.network import Network
from mlpsim.core.numbertext import read_number
from mlpsim.core.optimizers import OPTIMIZERS
from mlpsim.explain.arithmetic import neuron_working
from mlpsim.io.fileformat import loads
from mlpsim.io.userfile import read_user_file

EXIT_BAD_INPUT = 2


class UsageError(Exception):
    """A command-line mistake; reported as one ``error:`` line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would print usage and its own prefix
        raise UsageError(message)


def read_network(path: str) -> Network:
    """Load a network file (plain or gzip-compressed JSON): a regular file only, and never more
    than MLPSIM_MAX_FILE_BYTES of it."""
    return loads(read_user_file(path, DEFAULT_LIMITS.max_file_bytes, variable("max_file_bytes")))


def parse_values(text: str, option: str) -> list[float]:
    """'1,0.5,-2' → [1.0, 0.5, -2.0], each read by mlpsim's one number rule (numbertext)."""
    values = []
    for position, part in enumerate(text.split(","), start=1):
        read = read_number(part, decimal_comma=False)  # the comma separates the values here
        if read.value is None:
            raise UsageError(f"{option} value {position}: {read.message}")
        values.append(read.value)
    return values


def parse_input(text: str | None, network: Network) -> np.ndarray | None:
    """'1,0.5,-2' → array of the network's input size (None: use the file's input values)."""
    if text is None:
        return None
    values = parse_values(text, "--input")
    if len(values) != network.input_size:
        raise UsageError(f"--input has {len(values)} values; the network has {network.input_size} inputs")
    return np.array(values)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` safe for a terminal: control characters (C0, C1, ESC, DEL), line separators and
    bidirectional overrides are shown escaped (\\x1b, \\n, \\u202e), so a name cannot clear the
    screen, retitle the window, reorder a line or start a line of its own."""
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def _with_printable_names(network: Network) -> Network:
    """The network as the text commands show it: its names passed through printable()."""
    names = (network.name, network.input_name, *(layer.name for layer in network.layers))
    if all(printable(name) == name for name in names):
        return network
    return replace(
        network,
        name=printable(network.name),
        input_name=printable(network.input_name),
        layers=tuple(replace(layer, name=printable(layer.name)) for layer in network.layers),
    )


def _forward_command(args: argparse.Namespace) -> str:
    network = read_network(args.network)
    result = forward(network, parse_input(args.input, network))
    layers = [
        {"name": network.layer_title(k), "z": result.z[k - 1].tolist(), "a": result.a[k - 1].tolist()}
        for k in range(1, len(network.layers) + 1)
    ]
    return json.dumps({"layers": layers, "output": result.output.tolist()})


def _explain_command(args: argparse.Namespace) -> str:
    network = _with_printable_names(read_network(args.network))
    if not 1 <= args.layer <= len(network.layers):
        raise UsageError(f"--layer {args.layer}: the network has layers 1..{len(network.layers)} after the input")
    size = network.layers[args.layer - 1].size
    if not 1 <= args.neuron <= size:
        raise UsageError(f"--neuron {args.neuron}: layer {args.layer} has neurons 1..{size}")
    # Only the layers up to this one are computed: a later layer that overflows is not needed.
    result = forward(network, parse_input(args.input, network), through=args.layer)
    return neuron_working(network, result, args.layer, args.neuron - 1).as_text()


def _exercise_command(args: argparse.Namespace) -> str:
    from mlpsim.workshop.document import exercise_document
    from mlpsim.workshop.exercise import ExerciseSpec, make_exercise

    codes = tuple(code.strip() for code in (args.ask or "").split(",") if code.strip())
    exercise = make_exercise(ExerciseSpec(args.seed, args.difficulty, codes, topic=args.topic))
    document = exercise_document(exercise)
    if args.json:
        return json.dumps(document, ensure_ascii=False)
    lines = [f"{exercise.network.name}: {'-'.join(map(str, exercise.network.layer_sizes))}"]
    for question in document["questions"]:
        lines.append(f"{question['code']}: {question['text']}")
        lines.extend(
            f"    {answer['label']} = {answer['write']} (exact {answer['exact']!r})" for answer in question["answers"]
        )
    return "\n".join(lines)


def _worksheet_command(args: argparse.Namespace) -> str:
    from mlpsim.workshop.worksheet import build_worksheet, render_worksheet

    target = Path(args.output)
    sheet = build_worksheet(args.seed, args.difficulty, args.count, args.title, topic=args.topic)
    text = render_worksheet(sheet, target.suffix)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror or error}") from None
    return ""


def _render_command(args: argparse.Namespace) -> str:
    from mlpsim.render.export import check_export_path, write_figure
    from mlpsim.render.figure import network_figure

    check_export_path(args.output)  # before the work, so a wrong suffix fails fast
    network = read_network(args.network)
    result = forward(network, parse_input(args.input, network))
    write_figure(network_figure(network, result, show_edge_values=args.edge_values), args.output)
    return ""


def _parse_target(text: str, network: Network) -> np.ndarray:
    """'0.01,0.99' → array of the network's output size."""
    values = parse_values(text, "--target")
    size = network.layers[-1].size
    if len(values) != size:
        raise UsageError(f"--target has {len(values)} values; the network has {size} outputs")
    return np.array(values)


def _backprop_command(args: argparse.Namespace) -> str:
    from mlpsim.core.backward import backward
    from mlpsim.core.losses import get_loss
    from mlpsim.explain.gradient_working import layer_gradient, neuron_gradient

    network = read_network(args.network)
    loss = get_loss(args.loss, network.layers[-1].activation)
    target = _parse_target(args.target, network)
    result = forward(network, parse_input(args.input, network))
    gradients = backward(network, target, loss=loss, result=result)
    count = len(network.layers)
    chosen: tuple[int, int] | None = None
    """(layer, 0-based neuron) whose gradient is asked for, or None for every layer's."""
    if args.layer is not None or args.neuron is not None:
        if args.layer is None or args.neuron is None:
            raise UsageError("--layer and --neuron go together")
        if not 1 <= args.layer <= count:
            raise UsageError(f"--layer {args.layer}: the network has layers 1..{count} after the input")
        size = network.layers[args.layer - 1].size
        if not 1 <= args.neuron <= size:
            raise UsageError(f"--neuron {args.neuron}: layer {args.layer} has neurons 1..{size}")
        chosen = (args.layer, args.neuron - 1)
    if args.json:
        layers = [
            {
                "name": network.layer_title(k),
                "delta": gradients.deltas[k - 1].tolist(),
                "weight_gradient": gradients.weights[k - 1].tolist(),
                "bias_gradient": gradients.biases[k - 1].tolist(),
            }
            for k in range(1, count + 1)
        ]
        return json.dumps({"loss": gradients.loss, "layers": layers})
    rate = args.learning_rate
    if chosen is not None:
        return neuron_gradient(network, result, gradients, target, loss, *chosen, rate).as_text()
    parts = [f"{loss.title}: {loss.formula_text} = {gradients.loss:.6g}  (learning rate η = {rate:g} in the updates)"]
    for position in range(count, 0, -1):
        parts.append(layer_gradient(network, result, gradients, position).as_text())
        layer = network.layers[position - 1]
        if layer.size <= BACKPROP_NEURONS_SHOWN and layer.n_in <= BACKPROP_NEURONS_SHOWN:
            parts.extend(
                neuron_gradient(network, result, gradients, target, loss, position, j, rate).as_text()
                for j in range(layer.size)
            )
        else:
            parts.append(f"  (layer {position} is large: see one neuron with --layer {position} --neuron J)")
    return "\n\n".join(parts)


def _train_command(args: argparse.Namespace) -> str:
    from mlpsim.core.optimizers import Optimizer
    from mlpsim.core.training import TrainingConfig, start, train
    from mlpsim.data.datafile import load_csv
    from mlpsim.data.datasets import DATASETS, examples, load, split
    from mlpsim.io.fileformat import dumps

    target = Path(args.output)
    if args.seed < 0:
        raise UsageError(f"--seed {args.seed}: expected a whole number ≥ 0")
    if not target.parent.is_dir():
        raise UsageError(f"cannot write {args.output}: the folder {target.parent} does not exist")
    network = read_network(args.network)
    if args.data in DATASETS:
        dataset = load(args.data, args.points, args.noise, args.seed)
    else:
        dataset = load_csv(_read_data_file(args.data), Path(args.data).name, network, DEFAULT_LIMITS)
    train_set, test_set = split(dataset, args.test_fraction, args.seed)
    train_rows = examples(train_set, network)
    test_rows = None if test_set is None else examples(test_set, network)
    optimizer = Optimizer(args.optimizer, args.learning_rate, momentum=args.momentum, l1=args.l1, l2=args.l2)
    config = TrainingConfig(
        loss=args.loss or default_loss(network.layers[-1].activation),
        optimizer=optimizer,
        batch_size=args.batch_size,
        epochs=args.epochs,
    )
    history: dict[str, list[float]] = {"train_loss": [], "test_loss": [], "train_accuracy": [], "test_accuracy": []}
    bar = _ProgressBar(config.epochs) if sys.stderr.isatty() else None
    state = start(network, config, args.seed)
    try:
        for progress in train(state, config, train_rows, test_rows):
            state = progress.state
            history["train_loss"].append(progress.train_loss)
            if progress.test_loss is not None:
                history["test_loss"].append(progress.test_loss)
            if progress.train_accuracy is not None:
                history["train_accuracy"].append(progress.train_accuracy)
            if progress.test_accuracy is not None:
                history["test_accuracy"].append(progress.test_accuracy)
            if bar is not None:
                bar.show(progress.epoch, progress.train_loss)
    finally:
        if bar is not None:
            bar.close()
    _write_atomically(target, dumps(state.network))
    summary: dict[str, object] = {
        "epochs": state.epoch,
        "train_loss": history["train_loss"],
        "test_loss": history["test_loss"],
    }
    if train_rows.labels is not None:
        summary["train_accuracy"] = history["train_accuracy"]
        summary["test_accuracy"] = history["test_accuracy"]
    # A test loss can overflow on rows the network never trained on; JSON has no inf: null.
    summary["test_loss"] = [value if np.isfinite(value) else None for value in history["test_loss"]]
    return json.dumps(summary)


BACKPROP_NEURONS_SHOWN = 8
"""``backprop`` without --layer works out every neuron of layers up to this size a side."""


def _default_rates_help() -> str:
    """'default 0.03 (sgd, momentum), 0.001 (adam)': each optimiser's default η, alike ones together."""
    names_by_rate: dict[float, list[str]] = {}
    for name, rule in OPTIMIZERS.items():
        names_by_rate.setdefault(rule.default_learning_rate, []).append(name)
    return "default " + ", ".join(f"{rate:g} ({', '.join(names)})" for rate, names in names_by_rate.items())


def _pairings() -> str:
    """'cross_entropy for softmax, binary_cross_entropy for sigmoid, else squared_error'."""
    from mlpsim.core.activations import REGISTRY

    made = [f"{default_loss(name)} for {name}" for name in REGISTRY if default_loss(name) != loss_for_any_output()]
    return ", ".join([*made, f"else {loss_for_any_output()}"])


def _read_data_file(path: str) -> bytes:
    """A CSV file named by --data, read as safely as a network file (mlpsim.io.userfile)."""
    if not Path(path).exists():
        raise UsageError(f"--data {path}: neither a built-in dataset nor an existing file")
    return read_user_file(path, DEFAULT_LIMITS.max_data_bytes, variable("max_data_bytes"))


def _write_atomically(target: Path, text: str) -> None:
    """Write via a temporary file beside ``target``, so a failure never leaves half a file."""
    temporary = target.with_name(target.name + ".partial")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise UsageError(f"cannot write {target}: {error.strerror or error}") from None


class _ProgressBar:
    """One line on stderr, redrawn in place: epoch, a bar and the latest train loss."""

    WIDTH = 30

    def __init__(self, epochs: int):
        self.epochs = epochs

    def show(self, epoch: int, loss: float) -> None:
        filled = round(self.WIDTH * epoch / self.epochs)
        bar = "█" * filled + "·" * (self.WIDTH - filled)
        sys.stderr.write(f"\repoch {epoch}/{self.epochs} {bar} train loss {loss:.4g}")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


def _number_argument(text: str) -> float:
    """argparse type: a finite number read by mlpsim's one rule (argparse's float accepts 'nan',
    'inf' and '1_000')."""
    read = read_number(text, decimal_comma=False)
    if read.value is None:
        raise argparse.ArgumentTypeError(read.message)
    return read.value


def _write_bytes(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _import_command(args: argparse.Namespace) -> str:
    from mlpsim.io.fileformat import dumps
    from mlpsim.io.onnxio import read_onnx

    data = read_user_file(args.model, DEFAULT_LIMITS.max_file_bytes, variable("max_file_bytes"))
    network = read_onnx(data, DEFAULT_LIMITS, output=args.output_name)
    _write_bytes(args.output, dumps(network).encode("utf-8"))
    return ""


def _export_command(args: argparse.Namespace) -> str:
    from mlpsim.io.onnxio import write_onnx

    network = read_network(args.network)
    _write_bytes(args.output, write_onnx(network, "float32" if args.float32 else "float64"))
    return ""


def _app_command(args: argparse.Namespace) -> NoReturn:
    """Replace this process by ``streamlit run app.py`` with the arguments given. app.py is the
    file beside the ``ui`` package (a checkout's, or the one installed with it); the core only
    locates them, it never imports the UI."""
    import importlib.util
    import os

    if importlib.util.find_spec("streamlit") is None:
        raise UsageError("the app needs Streamlit: pip install 'mlpsim[app]'")
    ui = importlib.util.find_spec("ui")
    script = Path(ui.origin).parent.parent / "app.py" if ui is not None and ui.origin else None
    if script is None or not script.is_file():
        raise UsageError("the app's files (app.py and the ui package) are not installed beside mlpsim")
    command = [sys.executable, "-m", "streamlit", "run", str(script), *args.streamlit_args]
    sys.stdout.flush()
    os.execv(sys.executable, command)


def _add_topic_arguments(command: argparse.ArgumentParser) -> None:
    """--topic: a name in the Workshop's topic registry (read when the parser is built)."""
    from mlpsim.workshop.topics import DEFAULT_TOPIC, TOPICS

    command.add_argument("--topic", choices=tuple(TOPICS), default=DEFAULT_TOPIC)


def _difficulty_names() -> tuple[str, ...]:
    """Every topic's difficulties, each once; the topic itself checks that it has the one asked for."""
    from mlpsim.workshop.topics import TOPICS

    return tuple(dict.fromkeys(name for topic in TOPICS.values() for name in topic.difficulties))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m mlpsim", description="Multilayer perceptron simulator: the core's commands.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    command = commands.add_parser("forward", help="print every layer's z and a as JSON")
    command.add_argument("network", help="an mlpsim.network JSON file")
    command.add_argument("--input", help="comma-separated input values (default: the file's)")
    command.set_defaults(run=_forward_command)

    command = commands.add_parser("explain", help="print the worked arithmetic of one neuron")
    command.add_argument("network", help="an mlpsim.network JSON file")
    command.add_argument("--layer", type=int, required=True, help="layer after the input, from 1")
    command.add_argument("--neuron", type=int, required=True, help="neuron in that layer, from 1")
    command.add_argument("--input", help="comma-separated input values (default: the file's)")
    command.set_defaults(run=_explain_command)

    command = commands.add_parser(
        "exercise", help="print one Workshop exercise: its network, questions and exact answers"
    )
    _add_topic_arguments(command)
    command.add_argument("--seed", type=int, required=True)
    command.add_argument("--difficulty", choices=_difficulty_names(), required=True)
    command.add_argument("--ask", help="comma-separated question codes (default: the exercise's own questions)")
    command.add_argument(
        "--json", action="store_true", help="print it as one line of JSON (network in mlpsim.network format)"
    )
    command.set_defaults(run=_exercise_command)

    command = commands.add_parser("worksheet", help="write a printable worksheet with an answer key (.html or .md)")
    _add_topic_arguments(command)
    command.add_argument("--seed", type=int, required=True, help="exercise i uses seed N + i - 1")
    command.add_argument("--difficulty", choices=_difficulty_names(), required=True)
    command.add_argument("--count", type=int, default=3, help="number of exercises (default 3)")
    command.add_argument("--title", help="heading printed on the sheet")
    command.add_argument(
        "-o", "--output", required=True, help="file to write; its suffix (.html or .md) picks the format"
    )
    command.set_defaults(run=_worksheet_command)

    command = commands.add_parser("render", help="write the network diagram (.html, .json, .png or .svg)")
    command.add_argument("network", help="an mlpsim.network JSON file")
    command.add_argument("-o", "--output", required=True, help="file to write; its suffix picks the format")
    command.add_argument("--input", help="comma-separated input values (default: the file's)")
    command.add_argument("--edge-values", action="store_true", help="print each weight on its edge (small networks)")
    command.set_defaults(run=_render_command)

    command = commands.add_parser("backprop", help="print δ and the gradients of every layer for one sample, worked")
    command.add_argument("network", help="an mlpsim.network JSON file")
    command.add_argument("--target", required=True, help="comma-separated target values, one per output neuron")
    command.add_argument("--input", help="comma-separated input values (default: the file's)")
    command.add_argument(
        "--loss", default=loss_for_any_output(), help=f"one of {', '.join(LOSSES)} (default {loss_for_any_output()})"
    )
    command.add_argument("--layer", type=int, help="only this layer's neuron (layer after the input, from 1) ...")
    command.add_argument(
        "--neuron", type=int, help="... and this neuron, from 1: its δ and its incoming weights' gradients"
    )
    command.add_argument(
        "--learning-rate", type=_number_argument, default=0.03, help="η used to show each update w − η·g (default 0.03)"
    )
    command.add_argument("--json", action="store_true", help="print loss, δ and gradients as one line of JSON")
    command.set_defaults(run=_backprop_command)

    command = commands.add_parser("train", help="train a network on a built-in dataset or a CSV file")
    command.add_argument("network", help="an mlpsim.network JSON file")
    command.add_argument(
        "--data", required=True, help="a built-in dataset's name (circle, xor, spiral, digits, …) or a CSV file"
    )
    command.add_argument(
        "-o", "--output", required=True, help="the trained network's file (written only if training succeeds)"
    )
    command.add_argument(
        "--loss", help=f"one of {', '.join(LOSSES)}; default: the loss made for the output activation ({_pairings()})"
    )
    command.add_argument("--optimizer", default="sgd", choices=tuple(OPTIMIZERS))
    command.add_argument("--learning-rate", type=_number_argument, help=_default_rates_help())
    command.add_argument(
        "--momentum", type=_number_argument, default=0.9, help="μ for --optimizer momentum (default 0.9)"
    )
    command.add_argument("--batch-size", type=int, default=10, help="rows per update (default 10)")
    command.add_argument("--epochs", type=int, default=100, help="passes over the training rows (default 100)")
    command.add_argument(
        "--seed", type=int, default=0, help="seeds the split, the shuffling and generated data (default 0)"
    )
    command.add_argument(
        "--test-fraction", type=_number_argument, default=0.2, help="rows held out for testing (default 0.2)"
    )
    command.add_argument("--l1", type=_number_argument, default=0.0, help="L1 regularisation rate λ₁ (default 0)")
    command.add_argument("--l2", type=_number_argument, default=0.0, help="L2 regularisation rate λ₂ (default 0)")
    command.add_argument("--points", type=int, help="points of a generated dataset (default: its usual count)")
    command.add_argument(
        "--noise", type=_number_argument, default=0.0, help="noise of a generated dataset, 0–0.5 (default 0)"
    )
    command.set_defaults(run=_train_command)

    command = commands.add_parser("import", help="read an ONNX model's fully connected network into a network file")
    command.add_argument(
        "model", help="an .onnx file (Gemm or MatMul + Add layers, as PyTorch, tf2onnx and skl2onnx write)"
    )
    command.add_argument("-o", "--output", required=True, help="the mlpsim.network JSON file to write")
    command.add_argument("--output-name", help="the tensor the network ends at, for a model with several outputs")
    command.set_defaults(run=_import_command)

    command = commands.add_parser("export", help="write a network file as an ONNX model (opset 17)")
    command.add_argument("network", help="an mlpsim.network JSON file")
    command.add_argument("-o", "--output", required=True, help="the .onnx file to write")
    command.add_argument("--float32", action="store_true", help="float32 weights and values (default float64)")
    command.set_defaults(run=_export_command)

    # '+' prefixes: every argument after 'app', --options included, goes to `streamlit run`.
    command = commands.add_parser(
        "app",
        help="start the Streamlit app (arguments after 'app' go to streamlit run)",
        prefix_chars="+",
        add_help=False,
    )
    command.add_argument("streamlit_args", nargs="*", help="e.g. --server.port 8502")
    command.set_defaults(run=_app_command)
    return parser


def _attached_negative_values(parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """argv with ``--input -1.2,0.5`` written as ``--input=-1.2,0.5``: argparse takes a value
    that starts with '-' for an option (and fails with 'expected one argument') unless it looks
    like one plain negative number."""
    options = _options_taking_a_value(parser)
    joined: list[str] = []
    for argument in argv:
        if joined and joined[-1] in options and _NEGATIVE_VALUE.match(argument):
            joined[-1] = f"{joined[-1]}={argument}"
        else:
            joined.append(argument)
    return joined


_NEGATIVE_VALUE = re.compile("[-\u2212][0-9.]")


def _options_taking_a_value(parser: argparse.ArgumentParser) -> set[str]:
    options: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                options |= _options_taking_a_value(subparser)
        elif action.option_strings and action.nargs != 0:
            options.update(action.option_strings)
    return options


def main(argv: Sequence[str] | None = None) -> int:
    try:
        if ENVIRONMENT_PROBLEM:
            raise UsageError(ENVIRONMENT_PROBLEM)
        parser = build_parser()
        args = parser.parse_args(_attached_negative_values(parser, sys.argv[1:] if argv is None else argv))
        output = args.run(args)
    except (UsageError, MlpsimError) as error:
        print(f"error: {_one_line(error)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if output:
        print(output)
    return 0


def _one_line(error: Exception) -> str:
    """The message on one line, with whatever it quotes from a file or a name made printable."""
    return printable(" ".join(str(error).split(" ")))
