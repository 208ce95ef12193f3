"""Write every text the worked arithmetic reaches people through, for a fixed set of networks,
into a folder: run it before and after a refactoring and diff the two folders.

    python3 scripts/golden_outputs.py /tmp/golden-before
    python3 scripts/golden_outputs.py /tmp/golden-after && diff -r /tmp/golden-before /tmp/golden-after

What it writes, per network: the CLI's forward, explain (first and last neuron of every layer),
backprop (whole, one neuron, JSON) and render (figure JSON); the figure JSON plain, with a
selection, in step-through mode and with edge values; every step-through text; the app's neuron
panel LaTeX; the matrix forms; the backward working in all four media. Per worksheet seed and
difficulty: the HTML and Markdown sheets and every question's solution and hints.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlpsim import cli  # noqa: E402
from mlpsim.core.backward import backward  # noqa: E402
from mlpsim.core.forward import forward  # noqa: E402
from mlpsim.core.losses import LOSSES, get_loss  # noqa: E402
from mlpsim.core.network import Network  # noqa: E402
from mlpsim.explain import arithmetic, backward_stepper, gradient_working, stepper  # noqa: E402
from mlpsim.io.fileformat import dumps  # noqa: E402
from mlpsim.io.presets import mnist_sized, random_network, seed_example  # noqa: E402
from mlpsim.render.figure import network_figure  # noqa: E402
from mlpsim.workshop.exercise import ExerciseSpec, make_exercise  # noqa: E402


def networks() -> dict[str, Network]:
    wide = random_network([20, 3, 1], ["relu", "sigmoid"], seed=4)
    curved = random_network([2, 3, 3, 3, 2], ["tanh", "leaky_relu", "linear", "sigmoid"], seed=2)
    # negative inputs, so the leaky ReLU and tanh meet negative z
    curved = replace(curved, input_values=np.array([-0.8, 0.35]))
    return {
        "seed": seed_example(),
        "softmax": random_network([3, 4, 3], ["relu", "softmax"], seed=1),
        "curved": curved,
        "wide": wide,
        "mnist": mnist_sized(),
    }


def run_cli(argv: list[str]) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(argv)
    return f"exit {status}\n{out.getvalue()}{err.getvalue()}"


def panel_latex(network: Network, result, position: int, index: int) -> list[str]:
    """The LaTeX lines the Simulator's neuron panel (ui/parts/results.py) typesets for this neuron."""
    return arithmetic.neuron_working(network, result, position, index).latex_lines()


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def capture_network(root: Path, key: str, network: Network, scratch: Path) -> None:
    folder = root / key
    folder.mkdir(parents=True)
    path = scratch / f"{key}.json"
    path.write_text(dumps(network), encoding="utf-8")
    result = forward(network)
    small = max(network.layer_sizes) <= 20
    write(folder, "cli-forward.txt", run_cli(["forward", str(path)]))
    explained = []
    for position in range(1, len(network.layer_sizes)):
        size = network.layer_sizes[position]
        for neuron in sorted({1, size} if not small else range(1, size + 1)):
            explained.append(run_cli(["explain", str(path), "--layer", str(position), "--neuron", str(neuron)]))
    write(folder, "cli-explain.txt", "\n".join(explained))
    target = ",".join(["0.25"] * network.layer_sizes[-1])
    if network.layers[-1].activation == "softmax":
        target = ",".join(["1"] + ["0"] * (network.layer_sizes[-1] - 1))
    write(folder, "cli-backprop.txt", run_cli(["backprop", str(path), "--target", target]))
    write(folder, "cli-backprop-json.txt", run_cli(["backprop", str(path), "--target", target, "--json"]))
    write(
        folder,
        "cli-backprop-neuron.txt",
        run_cli(["backprop", str(path), "--target", target, "--layer", "1", "--neuron", "1"]),
    )
    rendered = scratch / f"{key}-figure.json"
    write(folder, "cli-render.txt", run_cli(["render", str(path), "-o", str(rendered)]))
    write(folder, "cli-render.json", rendered.read_text(encoding="utf-8"))

    write(folder, "figure-plain.json", network_figure(network, result).to_json())
    last = len(network.layer_sizes) - 1
    write(folder, "figure-selected.json", network_figure(network, result, selected=(last, 0)).to_json())
    if small:
        write(folder, "figure-edges.json", network_figure(network, result, show_edge_values=True).to_json())

    total = stepper.step_count(network)
    indices = range(total + 1) if small else sorted({0, 1, 2, network.layer_sizes[1], total - 1, total})
    texts = []
    for index in indices:
        step = stepper.step_at(network, index)
        working = stepper.step_working(network, result, step)
        texts.append(f"== step {index}: selected {step.selected} through {step.computed_through}")
        if working is not None:
            texts.append(working.title)
            texts.extend(working.lines())
        if index in (1, total):
            figure = network_figure(network, result, selected=step.selected, computed_through=step.computed_through)
            write(folder, f"figure-step-{index}.json", figure.to_json())
    write(folder, "step-through.txt", "\n".join(texts))

    panel, worked = [], []
    for position in range(1, len(network.layer_sizes)):
        size = network.layer_sizes[position]
        for index in sorted({0, size - 1} if not small else range(size)):
            panel.append(f"== {position} {index}")
            panel.extend(panel_latex(network, result, position, index))
            working = arithmetic.neuron_working(network, result, position, index)
            worked += [f"== {position} {index}", working.as_text(), working.as_latex()]
        matrix = arithmetic.layer_working(network, result, position)
        worked += [f"== layer {position}", matrix.as_text(), matrix.as_latex()]
    write(folder, "panel-latex.txt", "\n".join(panel))
    write(folder, "neuron-and-layer-working.txt", "\n".join(worked))

    y = np.array([float(v) for v in target.split(",")])
    gradients_text, steps_text = [], []
    output = network.layers[-1].activation
    for name in sorted(name for name, loss in LOSSES.items() if loss.fits(output)):
        loss = get_loss(name, output)
        gradients = backward(network, y, loss=loss, result=result)
        for position in range(1, len(network.layer_sizes)):
            size = network.layer_sizes[position]
            for index in sorted({0, size - 1}):
                working = gradient_working.neuron_gradient(network, result, gradients, y, loss, position, index, 0.5)
                gradients_text += [f"== {name} {position} {index}", working.as_text(), working.as_latex()]
                gradients_text += [working.as_markdown(), working.as_html()]
            layer = gradient_working.layer_gradient(network, result, gradients, position)
            gradients_text += [f"== {name} layer {position}", layer.as_text(), layer.as_latex()]
            gradients_text += [layer.as_markdown(), layer.as_html()]
        last = backward_stepper.backward_step_count(network)
        for index in sorted({*range(min(last, 40) + 1), last}):
            step = backward_stepper.backward_step_at(network, index)
            working = backward_stepper.backward_step_working(network, result, gradients, y, loss, 0.5, step)
            steps_text += [f"== {name} {index}", working.title, *working.lines()]
    write(folder, "gradient-working.txt", "\n".join(gradients_text))
    write(folder, "backward-steps.txt", "\n".join(steps_text))


