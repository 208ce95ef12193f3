"""Printable worksheets of any topic (mlpsim.workshop.topics): K exercises, each on one A4 page with its network (a diagram and the
tables), its questions with answer boxes and a working area of at least a third of the page; then
(from a new page) an answer key with the accepted range, the unrounded value and the full worked
solution of every answer. HTML (print CSS) or Markdown.

Exercise i (1-based) of a sheet made with seed N is the exercise of seed N + i − 1, so the same
exercise can be opened in the app's Workshop page with that seed and difficulty.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from mlpsim.core.activations import REGISTRY
from mlpsim.core.errors import ValidationError
from mlpsim.core.network import Network, neuron_name
from mlpsim.core.numbertext import number
from mlpsim.explain.notation import markdown_escape
from mlpsim.render.graph import layer_positions
from mlpsim.workshop.answers import Blank, display_answer, tolerance
from mlpsim.workshop.exercise import ExerciseSpec, make_exercise
from mlpsim.workshop.topic import MAX_SEED, Exercise
from mlpsim.workshop.topics import DEFAULT_TOPIC, TOPICS, checked_topic

MAX_COUNT = 30
LETTERS = "abcdefghijklmnopqrstuvwxyz"
MAX_TITLE_CHARS = 200


@dataclass(frozen=True, eq=False)
class Worksheet:
    title: str
    seed: int
    difficulty: str
    exercises: tuple[Exercise[Any], ...]
    topic: str = DEFAULT_TOPIC

    @property
    def activations(self) -> tuple[str, ...]:
        """Every activation some layer of some exercise uses, in the order the registry lists them."""
        used = {layer.activation for exercise in self.exercises for layer in exercise.network.layers}
        return tuple(name for name in REGISTRY if name in used)


def build_worksheet(
    seed: int, difficulty: str, count: int = 3, title: str | None = None, topic: str = DEFAULT_TOPIC
) -> Worksheet:
    """The exercises of seeds seed .. seed+count−1. Raises ValidationError on bad arguments."""
    checked_topic(topic).checked_difficulty(difficulty)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise ValidationError(f"count {count!r}: expected a whole number from 1 to {MAX_COUNT}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED - count + 1:
        raise ValidationError(f"seed {seed!r}: expected a whole number from 0 to {MAX_SEED - count + 1}")
    title = f"{TOPICS[topic].sheet_kind} worksheet ({difficulty}, seed {seed})" if title is None else title
    if len(title) > MAX_TITLE_CHARS:
        raise ValidationError(f"title: at most {MAX_TITLE_CHARS} characters, got {len(title)}")
    exercises = tuple(make_exercise(ExerciseSpec(seed + i, difficulty, topic=topic)) for i in range(count))
    return Worksheet(title=title, seed=seed, difficulty=difficulty, exercises=exercises, topic=topic)


def weight_rows(network: Network, position: int) -> tuple[list[str], list[list[str]]]:
    """Header and rows of W{position} (into layer ``position``, 1..L) as the seed writes it:
    row = source neuron, column = target, with a final row of biases."""
    params = network.layers[position - 1]
    header = [f"W{position}"] + [neuron_name(position, j) for j in range(params.size)]
    rows = [[neuron_name(position - 1, i)] + [number(w) for w in params.weights[i]] for i in range(params.n_in)]
    rows.append([f"b{position}"] + [number(b) for b in params.bias])
    return header, rows


def input_rows(network: Network) -> tuple[list[str], list[list[str]]]:
    """Header (input, IN1, IN2, …) and the one row of input values x."""
    return ["input"] + [neuron_name(0, i) for i in range(network.input_size)], [
        ["x"] + [number(v) for v in network.input_values]
    ]


def _lettered(exercise: Exercise[Any]):
    """(letter, Asked) pairs: (a), (b), … as the sheet numbers the questions."""
    return zip(LETTERS, exercise.asked())


def _intro(sheet: Worksheet) -> str:
    return TOPICS[sheet.topic].sheet_intro


def _key_note(sheet: Worksheet) -> str:
    return (
        f"write: the answer to {TOPICS[sheet.topic].answer_rule}; accepted: how far from the exact value an answer is still right; "
        "exact: unrounded."
    )


def _definitions(sheet: Worksheet) -> list[tuple[str, str]]:
    """(name, formula) for every activation on the sheet: ('leaky_relu', 'f(z) = z if z > 0 else 0.01·z');
    a topic that defines derivatives (backprop) adds each one."""
    if TOPICS[sheet.topic].defines_derivatives:
        return [
            (name, f"{REGISTRY[name].formula_text}, {REGISTRY[name].derivative_text}") for name in sheet.activations
        ]
    return [(name, REGISTRY[name].formula_text) for name in sheet.activations]


def exact_text(value: float) -> str:
    """The value unrounded: 15 significant digits, all a float holds reliably (so 0.3 × 0.1 reads
    0.03, not 0.030000000000000002)."""
    return f"{float(value) + 0.0:.15g}"


def accepted_text(blank: Blank) -> str:
    """'±0.005': how far from the exact value an answer is still right, rounded up to 2
    significant figures so the key never claims less than the check accepts."""
    allowed = tolerance(blank)
    unit = 10.0 ** (math.floor(math.log10(allowed)) - 1)
    return f"±{math.ceil(allowed / unit - 1e-9) * unit:.2g}"


def _answer_rows(exercise: Exercise[Any]) -> list[list[str]]:
    """One row per answer box: '(a) label', the value as the learner should write it, the
    accepted distance and the unrounded value."""
    return [
        [f"({letter}) {blank.label}", display_answer(blank), accepted_text(blank), exact_text(blank.expected)]
        for letter, question in _lettered(exercise)
        for blank in question.blanks
    ]


KEY_HEADER = ["answer", "write", "accepted", "exact"]


def _link_text(exercise: Exercise[Any]) -> str:
    topic = f"topic={exercise.spec.topic}, " if exercise.spec.topic != DEFAULT_TOPIC else ""
    return f"Workshop page, {topic}seed={exercise.spec.seed}, difficulty={exercise.spec.difficulty}"


# ---- the diagram --------------------------------------------------------------------------------

COLUMN_GAP_MM = 16.0
NEURON_GAP_MM = 8.0
NEURON_RADIUS_MM = 3.4
SIDE_ROOM_MM = 7.5
"""Room left and right of the outer columns for their labels."""
LABEL_ROOM_MM = 7.5
"""Room under the columns for two lines of label (layer, activation)."""


def network_svg(network: Network) -> str:
    """The network as a small vector drawing (SVG sized in mm, so it prints to scale and
    crisply): one circle per neuron named as in the tables, one line per weight, each column
    labelled with its layer and activation. The layout is the app diagram's
    (mlpsim.render.graph.layer_positions: columns left to right, neuron 1 at the top)."""
    e = html.escape
    sizes = network.layer_sizes
    span = (max(sizes) - 1) * NEURON_GAP_MM  # layer_positions puts the tallest column on y ∈ [-0.5, 0.5]
    top = NEURON_RADIUS_MM + 0.5
    columns = [
        [(SIDE_ROOM_MM + x * COLUMN_GAP_MM, top + (0.5 - y) * span) for x, y in column]
        for column in layer_positions(sizes)
    ]
    width = 2 * SIDE_ROOM_MM + (len(sizes) - 1) * COLUMN_GAP_MM
    label_y = top + span + NEURON_RADIUS_MM + 3.0
    height = top + span + NEURON_RADIUS_MM + LABEL_ROOM_MM
    edges = "".join(
        f"<line x1='{x1:.2f}' y1='{y1:.2f}' x2='{x2:.2f}' y2='{y2:.2f}'/>"
        for sources, targets in pairwise(columns)
        for x1, y1 in sources
        for x2, y2 in targets
    )
    circles = "".join(
        f"<circle cx='{x:.2f}' cy='{y:.2f}' r='{NEURON_RADIUS_MM}'/>" for column in columns for x, y in column
    )
    names = "".join(
        f"<text x='{x:.2f}' y='{y + 0.85:.2f}'>{e(neuron_name(position, index))}</text>"
        for position, column in enumerate(columns)
        for index, (x, y) in enumerate(column)
    )
    labels = "".join(
        f"<text x='{column[0][0]:.2f}' y='{label_y:.2f}'>{e(network.layer_title(position))}</text>"
        + (
            f"<text x='{column[0][0]:.2f}' y='{label_y + 2.9:.2f}'>{e(network.layers[position - 1].activation)}</text>"
            if position
            else ""
        )
        for position, column in enumerate(columns)
    )
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width:.1f}mm' height='{height:.1f}mm' "
        f"viewBox='0 0 {width:.2f} {height:.2f}' role='img' aria-label='network {'-'.join(map(str, sizes))}'>"
        f"<g stroke='#888' stroke-width='0.25'>{edges}</g>"
        f"<g fill='#fff' stroke='#222' stroke-width='0.3'>{circles}</g>"
        f"<g font-size='2.4' text-anchor='middle' fill='#111'>{names}</g>"
        f"<g font-size='2.4' text-anchor='middle' fill='#333'>{labels}</g></svg>"
    )


# ---- HTML -------------------------------------------------------------------------------------

PAGE_HEIGHT_MM = 297
PAGE_MARGIN_MM = (12, 14)
"""Top/bottom and left/right margins of an A4 page."""
CONTENT_HEIGHT_MM = PAGE_HEIGHT_MM - 2 * PAGE_MARGIN_MM[0]
WORK_HEIGHT_MM = PAGE_HEIGHT_MM / 3
"""The working area is at least a third of the page."""

PRINT_CSS = f"""
@page {{ size: A4; margin: {PAGE_MARGIN_MM[0]}mm {PAGE_MARGIN_MM[1]}mm; }}
body {{ font-family: "DejaVu Sans", Arial, sans-serif; font-size: 9pt; color: #111; margin: 0 auto;
       max-width: 182mm; line-height: 1.3; }}
