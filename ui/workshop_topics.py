"""What the Workshop's exercise part shows differently per topic (forward pass, backpropagation):
the topic's name, its difficulties and their descriptions, the question codes an instructor can
choose from and their labels. Pure functions of mlpsim.workshop's data; no Streamlit here."""

from __future__ import annotations

from mlpsim.core.network import Network
from mlpsim.workshop.backprop_generation import BACKPROP_DIFFICULTIES
from mlpsim.workshop.backprop_questions import parse_backprop_question
from mlpsim.workshop.exercise import BACKPROP, FORWARD, AnyExercise
from mlpsim.workshop.generation import DIFFICULTIES
from mlpsim.workshop.questions import parse_question

TOPIC_TITLES = {FORWARD: "Forward pass", BACKPROP: "Backpropagation"}


def difficulty_names(topic: str) -> list[str]:
    return list(BACKPROP_DIFFICULTIES if topic == BACKPROP else DIFFICULTIES)


def difficulty_description(topic: str, difficulty: str) -> str:
    return (BACKPROP_DIFFICULTIES if topic == BACKPROP else DIFFICULTIES)[difficulty].description


def exercise_title(topic: str, seed: int, difficulty: str) -> str:
    """'Exercise 3 · easy' (forward, as before topics) or 'Backpropagation exercise 3 · easy'."""
    return f"{'Backpropagation exercise' if topic == BACKPROP else 'Exercise'} {seed} · {difficulty}"


def possible_questions(topic: str, network: Network) -> list[str]:
    """Every question code the network's shape allows, in the order the instructor reads them."""
    codes = []
    if topic == BACKPROP:
        codes.append("loss")
        for k in range(len(network.layers), 0, -1):
            params = network.layers[k - 1]
            codes += [f"d{k}.{j + 1}" for j in range(params.size)]
        for k, params in enumerate(network.layers, start=1):
            cells = [(i + 1, j + 1) for i in range(params.n_in) for j in range(params.size)]
            codes += [f"g{k}.{i}.{j}" for i, j in cells] + [f"u{k}.{i}.{j}" for i, j in cells]
            codes += [f"b{k}.{j + 1}" for j in range(params.size)] + [f"G{k}"]
        return codes
    for k, params in enumerate(network.layers, start=1):
        codes += [f"w{k}.{i + 1}.{j + 1}" for i in range(params.n_in) for j in range(params.size)]
        codes += [f"{kind}{k}.{j + 1}" for j in range(params.size) for kind in ("z", "a")]
        codes.append(f"L{k}")
    return codes + ["out"]


def question_label(exercise: AnyExercise, code: str) -> str:
    """A code as the instructor's list shows it: with its question's text (forward: 'z1.2: z of
    N2 in Hidden 1 …'), or for backprop with what its box asks ('d2.1: δ2[1]', 'G1: the gradient
    matrix ∂L/∂W1') — the backprop questions' texts are too long for the chosen codes' tags."""
    if exercise.spec.topic != BACKPROP:
        return f"{code}: {exercise.question_text(parse_question(code, exercise.network))}"
    question = parse_backprop_question(code, exercise.network)
    if question.kind == "matrix":
        layer = exercise.network.layers[question.layer - 1]
        return f"{code}: the gradient matrix ∂L/∂W{question.layer} ({layer.n_in}×{layer.size})"
    return f"{code}: {exercise.blanks(question)[0].label}"


def default_questions_text(topic: str) -> str:
    """What the exercise asks when the instructor chooses no questions."""
    if topic == BACKPROP:
        return (
            "the loss, an output and a hidden neuron's δ, the output layer's gradient matrix, a weight's "
            "gradient and a weight or bias after the update"
        )
    return "a weight's contribution, a hidden neuron's z and a, a layer, the output"
