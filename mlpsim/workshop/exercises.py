"""Pen-and-paper exercises: a small network generated from a seed and a difficulty, questions
about its forward pass, answer checking with a stated tolerance, and the link that describes it.

An exercise is fully described by (seed, difficulty, questions, lock), so one link gives a whole
room the same network. Numbers are small integers or have one decimal place. Sigmoid and tanh
appear only in the output layer, so every hidden value is an exact decimal; a leaky ReLU's
0.01·z gives it up to 7 places on hard sheets, so the learner is told to carry 4.

Tolerance (stated to the learner): an answer is right when it is within what writing it to 2
decimal places allows (0.005) — for a sigmoid or tanh value, 3 significant figures (half a unit
in the third) — plus the most that carrying every earlier product, z and a rounded to 4 decimals
can move it (``carried`` on each Blank, bounded layer by layer; 0 when every earlier value is
exact at 4 decimals, as every hidden value on easy and medium sheets is).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from mlpsim.core.activations import REGISTRY
from mlpsim.core.errors import ValidationError
from mlpsim.core.forward import ForwardResult, forward
from mlpsim.core.network import Layer, Network, neuron_name, weight_name
from mlpsim.core.numbertext import number, read_number
from mlpsim.explain.arithmetic import LayerWorking, NeuronWorking, layer_working, neuron_working

ROUNDING_TOLERANCE = 0.005
"""Half a unit in the second decimal place: an answer rounded to 2 decimals is accepted."""
SIGNIFICANT_FIGURES = 3
"""Values of a curved activation (sigmoid, tanh: the registry's ``curved``) are checked to this
many significant figures."""
CARRIED_DECIMALS = 4
"""The learner carries every product, z and a to the next step with this many decimal places."""
CARRY_ERROR = 0.5 * 10.0**-CARRIED_DECIMALS
"""The most one rounding to CARRIED_DECIMALS changes a value."""
CARRY_TEXT = (
    "Carry every product, z and a to the next step with 4 decimal places (or exactly); round only "
    "what you write in a box."
)
ANSWER_TEXT = (
    "An answer is right to 2 decimal places (for 1.254, both 1.25 and 1.254 are right, 1.3 is not); "
    "a sigmoid or tanh value to 3 significant figures (0.731 for 0.73106, not 0.73). Where carrying "
    "4 decimals can change an answer, that much more is accepted."
)
TOLERANCE_TEXT = f"{CARRY_TEXT} {ANSWER_TEXT} A decimal comma (1,5) is read as 1.5, and you are told when it is."
MAX_SEED = 2**32 - 1
MAX_QUESTIONS = 20


@dataclass(frozen=True)
class Difficulty:
    """What a difficulty promises: layer sizes to choose from, number ranges (inclusive, on a grid
    of ``step``) and the activations that may appear."""

    name: str
    sizes: tuple[tuple[int, ...], ...]
    input_range: tuple[float, float]
    weight_range: tuple[float, float]
    bias_range: tuple[float, float]
    step: float
    hidden_activations: tuple[str, ...]
    output_activations: tuple[str, ...]
    description: str


DIFFICULTIES: dict[str, Difficulty] = {
    "easy": Difficulty(
        name="easy",
        sizes=((2, 2, 1), (2, 3, 1)),
        input_range=(0, 3),
        weight_range=(-3, 3),
        bias_range=(-2, 2),
        step=1,
        hidden_activations=("relu",),
        output_activations=("linear", "relu"),
        description="2 inputs, one hidden layer of 2–3; whole numbers: inputs 0…3, weights −3…3, "
        "biases −2…2; ReLU, output linear or ReLU",
    ),
    "medium": Difficulty(
        name="medium",
        sizes=((2, 3, 2), (3, 3, 2), (3, 2, 2)),
        input_range=(-1, 1),
        weight_range=(-4, 4),
        bias_range=(-1, 1),
        step=0.1,
        hidden_activations=("relu", "linear"),
        output_activations=("linear", "relu", "sigmoid"),
        description="2–3 inputs, one hidden layer of 2–3, 2 outputs; one decimal place: inputs "
        "−1…1, weights −4…4, biases −1…1; ReLU or linear, output linear, ReLU or sigmoid",
    ),
    "hard": Difficulty(
        name="hard",
        sizes=((3, 4, 2), (3, 3, 3, 2), (2, 3, 3, 2)),
        input_range=(-2, 2),
        weight_range=(-2, 2),
        bias_range=(-1, 1),
        step=0.1,
        hidden_activations=("relu", "leaky_relu", "linear"),
        output_activations=("sigmoid", "tanh"),
        description="2–3 inputs, one or two hidden layers of 3–4, 2 outputs; one decimal place: "
        "inputs −2…2, weights −2…2, biases −1…1; ReLU, leaky ReLU or linear, output sigmoid or tanh",
    ),
}

_ATTEMPTS = 200
"""Redraws allowed to avoid a dull network (a ReLU layer whose neurons all output 0)."""


def _grid(rng: np.random.Generator, low: float, high: float, step: float, shape) -> np.ndarray:
    """Uniform draws from low, low+step, ..., high, rounded so 0.1-steps print as one decimal."""
    count = int(round((high - low) / step)) + 1
    values = low + rng.integers(0, count, size=shape) * step
    return np.round(values, 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def generate_network(seed: int, difficulty: str) -> Network:
    """The exercise network for (seed, difficulty); the same pair always gives the same network."""
    spec = checked_difficulty(difficulty)
    seed = _checked_seed(seed)
    rng = np.random.default_rng([seed, list(DIFFICULTIES).index(spec.name)])
    for _ in range(_ATTEMPTS):
        network = _draw_network(rng, spec, seed)
        if _is_interesting(network):
            return network
    return network


def _draw_network(rng: np.random.Generator, spec: Difficulty, seed: int) -> Network:
    sizes = spec.sizes[int(rng.integers(len(spec.sizes)))]
    layers = []
    for k in range(1, len(sizes)):
        last = k == len(sizes) - 1
        choices = spec.output_activations if last else spec.hidden_activations
        layers.append(
            Layer(
                weights=_grid(rng, *spec.weight_range, spec.step, (sizes[k - 1], sizes[k])),
                bias=_grid(rng, *spec.bias_range, spec.step, (sizes[k],)),
                activation=choices[int(rng.integers(len(choices)))],
            )
        )
    return Network(
        input_size=sizes[0],
        layers=tuple(layers),
        input_values=_grid(rng, *spec.input_range, spec.step, (sizes[0],)),
        name=f"Exercise {seed} ({spec.name})",
    )


CURVED_Z_LIMIT = 3.0
"""Sigmoid/tanh outputs are drawn with |z| ≤ this, so their values are not all 0, 1 or ±1."""


def _is_interesting(network: Network) -> bool:
    """Some input is not 0, every hidden layer has a neuron with z > 0, and a sigmoid/tanh
    output layer is not saturated."""
    result = forward(network)
    if not np.any(network.input_values):
        return False
    if REGISTRY[network.layers[-1].activation].curved and np.any(np.abs(result.z[-1]) > CURVED_Z_LIMIT):
        return False
    return all(np.any(result.z[k] > 0) for k in range(len(network.layers) - 1))


def checked_difficulty(name: str) -> Difficulty:
    """The Difficulty called ``name``; ValidationError listing the choices otherwise."""
    if name not in DIFFICULTIES:
        raise ValidationError(f"difficulty {name!r}: choose one of {', '.join(DIFFICULTIES)}")
    return DIFFICULTIES[name]


def _checked_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        raise ValidationError(f"seed {seed!r}: expected a whole number from 0 to {MAX_SEED}")
    return int(seed)


# ---- questions ----------------------------------------------------------------------------------

_CODE = re.compile(r"^(?:(z|a)(\d{1,2})\.(\d{1,4})|L(\d{1,2})|out|w(\d{1,2})\.(\d{1,4})\.(\d{1,4}))$")


@dataclass(frozen=True)
class Question:
    """One thing the learner is asked. ``layer`` is 1-based (W1 is layer 1); ``neuron`` and
    ``row`` are 0-based. kind 'w' asks for W{layer}[row+1, neuron+1] × x_row."""

    kind: str
    layer: int = 0
    neuron: int = 0
    row: int = 0

    @property
    def code(self) -> str:
        """Short form used in links: z1.2, a1.2, L1, out, w1.2.3 (1-based numbers)."""
        if self.kind in ("z", "a"):
            return f"{self.kind}{self.layer}.{self.neuron + 1}"
        if self.kind == "layer":
            return f"L{self.layer}"
        if self.kind == "out":
            return "out"
        return f"w{self.layer}.{self.row + 1}.{self.neuron + 1}"


def parse_question(code: str, network: Network) -> Question:
    """'z1.2' → Question('z', 1, 1), checked against the network's shape."""
    match = _CODE.match(code.strip())
    if not match:
        raise ValidationError(
            f"question {code!r}: expected z<layer>.<neuron>, a<layer>.<neuron>, L<layer>, out "
            "or w<layer>.<row>.<column>, e.g. z1.2"
        )
    zk, zl, zn, ll, wl, wr, wc = match.groups()
    if zk:
        question = Question(zk, int(zl), int(zn) - 1)
    elif ll:
        question = Question("layer", int(ll))
    elif wl:
        question = Question("w", int(wl), int(wc) - 1, int(wr) - 1)
    else:
        return Question("out", len(network.layers))
    _check_in_network(question, network, code)
    return question


def _check_in_network(question: Question, network: Network, code: str) -> None:
    if not 1 <= question.layer <= len(network.layers):
        raise ValidationError(f"question {code!r}: the network has layers 1..{len(network.layers)} after the input")
    params = network.layers[question.layer - 1]
    if not 0 <= question.neuron < params.size:
        raise ValidationError(f"question {code!r}: layer {question.layer} has neurons 1..{params.size}")
    if question.kind == "w" and not 0 <= question.row < params.n_in:
        raise ValidationError(f"question {code!r}: W{question.layer} has rows 1..{params.n_in}")


def default_questions(network: Network, seed: int) -> tuple[Question, ...]:
    """A weight's contribution, one hidden neuron's z and a, the hidden layer, the output."""
    rng = np.random.default_rng([seed, 7])
    first = network.layers[0]
    neuron = int(rng.integers(first.size))
    rows = np.flatnonzero(network.input_values * first.weights[:, neuron])
    rows = rows if rows.size else np.arange(first.n_in)
    row = int(rows[rng.integers(rows.size)])
    questions = [Question("w", 1, neuron, row), Question("z", 1, neuron), Question("a", 1, neuron)]
    if len(network.layers) > 1:
        questions.append(Question("layer", 1))
    questions.append(Question("out", len(network.layers)))
    return tuple(questions)


@dataclass(frozen=True)
class Blank:
    """One answer box. ``id`` is unique within the exercise (e.g. 'L1.2' for layer 1, neuron 2)."""

    id: str
    label: str
    expected: float
    curved: bool
    """True when the value is a sigmoid or tanh output: checked to 3 significant figures."""
    carried: float = 0.0
    """The most a learner's value can differ from ``expected`` when every earlier product, z and
    a was carried rounded to CARRIED_DECIMALS (see carried_errors): added to the tolerance."""


def question_text(question: Question, network: Network) -> str:
    k = question.layer
    title = network.layer_title(k)
    name = neuron_name(k, question.neuron)
    if question.kind == "z":
        return f"z of {name} in {title} (layer {k}): z = Σ wᵢ·xᵢ + b"
    if question.kind == "a":
        return f"a of {name} in {title} (layer {k}): a = {network.layers[k - 1].activation}(z)"
    if question.kind == "layer":
        return f"every output a of {title} (layer {k}, activation {network.layers[k - 1].activation})"
    if question.kind == "out":
        return f"the network's output: a of every neuron in {title} (activation {network.layers[-1].activation})"
    source = neuron_name(k - 1, question.row)
    return (
        f"the contribution of weight {weight_name(k, question.row, question.neuron)} "
        f"({source} → {name} of {title}): {weight_name(k, question.row, question.neuron)} × {source}"
    )


def blanks(question: Question, network: Network, result: ForwardResult) -> tuple[Blank, ...]:
    """The answer boxes of a question with their exact expected values (from the core) and the
    error carrying 4 decimals can add to each."""
    k = question.layer
    params = network.layers[k - 1]
    curved = REGISTRY[params.activation].curved
    carried = carried_errors(network, result)
    j = question.neuron
    if question.kind == "z":
        return (
            Blank(
                question.code, f"z({neuron_name(k, j)})", float(result.z[k - 1][j]), False, float(carried.z[k - 1][j])
            ),
        )
    if question.kind == "a":
        return (
            Blank(
                question.code, f"a({neuron_name(k, j)})", float(result.a[k - 1][j]), curved, float(carried.a[k - 1][j])
            ),
        )
    if question.kind == "w":
        product = float(params.weights[question.row, j] * result.values(k - 1)[question.row])
        return (
            Blank(
                question.code,
                f"{weight_name(k, question.row, j)} × {neuron_name(k - 1, question.row)}",
                product,
                False,
                float(carried.products[k - 1][question.row, j]),
            ),
        )
    prefix = "out" if question.kind == "out" else f"L{k}"
    return tuple(
        Blank(
            f"{prefix}.{j + 1}",
            f"a({neuron_name(k, j)})",
            float(result.a[k - 1][j]),
            curved,
            float(carried.a[k - 1][j]),
        )
        for j in range(params.size)
    )


def solution_steps(question: Question, network: Network, result: ForwardResult) -> list[str]:
    """The worked arithmetic, one step per entry, ending with the answer (*Show solution*)."""
    k = question.layer
    if question.kind == "w":
        x = result.values(k - 1)[question.row]
        w = network.layers[k - 1].weights[question.row, question.neuron]
        name = weight_name(k, question.row, question.neuron)
        source = neuron_name(k - 1, question.row)
        where = "the input" if k == 1 else f"the output a of {source} in {network.layer_title(k - 1)}"
        return [
            f"{source} is {where}: {source} = {number(x)}; {name} is row {question.row + 1}, column "
            f"{question.neuron + 1} of W{k}: {name} = {number(w)}",
            neuron_working(network, result, k, question.neuron).terms[question.row].line(),
        ]
    if question.kind in ("z", "a"):
        steps = _neuron_steps(network, result, k, question.neuron)
        return steps[:-1] if question.kind == "z" else steps
    return _layer_steps(network, result, k)


def _layer_steps(network: Network, result: ForwardResult, position: int) -> list[str]:
    """Every neuron of layer ``position`` (1..L) worked out, then the layer's matrix form."""
    steps = []
    for j in range(network.layers[position - 1].size):
        steps.extend(_neuron_steps(network, result, position, j))
    steps.append(layer_working(network, result, position).as_text())
    return steps


def _neuron_steps(network: Network, result: ForwardResult, position: int, neuron: int) -> list[str]:
    """The neuron's worked sum (mlpsim.explain.arithmetic), one step per entry: its title, the
    products, Σ wᵢ·xᵢ, z, and a last."""
    working = neuron_working(network, result, position, neuron)
    return [working.title, *("    " + line for line in working.text_lines())]


def forward_pass_workings(network: Network, result: ForwardResult) -> list[NeuronWorking | LayerWorking]:
    """The whole forward pass worked out: every neuron of every layer, then the layer's matrix
    form (each a working that renders itself in text, LaTeX, Markdown and HTML)."""
    workings: list[NeuronWorking | LayerWorking] = []
    for position, layer in enumerate(network.layers, start=1):
        workings.extend(neuron_working(network, result, position, j) for j in range(layer.size))
        workings.append(layer_working(network, result, position))
    return workings


@dataclass(frozen=True)
class Hint:
    """One rung of a question's hint ladder: what it gives (``title``) and its lines of text."""

    title: str
    lines: tuple[str, ...]


def hint_ladder(question: Question, network: Network, result: ForwardResult) -> tuple[Hint, ...]:
    """Hints that lead to the answer without giving it, one rung at a time.

    For a z or a (of one neuron or of every neuron of a layer): the formula with names only, then
    the products wᵢ·xᵢ with their numbers, then their sum Σ wᵢ·xᵢ; adding the bias (and applying
    the activation) is left to the learner. For a weight's contribution w·x: the formula, then the
    two numbers (their product is the answer, so it is only in the solution)."""
    k = question.layer
    if question.kind == "w":
        name = weight_name(k, question.row, question.neuron)
        source = neuron_name(k - 1, question.row)
        where = "the input" if k == 1 else f"the output a of {source} in {network.layer_title(k - 1)}"
        x = result.values(k - 1)[question.row]
        w = network.layers[k - 1].weights[question.row, question.neuron]
        return (
            Hint(
                "the formula",
                (
                    f"{name} × {source}: the weight in row {question.row + 1}, column "
                    f"{question.neuron + 1} of W{k}, times {source} ({where})",
                ),
            ),
            Hint("the numbers", (f"{name} = {number(w)} and {source} = {number(x)}",)),
        )
    neurons = [question.neuron] if question.kind in ("z", "a") else range(network.layers[k - 1].size)
    rungs = [_neuron_rungs(neuron_working(network, result, k, j), question.kind != "z") for j in neurons]
    formulas, products, sums = (tuple(lines) for lines in zip(*rungs))
    return Hint("the formula", formulas), Hint("the products", products), Hint("the sum", sums)


def _neuron_rungs(working: NeuronWorking, with_activation: bool) -> tuple[str, str, str]:
    """One neuron's line on each rung: the formula, the products, their sum."""
    head = f"{working.layer_title} · {working.neuron_name}:"
    activation = f", then a = {working.activation}(z)" if with_activation else ""
    still = f"add {working.bias_name} = {number(working.bias)} for z" + (
        f", then apply {working.activation}" if with_activation else ""
    )
    return (
        f"{head} {working.names_line()}{activation}",
        f"{head} " + ", ".join(term.line() for term in working.terms),
        f"{head} {working.sum_line()}; now {still}",
    )


# ---- the exercise as a whole --------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseSpec:
    """Everything that defines an exercise; this, and only this, goes into a link."""

    seed: int
    difficulty: str
    questions: tuple[str, ...] = ()
    """Question codes; empty = the default questions for this seed."""
    locked: bool = False
    solutions: bool = False
    """The teacher releases *Show solution* in a locked room (an open room always has it)."""
    room: str = ""
    """The room id (ROOM_ID_PATTERN) whose teacher collects the learners' results; '' = none."""

    @property
    def key(self) -> str:
        """Stable identity (used to key answer boxes): same exercise → same key."""
        return f"{self.seed}-{self.difficulty}-{'+'.join(self.questions)}"

    @property
    def shows_solutions(self) -> bool:
        """Whether *Show solution* is offered: always in an open room, in a locked one only when
        the teacher's link says ``solutions=1``."""
        return not self.locked or self.solutions


@dataclass(frozen=True, eq=False)
class Exercise:
    spec: ExerciseSpec
    network: Network
    result: ForwardResult
    questions: tuple[Question, ...]

    def blanks(self, question: Question) -> tuple[Blank, ...]:
        return blanks(question, self.network, self.result)

    def all_blanks(self) -> tuple[Blank, ...]:
        return tuple(blank for question in self.questions for blank in self.blanks(question))

    def question_text(self, question: Question) -> str:
        return question_text(question, self.network)

    def solution_steps(self, question: Question) -> list[str]:
        return solution_steps(question, self.network, self.result)

    def hints(self, question: Question) -> tuple[Hint, ...]:
        return hint_ladder(question, self.network, self.result)

    def forward_pass_workings(self) -> list[NeuronWorking | LayerWorking]:
        return forward_pass_workings(self.network, self.result)


def make_exercise(spec: ExerciseSpec) -> Exercise:
    """Build the exercise a spec describes. Raises ValidationError naming what is wrong."""
    network = generate_network(spec.seed, spec.difficulty)
    if len(spec.questions) > MAX_QUESTIONS:
        raise ValidationError(f"questions: at most {MAX_QUESTIONS}, got {len(spec.questions)}")
    if spec.questions:
        questions = tuple(dict.fromkeys(parse_question(code, network) for code in spec.questions))
    else:
        questions = default_questions(network, spec.seed)
    return Exercise(spec=spec, network=network, result=forward(network), questions=questions)


# ---- link parameters ----------------------------------------------------------------------------

LINK_KEYS = ("seed", "difficulty", "ask", "lock", "solutions", "room")
ROOM_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{16}")
"""A room id: 16 URL-safe characters (secrets.token_urlsafe(12))."""


def spec_to_params(spec: ExerciseSpec) -> dict[str, str]:
    """Query parameters for the Workshop page: seed, difficulty, ask (comma-separated codes),
    lock, solutions, room (each of the last three only when set)."""
    params = {"seed": str(spec.seed), "difficulty": spec.difficulty}
    if spec.questions:
        params["ask"] = ",".join(spec.questions)
    if spec.locked:
        params["lock"] = "1"
    if spec.solutions:
        params["solutions"] = "1"
    if spec.room:
        params["room"] = spec.room
    return params


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = str(params.get(name, "0")).strip().lower()
    if value not in ("0", "1", "true", "false", ""):
        raise ValidationError(f"link parameter {name}={value[:20]!r}: expected 1 or 0")
    return value in ("1", "true")


def spec_from_params(params: Mapping[str, str]) -> ExerciseSpec | None:
    """The exercise a link describes; None when the link has no exercise (no ``seed``).
    Raises ValidationError naming the bad parameter; the questions are checked against the
    generated network."""
    if "seed" not in params:
        return None
    raw_seed = str(params["seed"]).strip()
    if not re.fullmatch(r"[0-9]{1,10}", raw_seed) or int(raw_seed) > MAX_SEED:
        raise ValidationError(f"link parameter seed={raw_seed[:20]!r}: expected a whole number from 0 to {MAX_SEED}")
    difficulty = str(params.get("difficulty", "easy")).strip().lower()
    checked_difficulty(difficulty)
    raw_ask = str(params.get("ask", "")).strip()
    codes = [code.strip() for code in raw_ask.split(",") if code.strip()]
    if len(codes) > MAX_QUESTIONS:
        raise ValidationError(f"link parameter ask: at most {MAX_QUESTIONS} questions, got {len(codes)}")
    locked, solutions = _flag(params, "lock"), _flag(params, "solutions")
    room = str(params.get("room", "")).strip()
    if room and not ROOM_ID_PATTERN.fullmatch(room):
        raise ValidationError(
            f"link parameter room={room[:20]!r}: expected the 16-character room id of the teacher's link"
        )
    network = generate_network(int(raw_seed), difficulty)
    # canonical codes ("z01.1" → "z1.1"), each once, so the link and the page agree on them
    canonical = tuple(dict.fromkeys(parse_question(code[:40], network).code for code in codes))
    return ExerciseSpec(
        seed=int(raw_seed), difficulty=difficulty, questions=canonical, locked=locked, solutions=solutions, room=room
    )


# ---- answers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedAnswer:
    value: float | None
    message: str
    """Why the text is not a number (value None), or a note on how it was read ('' if plainly)."""


def parse_answer(text: str) -> ParsedAnswer:
    """Read a typed answer by mlpsim's one number rule (numbertext.read_number): 1.5, -0.25, .5,
    1e-3, a Unicode minus, and a decimal comma (1,5 → 1.5, with a note saying so). Never raises."""
    shown = str(text).strip()
    if not shown:
        return ParsedAnswer(None, "Type a number here first (for example 0.25 or -1.5).")
    read = read_number(shown)
    if read.value is not None:
        return ParsedAnswer(
            read.value, f"Read “{shown}” as {number(read.value)} (decimal comma)." if read.message else ""
        )
    if shown.count(",") > 1:
        return ParsedAnswer(None, f"“{shown}” has more than one comma: type one number, like 1.5.")
    if "/" in shown:
        return ParsedAnswer(None, f"“{shown}” is a fraction: type it as a decimal, like 0.75.")
    if "beyond the largest number" in read.message:
        return ParsedAnswer(None, f"“{shown}” is too large to be an answer here.")
    return ParsedAnswer(None, f"“{shown}” is not a number: type digits 0-9, with a point for decimals, like -1.25.")


@dataclass(frozen=True)
class CarriedErrors:
    """Per weighted layer k (index k−1): bounds on |learner's value − exact value| for a learner
    who rounds every product, z and a to CARRIED_DECIMALS before using it again. ``products[k-1]``
    is (N_in, M) like W{k}; ``z[k-1]`` and ``a[k-1]`` are (M,)."""

    products: tuple[np.ndarray, ...]
    z: tuple[np.ndarray, ...]
    a: tuple[np.ndarray, ...]


def carried_errors(network: Network, result: ForwardResult) -> CarriedErrors:
    """Worst-case error propagation, layer by layer: a product w·x' is off by |w|·(x's error)
    plus its own rounding; z' = Σ products + b by the sum of those (a sum of 4-decimal numbers
    needs no rounding, and a learner who rounds z instead of each product rounds once, which the
    products' roundings already cover); a' = f(z') by f's steepest slope near z times z's error,
    plus its own rounding. A rounding adds CARRY_ERROR unless the value is exact at 4 decimals
    already (the input and weights have 1 decimal, so layer 1 is exact)."""
    products, zs, activations = [], [], []
    x_error = np.zeros(network.input_size)
    for k, layer in enumerate(network.layers):
        exact_products = layer.weights * result.values(k)[:, None]
        inherited = np.abs(layer.weights) * x_error[:, None]
        product_error = inherited + _rounding_error(exact_products, inherited)
        z, z_error = result.z[k], product_error.sum(axis=0)
        activation = REGISTRY[layer.activation]
        moved = activation.slope_bound(z - z_error, z + z_error) * z_error
        a_error = moved + np.where(
            activation.keeps_decimals(z - z_error, z + z_error), 0.0, _rounding_error(result.a[k], moved)
        )
        products.append(product_error)
        zs.append(z_error)
        activations.append(a_error)
        x_error = a_error
    return CarriedErrors(tuple(products), tuple(zs), tuple(activations))


def _rounding_error(exact: np.ndarray, inherited: np.ndarray) -> np.ndarray:
    """What rounding a learner's value to CARRIED_DECIMALS can add: nothing when it is exact
    (no inherited error) and already has at most CARRIED_DECIMALS places."""
    scaled = np.asarray(exact) * 10.0**CARRIED_DECIMALS
    on_grid = np.abs(scaled - np.round(scaled)) <= 1e-6 * np.maximum(1.0, np.abs(scaled))
    return np.where(on_grid & (inherited == 0), 0.0, CARRY_ERROR)


def tolerance(blank: Blank) -> float:
    """How far an answer may be from the exact value and still be right: what writing it allows
    (half a unit in the 2nd decimal, or in the 3rd significant figure of a sigmoid or tanh value)
    plus what carrying 4 decimals can have moved it."""
    if blank.curved and blank.expected != 0:
        # the learner rounds their own value, which can be up to ``carried`` larger in size
        exponent = math.floor(math.log10(abs(blank.expected) + blank.carried))
        return 0.5 * 10.0 ** (exponent - SIGNIFICANT_FIGURES + 1) + blank.carried
    return ROUNDING_TOLERANCE + blank.carried


def display_answer(blank: Blank) -> str:
    """The expected value as the learner should write it: 2 decimals, or 3 significant figures."""
    if blank.curved and blank.expected != 0:
        return f"{blank.expected:#.{SIGNIFICANT_FIGURES}g}".rstrip(".")  # 0.540, not 0.54
    return (
        number(round(blank.expected, 2) + 0.0)
        if abs(blank.expected - round(blank.expected, 2)) > 1e-12
        else number(blank.expected)
    )


@dataclass(frozen=True)
class Feedback:
    status: str
    """'right', 'wrong', 'close' (right to 2 decimals but a sigmoid/tanh value needs 3
    significant figures) or 'invalid' (not a number)."""
    message: str
    value: float | None

    @property
    def correct(self) -> bool:
        return self.status == "right"


def check_answer(blank: Blank, text: str) -> Feedback:
    """Check a typed answer against a blank, with the stated tolerance. Never raises."""
    parsed = parse_answer(text)
    if parsed.value is None:
        return Feedback("invalid", f"{blank.label}: {parsed.message}", None)
    note = f"{parsed.message} " if parsed.message else ""
    # a tiny relative slack so that 0.1 + 0.2-style float noise never rejects an exact answer
    slack = 1e-9 * max(1.0, abs(blank.expected))
    error = abs(parsed.value - blank.expected)
    if error <= tolerance(blank) + slack:
        return Feedback("right", f"{note}Right: {blank.label} = {display_answer(blank)}", parsed.value)
    if blank.curved and abs(parsed.value - round(blank.expected, 2)) <= slack:
        return Feedback(
            "close",
            f"{note}Close, but {blank.label} is a sigmoid or tanh value: give 3 significant figures.",
            parsed.value,
        )
    return Feedback("wrong", f"{note}Not quite: {number(parsed.value)} is not {blank.label}. Try a hint.", parsed.value)


# ---- scoring -----------------------------------------------------------------------------------

AFTER_SOLUTION_NOTE = "Checked after this question's solution was shown: not counted in the score."


@dataclass(frozen=True)
class ScoredAnswer:
    """The last scored check of one answer box (a check of something that is not a number is not
    scored)."""

    correct: bool
    after_solution: bool
    """The question's solution had been shown when this answer was checked."""

    @property
    def counts(self) -> bool:
        """Right, and given before the solution was shown: only these count toward the score."""
        return self.correct and not self.after_solution


def rescored(previous: ScoredAnswer | None, correct: bool, solution_shown: bool) -> ScoredAnswer:
    """The box's record after a check. An answer checked once its question's solution is shown
    does not count; re-checking a right answer that already counted keeps it counted."""
    if previous is not None and previous.counts and correct:
        return previous
    return ScoredAnswer(correct=correct, after_solution=solution_shown)


@dataclass(frozen=True)
class Score:
    right: int
    """Answers right and given before their solution was shown."""
    checked: int
    right_after_solution: int
    """Answers right, but checked after their solution was shown (not in ``right``)."""

    def text(self) -> str:
        text = f"Score this session: {self.right} of {self.checked} checked answers right"
        if self.right_after_solution:
            text += f" ({self.right_after_solution} more right after the solution was shown: not counted)"
        return text


def score(records: Mapping[str, ScoredAnswer]) -> Score:
    """The score over answer boxes (blank key → its record)."""
    return Score(
        right=sum(1 for record in records.values() if record.counts),
        checked=len(records),
        right_after_solution=sum(1 for record in records.values() if record.correct and record.after_solution),
    )


@dataclass(frozen=True)
class QuestionResult:
    """One learner's standing on one question, as the teacher sees it."""

    question: str
    """The question's code (z1.2, out, ...)."""
    blanks: int
    right: int
    """Answer boxes right before the solution was shown (these count)."""
    right_after_solution: int
    hints: int
    """Hint rungs the learner revealed."""
    solution_shown: bool

    @property
    def solved(self) -> bool:
        return self.right == self.blanks

    @property
    def solved_after_solution(self) -> bool:
        """Every box right, but some only after the solution was shown."""
        return not self.solved and self.right + self.right_after_solution == self.blanks


def question_result(
    question: Question,
    blank_ids: tuple[str, ...],
    records: Mapping[str, ScoredAnswer],
    hints: int,
    solution_shown: bool,
) -> QuestionResult:
    """``records`` maps a blank id of this question to its record (boxes never checked are absent)."""
    mine = [records[blank_id] for blank_id in blank_ids if blank_id in records]
    return QuestionResult(
        question=question.code,
        blanks=len(blank_ids),
        right=sum(1 for record in mine if record.counts),
        right_after_solution=sum(1 for record in mine if record.correct and record.after_solution),
        hints=hints,
        solution_shown=solution_shown,
    )