.sheet-head {{ display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 0 6mm; }}
h1 {{ font-size: 13pt; margin: 0 0 1mm; }}
h2 {{ font-size: 12pt; margin: 0 0 1.5mm; border-bottom: 1px solid #999; }}
h2 .where {{ font-size: 8pt; font-weight: normal; color: #444; float: right; margin-top: 1.2mm; }}
h3 {{ font-size: 8pt; margin: 0 0 0.8mm; font-weight: bold; line-height: 1.2; }}
p.note {{ font-size: 8pt; color: #222; margin: 0 0 1.2mm; }}
.rate {{ margin: 0.8mm 0 0; font-weight: bold; }}
.definitions span {{ white-space: nowrap; margin-left: 4mm; }}
/* one printed page per exercise: its block fills the page, the working area takes what is left */
.page {{ min-height: {CONTENT_HEIGHT_MM - 2}mm; display: flex; flex-direction: column;
         break-after: page; page-break-after: always; }}
.exercise {{ flex: 1 0 auto; display: flex; flex-direction: column; margin-top: 2mm;
             break-inside: avoid; page-break-inside: avoid; }}
.network {{ display: flex; flex-wrap: wrap; align-items: flex-start; gap: 2mm 4mm; margin: 0.5mm 0 2mm; }}
.diagram {{ margin: 0 0 1.5mm; }}
.diagram svg {{ display: block; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #555; padding: 0.4mm 1.3mm; text-align: right; font-variant-numeric: tabular-nums; }}
th {{ background: #eee; font-weight: bold; }}
.questions {{ margin: 0 0 2mm; }}
.question {{ display: flex; flex-wrap: wrap; align-items: center; gap: 1mm 3mm; padding: 0.8mm 0;
             border-bottom: 1px dotted #bbb; break-inside: avoid; }}
.question .text {{ flex: 1 1 70mm; }}
.answers {{ display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 1mm 3mm; margin-left: auto; }}
.answers span {{ white-space: nowrap; font-size: 8.5pt; }}
.blank {{ display: inline-block; width: 22mm; height: 6.5mm; border: 1px solid #333; margin-left: 1.2mm;
          vertical-align: middle; }}
.work {{ flex: 1 0 auto; min-height: {WORK_HEIGHT_MM:.0f}mm; border: 1px solid #999; border-radius: 1mm;
         font-size: 8pt; color: #777; padding: 1mm 2mm; box-sizing: border-box; }}
.answer-key {{ break-before: page; page-break-before: always; }}
.answer-key h2 {{ margin-top: 4mm; }}
.answer-key h3 {{ margin-top: 2mm; }}
h2, h3 {{ break-after: avoid; page-break-after: avoid; }}
.answers-table td:first-child {{ text-align: left; }}
/* the key's worked sums two to a row, each kept whole */
.working {{ display: inline-block; width: 49%; vertical-align: top; break-inside: avoid; page-break-inside: avoid; }}
.working h4 {{ font-size: 8pt; margin: 1.5mm 0 0.3mm; }}
.working ul {{ margin: 0 0 1mm; padding-left: 4mm; font-size: 7.5pt; }}
pre {{ font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; white-space: pre-wrap; margin: 1mm 0 3mm;
      background: #f6f6f6; padding: 2mm; }}
@media screen {{ .page {{ border-bottom: 2px dashed #ccc; margin-bottom: 6mm; padding-bottom: 4mm; }} }}
@media print {{ body {{ max-width: none; }} }}
"""


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]], css_class: str = "") -> str:
    e = html.escape
    head = "".join(f"<th>{e(cell)}</th>" for cell in header)
    body = "".join(
        "<tr><th>" + e(row[0]) + "</th>" + "".join(f"<td>{e(c)}</td>" for c in row[1:]) + "</tr>" for row in rows
    )
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<table{attribute}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_network(exercise: Exercise[Any]) -> str:
    """The diagram with the input table (and what else the exercise gives: a backprop task's
    target and η) under it, then every layer's weights and biases."""
    e = html.escape
    network = exercise.network
    target = "".join(_html_table(table.header, table.rows) for table in exercise.given_tables()) + "".join(
        f"<p class='note rate'>{e(note)}</p>" for note in exercise.given_notes()
    )
    parts = [
        f"<div class='picture'><figure class='diagram'>{network_svg(network)}</figure>"
        + _html_table(*input_rows(network))
        + target
        + "</div>"
    ]
    for k, params in enumerate(network.layers, start=1):
        parts.append(
            f"<div class='table'><h3>W{k}, b{k} → {e(network.layer_title(k))}<br>activation {e(params.activation)}</h3>"
            + _html_table(*weight_rows(network, k))
            + "</div>"
        )
    return "<div class='network'>" + "".join(parts) + "</div>"


def _html_exercise(number_: int, exercise: Exercise[Any]) -> str:
    e = html.escape
    out = [
        "<section class='exercise'>",
        f"<h2>Exercise {number_}<span class='where'>{e(_link_text(exercise))}</span></h2>",
        _html_network(exercise),
        "<div class='questions'>",
    ]
    for letter, question in _lettered(exercise):
        boxes = "".join(f"<span>{e(blank.label)} =<span class='blank'></span></span>" for blank in question.blanks)
        out.append(
            f"<div class='question'><span class='text'><b>({letter})</b> {e(question.text)}</span>"
            f"<span class='answers'>{boxes}</span></div>"
        )
    out.append("</div><div class='work'>Working</div></section>")
    return "".join(out)


def worksheet_html(sheet: Worksheet) -> str:
    """A standalone HTML page: the instructions, one A4 page per exercise, then the answer key
    from a new page."""
    e = html.escape
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(sheet.title)}</title><style>{PRINT_CSS}</style></head><body>",
        "<div class='page'>",
        f"<div class='sheet-head'><h1>{e(sheet.title)}</h1>",
        "<p class='note'>Name: ________________ &nbsp; Date: __________</p></div>",
        f"<p class='note'>{e(_intro(sheet))}</p>",
        "<p class='note definitions'><b>Activations on this sheet:</b> "
        + "".join(f"<span><b>{e(name)}</b>: {e(formula)}</span>" for name, formula in _definitions(sheet))
        + "</p>",
    ]
    for number_, exercise in enumerate(sheet.exercises, start=1):
        out.append(("" if number_ == 1 else "<div class='page'>") + _html_exercise(number_, exercise) + "</div>")
    out.append(f"<section class='answer-key'><h1>Answer key: {e(sheet.title)}</h1>")
    out.append(f"<p class='note'>{e(_key_note(sheet))}</p>")
    for number_, exercise in enumerate(sheet.exercises, start=1):
        out.append(f"<h2>Exercise {number_}</h2>")
        out.append(_html_table(KEY_HEADER, _answer_rows(exercise), "answers-table"))
        out.append("<h3>Worked solution</h3>")
        out.extend(exercise.worked_solution_html())
    out.append("</section></body></html>")
    return "\n".join(out)


# ---- Markdown ---------------------------------------------------------------------------------


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cell = lambda text: text.replace("|", r"\|")  # noqa: E731
    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def worksheet_markdown(sheet: Worksheet) -> str:
    """The same worksheet in Markdown (without the diagram); the answer key follows an HTML
    page-break marker."""
    out = [
        f"# {markdown_escape(sheet.title)}",
        "",
        "Name: ______________________   Date: ____________",
        "",
        _intro(sheet),
        "",
        "Activations on this sheet:",
        "",
        *[f"- {name}: {formula}" for name, formula in _definitions(sheet)],
        "",
    ]
    for number_, exercise in enumerate(sheet.exercises, start=1):
        network = exercise.network
        out += [f"## Exercise {number_}", "", f"*{_link_text(exercise)}*", ""]
        out += [_md_table(*input_rows(network)), ""]
        for table in exercise.given_tables():
            out += [_md_table(table.header, table.rows), ""]
        for note in exercise.given_notes():
            out += [note, ""]
        for k, params in enumerate(network.layers, start=1):
            header, rows = weight_rows(network, k)
            out += [
                f"**Layer {k} ({markdown_escape(network.layer_title(k))}), activation {params.activation}**",
                "",
                _md_table(header, rows),
                "",
            ]
        for letter, question in _lettered(exercise):
            out.append(f"({letter}) {question.text}")
            out.append("")
            out += [f"- {blank.label} = ______________" for blank in question.blanks]
            out.append("")
    out += ['<div style="page-break-before: always"></div>', "", f"# Answer key: {markdown_escape(sheet.title)}", ""]
    for number_, exercise in enumerate(sheet.exercises, start=1):
        out += [f"## Exercise {number_}", ""]
        out += [_md_table(KEY_HEADER, _answer_rows(exercise)), ""]
        out += ["Worked solution:", ""]
        out += exercise.worked_solution_markdown()
    return "\n".join(out)


FORMATS = {".html": worksheet_html, ".htm": worksheet_html, ".md": worksheet_markdown}


def render_worksheet(sheet: Worksheet, suffix: str) -> str:
    """The worksheet in the format a file suffix names (.html, .htm or .md)."""
    if suffix.lower() not in FORMATS:
        raise ValidationError(f"worksheet format {suffix or '(none)'!r}: the file name must end in .html or .md")
    return FORMATS[suffix.lower()](sheet)