def capture_worksheets(root: Path, scratch: Path) -> None:
    folder = root / "worksheets"
    folder.mkdir(parents=True)
    for difficulty in ("easy", "medium", "hard"):
        for seed in (0, 7, 42):
            for suffix in (".html", ".md"):
                target = scratch / f"sheet{suffix}"
                status = run_cli(["worksheet", "--seed", str(seed), "--difficulty", difficulty, "-o", str(target)])
                write(folder, f"{difficulty}-{seed}{suffix}", status + target.read_text(encoding="utf-8"))
            exercise = make_exercise(ExerciseSpec(seed, difficulty))
            lines = []
            for question in exercise.questions:
                lines.append(f"== {question.code}: {exercise.question_text(question)}")
                lines.extend(exercise.solution_steps(question))
                for hint in exercise.hints(question):
                    lines.append(f"-- hint {hint.title}")
                    lines.extend(hint.lines)
            write(folder, f"{difficulty}-{seed}-solutions.txt", "\n".join(lines))
    for difficulty in ("easy", "medium", "hard"):
        for seed in (0, 7):
            for suffix in (".html", ".md"):
                target = scratch / f"sheet{suffix}"
                argv = ["worksheet", "--topic", "backprop", "--seed", str(seed), "--difficulty", difficulty]
                status = run_cli([*argv, "-o", str(target)])
                text = target.read_text(encoding="utf-8") if target.exists() else ""
                write(folder, f"backprop-{difficulty}-{seed}{suffix}", status + text)
                target.unlink(missing_ok=True)


def main(target: str) -> None:
    root = Path(target)
    if root.exists() and any(root.iterdir()):
        raise SystemExit(f"{root} is not empty")
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for key, network in networks().items():
            capture_network(root, key, network, Path(scratch))
        capture_worksheets(root, Path(scratch))


if __name__ == "__main__":
    main(sys.argv[1])
