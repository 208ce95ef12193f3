"""Printable worksheets: K exercises with their networks as tables and space for answers, then
(after a page break) an answer key with the full worked solutions. HTML (print CSS) or Markdown.

Exercise i (1-based) of a sheet made with seed N is the exercise of seed N + i − 1, so the same
exercise can be opened in the app's Workshop page with that seed and difficulty.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from mlpsim.arithmetic import number
from mlpsim.errors import ValidationError
from mlpsim.exercises import (
    DIFFICULTIES,
    MAX_SEED,
    TOLERANCE_TEXT,
    Exercise,
    ExerciseSpec,
    checked_difficulty,
    display_answer,
    make_exercise,
)
from mlpsim.network import Network, neuron_name

MAX_COUNT = 30
LETTERS = "abcdefghijklmnopqrstuvwxyz"
MAX_TITLE_CHARS = 200


@dataclass(frozen=True, eq=False)
class Worksheet:
    title: str
    seed: int
    difficulty: str
    exercises: tuple[Exercise, ...]


def build_worksheet(seed: int, difficulty: str, count: int = 3, title: str | None = None) -> Worksheet:
    """The exercises of seeds seed .. seed+count−1. Raises ValidationError on bad arguments."""
    checked_difficulty(difficulty)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise ValidationError(f"count {count!r}: expected a whole number from 1 to {MAX_COUNT}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED - count + 1:
        raise ValidationError(f"seed {seed!r}: expected a whole number from 0 to {MAX_SEED - count + 1}")
    title = f"Forward-pass worksheet ({difficulty}, seed {seed})" if title is None else title
    if len(title) > MAX_TITLE_CHARS:
        raise ValidationError(f"title: at most {MAX_TITLE_CHARS} characters, got {len(title)}")
    exercises = tuple(make_exercise(ExerciseSpec(seed + i, difficulty)) for i in range(count))
    return Worksheet(title=title, seed=seed, difficulty=difficulty, exercises=exercises)


def weight_rows(network: Network, layer: int) -> tuple[list[str], list[list[str]]]:
    """Header and rows of W{layer} as the seed writes it: row = source neuron, column = target,
    with a final row of biases."""
    params = network.layers[layer - 1]
    header = [f"W{layer}"] + [neuron_name(layer, j) for j in range(params.size)]
    rows = [
        [neuron_name(layer - 1, i)] + [number(w) for w in params.weights[i]] for i in range(params.n_in)
    ]
    rows.append([f"b{layer}"] + [number(b) for b in params.bias])
    return header, rows


def _lettered(exercise: Exercise):
    """(letter, question) pairs: (a), (b), … as the sheet numbers them."""
    return zip(LETTERS, exercise.questions)


def _intro_text(sheet: Worksheet) -> str:
    return (
        f"Difficulty {sheet.difficulty}: {DIFFICULTIES[sheet.difficulty].description}. Weights: row = source "
        "neuron, column = target neuron; z = Σ wᵢ·xᵢ + b, a = f(z). " + TOLERANCE_TEXT.split(" A decimal comma")[0]
    )


def _answer_rows(exercise: Exercise) -> list[list[str]]:
    """One row per answer box: '(a) label', the value as the learner should write it, the exact value."""
    return [
        [f"({letter}) {blank.label}", display_answer(blank), number(blank.expected)]
        for letter, question in _lettered(exercise)
        for blank in exercise.blanks(question)
    ]


def _worked_solution(exercise: Exercise) -> list[str]:
    """Each weight-contribution answer's last line ('W1[2,1] × IN2 = 0.3 × -0.1 = -0.03'), then
    the whole forward pass worked out."""
    contributions = [exercise.solution_steps(q)[-1] for q in exercise.questions if q.kind == "w"]
    return contributions + exercise.forward_pass_steps()


def _link_text(exercise: Exercise) -> str:
    return f"Workshop page, seed={exercise.spec.seed}, difficulty={exercise.spec.difficulty}"


# ---- HTML -------------------------------------------------------------------------------------

PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11pt; color: #111; margin: 0 auto;
       max-width: 180mm; line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 4pt; }
h2 { font-size: 13pt; margin: 14pt 0 4pt; border-bottom: 1px solid #999; }
h3 { font-size: 11pt; margin: 8pt 0 3pt; }
p.note { font-size: 9.5pt; color: #333; margin: 2pt 0 6pt; }
table { border-collapse: collapse; margin: 3pt 10pt 6pt 0; display: inline-table; vertical-align: top; }
th, td { border: 1px solid #555; padding: 2pt 7pt; text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eee; }
.network { margin-bottom: 4pt; }
.question { margin: 5pt 0; break-inside: avoid; }
.blank { display: inline-block; min-width: 38mm; height: 7mm; border: 1px solid #333; margin: 2pt 8pt 2pt 4pt;
         vertical-align: middle; }
.work { height: 18mm; border: 1px dashed #aaa; margin: 3pt 0 8pt; }
.networks { display: flex; flex-wrap: wrap; gap: 0 14pt; }
.exercise-head, .network, .questions { break-inside: avoid; page-break-inside: avoid; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
.answer-key { break-before: page; page-break-before: always; }
.answers td:first-child { text-align: left; }
pre { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; white-space: pre-wrap; margin: 2pt 0 6pt;
      background: #f6f6f6; padding: 4pt; }
@media print { body { max-width: none; } }
"""


def _html_table(header: list[str], rows: list[list[str]], css_class: str = "") -> str:
    e = html.escape
    head = "".join(f"<th>{e(cell)}</th>" for cell in header)
    body = "".join("<tr><th>" + e(row[0]) + "</th>" + "".join(f"<td>{e(c)}</td>" for c in row[1:]) + "</tr>" for row in rows)
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<table{attribute}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_network(network: Network) -> str:
    e = html.escape
    parts = [
        "<div class='network'><h3>Input</h3>"
        + _html_table(["input"] + [neuron_name(0, i) for i in range(network.input_size)],
                      [["x"] + [number(v) for v in network.input_values]])
        + "</div>"
    ]
    for k, params in enumerate(network.layers, start=1):
        header, rows = weight_rows(network, k)
        parts.append(
            f"<div class='network'><h3>Layer {k} ({e(network.layer_title(k))}): activation {e(params.activation)}</h3>"
            + _html_table(header, rows) + "</div>"
        )
    return "<div class='networks'>" + "".join(parts) + "</div>"


def worksheet_html(sheet: Worksheet) -> str:
    """A standalone HTML page: questions first, answer key on a new printed page."""
    e = html.escape
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(sheet.title)}</title><style>{PRINT_CSS}</style></head><body>",
        f"<h1>{e(sheet.title)}</h1>",
        "<p class='note'>Name: ______________________ &nbsp; Date: ____________</p>",
        f"<p class='note'>{e(_intro_text(sheet))}</p>",
    ]
    for number_, exercise in enumerate(sheet.exercises, start=1):
        out.append(f"<section class='exercise'><div class='exercise-head'><h2>Exercise {number_}</h2>")
        out.append(f"<p class='note'>{e(_link_text(exercise))}</p>")
        out.append(_html_network(exercise.network) + "</div>")
        out.append("<div class='questions'>")
        for letter, question in _lettered(exercise):
            boxes = "".join(
                f"<span>{e(blank.label)} =</span><span class='blank'></span>" for blank in exercise.blanks(question)
            )
            out.append(f"<div class='question'><b>({letter})</b> {e(exercise.question_text(question))}<br>{boxes}</div>")
        out.append("<div class='work'></div></div></section>")
    out.append(f"<section class='answer-key'><h1>Answer key: {e(sheet.title)}</h1>")
    for number_, exercise in enumerate(sheet.exercises, start=1):
        out.append(f"<h2>Exercise {number_}</h2>")
        out.append(_html_table(["answer", "write", "exact"], _answer_rows(exercise), "answers"))
        out.append("<h3>Worked solution</h3><pre>" + e("\n".join(_worked_solution(exercise))) + "</pre>")
    out.append("</section></body></html>")
    return "\n".join(out)


# ---- Markdown ---------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def markdown_escape(text: str) -> str:
    """Free text made inert in Markdown (no emphasis, links, tables or raw HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    cell = lambda text: text.replace("|", r"\|")  # noqa: E731
    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def worksheet_markdown(sheet: Worksheet) -> str:
    """The same worksheet in Markdown; the answer key follows an HTML page-break marker."""
    out = [
        f"# {markdown_escape(sheet.title)}",
        "",
        "Name: ______________________   Date: ____________",
        "",
        _intro_text(sheet),
        "",
    ]
    for number_, exercise in enumerate(sheet.exercises, start=1):
        network = exercise.network
        out += [f"## Exercise {number_}", "", f"*{_link_text(exercise)}*", ""]
        out += [_md_table(["input"] + [neuron_name(0, i) for i in range(network.input_size)],
                          [["x"] + [number(v) for v in network.input_values]]), ""]
        for k, params in enumerate(network.layers, start=1):
            header, rows = weight_rows(network, k)
            out += [f"**Layer {k} ({markdown_escape(network.layer_title(k))}), activation {params.activation}**", "",
                    _md_table(header, rows), ""]
        for letter, question in _lettered(exercise):
            out.append(f"({letter}) {exercise.question_text(question)}")
            out.append("")
            out += [f"- {blank.label} = ______________" for blank in exercise.blanks(question)]
            out.append("")
    out += ['<div style="page-break-before: always"></div>', "", f"# Answer key: {markdown_escape(sheet.title)}", ""]
    for number_, exercise in enumerate(sheet.exercises, start=1):
        out += [f"## Exercise {number_}", ""]
        out += [_md_table(["answer", "write", "exact"], _answer_rows(exercise)), ""]
        out += ["Worked solution:", "", "```", *_worked_solution(exercise), "```", ""]
    return "\n".join(out)


FORMATS = {".html": worksheet_html, ".htm": worksheet_html, ".md": worksheet_markdown}


def render_worksheet(sheet: Worksheet, suffix: str) -> str:
    """The worksheet in the format a file suffix names (.html, .htm or .md)."""
    if suffix.lower() not in FORMATS:
        raise ValidationError(f"worksheet format {suffix or '(none)'!r}: the file name must end in .html or .md")
    return FORMATS[suffix.lower()](sheet)
