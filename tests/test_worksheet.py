"""Worksheets: content, answer key against a plain loop, the activations defined, the diagram,
escaping, the CLI, and a print to PDF in Chromium checked page by page and turned into PNG pages
(look at them: artifacts/worksheet-[backprop-]<difficulty>-page-*.png)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from xml.etree import ElementTree

import pytest

from mlpsim.cli import main
from mlpsim.workshop.answers import Blank
from mlpsim.workshop.topics.forward.generation import generate_network
from mlpsim.workshop.worksheet import (
    CONTENT_HEIGHT_MM,
    PAGE_MARGIN_MM,
    accepted_text,
    build_worksheet,
    exact_text,
    markdown_escape,
    network_svg,
    worksheet_html,
    worksheet_markdown,
)
from tests.test_exercises import plain_forward

ROW = re.compile(r"<tr><th>\(([a-z])\) ([^<]+)</th><td>([^<]+)</td><td>±([^<]+)</td><td>([^<]+)</td></tr>")


def key_rows(page: str) -> list[list[tuple[str, str, str, str, str]]]:
    """The answer key's (letter, label, write, accepted, exact) rows, one list per exercise."""
    key = page.split("<section class='answer-key'>", 1)[1]
    return [ROW.findall(part) for part in key.split("<h2>Exercise ")[1:]]


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_answer_key_matches_a_plain_loop(difficulty):
    page = worksheet_html(build_worksheet(40, difficulty, count=4))
    exercises = key_rows(page)
    assert len(exercises) == 4
    for offset, rows in enumerate(exercises):
        network = generate_network(40 + offset, difficulty)  # exercise i uses seed N + i - 1
        zs, activations = plain_forward(network)
        by_letter = {}
        for letter, label, _write, _accepted, exact in rows:
            by_letter.setdefault(letter, []).append((html.unescape(label), float(exact)))
        # default questions: (b) z, (c) a, (e) the output layer; the exact column is unrounded
        ((label_z, z),) = by_letter["b"]
        neuron = int(label_z[3:-1]) - 1  # "z(N2)"
        assert z == pytest.approx(zs[0][neuron], rel=1e-13, abs=1e-15)
        ((_, a),) = by_letter["c"]
        assert a == pytest.approx(activations[0][neuron], rel=1e-13, abs=1e-15)
        outputs = [value for _, value in by_letter["e"]]
        assert outputs == pytest.approx(activations[-1], rel=1e-13, abs=1e-15)
        hidden = [value for _, value in by_letter["d"]]
        assert hidden == pytest.approx(activations[0], rel=1e-13, abs=1e-15)


def test_exact_column_keeps_every_digit_of_sigmoid_and_tanh_values():
    """The key's exact column is not rounded: a sigmoid output has 15 significant digits."""
    page = worksheet_html(build_worksheet(5, "hard", count=3))
    for offset, rows in enumerate(key_rows(page)):
        _, activations = plain_forward(generate_network(5 + offset, "hard"))
        outputs = [exact for letter, _label, _write, _accepted, exact in rows if letter == "e"]
        for text, value in zip(outputs, activations[-1], strict=True):
            assert len(text.lstrip("-0.").replace(".", "")) >= 10, text
            assert float(text) == pytest.approx(value, rel=1e-14)


def test_every_activation_used_is_defined_with_the_leaky_slope():
    for difficulty, seed in (("easy", 1), ("medium", 5), ("hard", 5), ("hard", 40)):
        sheet = build_worksheet(seed, difficulty, count=4)
        used = {layer.activation for exercise in sheet.exercises for layer in exercise.network.layers}
        page = html.unescape(worksheet_html(sheet))
        text = worksheet_markdown(sheet)
        definitions = page.split("Activations on this sheet:", 1)[1].split("</p>", 1)[0]
        formulas = {
            "linear": "linear</b>: f(z) = z<",
            "relu": "relu</b>: f(z) = max(0, z)",
            "leaky_relu": "leaky_relu</b>: f(z) = z if z > 0 else 0.01·z",
            "sigmoid": "sigmoid</b>: f(z) = 1 / (1 + e^(−z))",
            "tanh": "tanh</b>: f(z) = tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z))",
        }
        for name, formula in formulas.items():
            assert (formula in definitions) == (name in used), (difficulty, name)
            plain = formula.replace("</b>", "").rstrip("<")
            assert (f"- {plain}" in text) == (name in used), (difficulty, name)
    hard = {
        layer.activation
        for exercise in build_worksheet(5, "hard", count=3).exercises
        for layer in exercise.network.layers
    }
    assert "leaky_relu" in hard  # the seed used above does exercise the leaky slope


def test_key_states_what_is_accepted():
    assert accepted_text(Blank("z1.1", "z(N1)", 1.254, False)) == "±0.005"
    assert accepted_text(Blank("out.1", "a(N1)", 0.7310585786, True)) == "±0.0005"
    assert accepted_text(Blank("out.1", "a(N1)", 0.0798784, True)) == "±5e-05"
    # carrying 4 decimals could have moved it 0.000123: 0.0005 + 0.000123, rounded up
    assert accepted_text(Blank("out.1", "a(N1)", 0.5, True, carried=0.000123)) == "±0.00063"
    assert exact_text(0.3 * 0.1) == "0.03"
    assert exact_text(-0.0) == "0"


def test_diagram_has_a_circle_per_neuron_and_a_line_per_weight():
    network = generate_network(5, "hard")  # 2-3-3-2
    assert network.layer_sizes == (2, 3, 3, 2)
    svg = ElementTree.fromstring(network_svg(network))
    ns = "{http://www.w3.org/2000/svg}"
    circles = svg.findall(f".//{ns}circle")
    lines = svg.findall(f".//{ns}line")
    texts = [t.text for t in svg.findall(f".//{ns}text")]
    assert len(circles) == 2 + 3 + 3 + 2
    assert len(lines) == 2 * 3 + 3 * 3 + 3 * 2
    assert texts[:10] == ["IN1", "IN2", "N1", "N2", "N3", "N1", "N2", "N3", "N1", "N2"]
    assert texts[10:] == [
        "Input",
        "Hidden 1",
        network.layers[0].activation,
        "Hidden 2",
        network.layers[1].activation,
        "Output",
        network.layers[2].activation,
    ]
    centres = {(c.get("cx"), c.get("cy")) for c in circles}
    assert all(
        (line.get("x1"), line.get("y1")) in centres and (line.get("x2"), line.get("y2")) in centres for line in lines
    )
    assert all(float(line.get("x1")) < float(line.get("x2")) for line in lines)  # every weight goes left to right
    assert svg.get("width").endswith("mm")  # printed to scale, as vector
    first_column = sorted(float(c.get("cy")) for c in circles if c.get("cx") == circles[0].get("cx"))
    assert float(circles[0].get("cy")) == first_column[0]  # IN1 at the top, as in the article


def test_sheet_has_questions_answer_space_and_a_key_after_a_page_break():
    page = worksheet_html(build_worksheet(5, "medium", count=3))
    questions, key = page.split("<section class='answer-key'>")
    assert questions.count("<section class='exercise'>") == 3
    assert questions.count("<svg ") == 3
    assert questions.count("<span class='blank'></span>") == sum(len(row) for row in key_rows(page))
    assert ".answer-key { break-before: page; page-break-before: always; }" in page
    assert "@page { size: A4;" in page and "Worked solution" in key
    assert '<section class="working"><h4>Hidden 1 · N1 (layer 1, activation ' in key
    assert "Worked solution" not in questions and "<th>exact</th>" not in questions


def test_names_and_title_are_escaped():
    title = '<script>alert("x")</script> & *bold* | pipe'
    page = worksheet_html(build_worksheet(1, "easy", count=1, title=title))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in page
    text = worksheet_markdown(build_worksheet(1, "easy", count=1, title=title))
    assert "<script>" not in text
    assert text.startswith(r"# \<script\>alert\(\"x\"\)\</script\> \& \*bold\* \| pipe".replace('\\"', '"'))
    assert markdown_escape("a_b [c](d)") == r"a\_b \[c\]\(d\)"


def test_markdown_sheet_has_tables_and_key():
    text = worksheet_markdown(build_worksheet(2, "hard", count=2))
    questions, key = text.split('<div style="page-break-before: always"></div>')
    assert questions.count("## Exercise ") == 2
    assert "| W1 | N1 |" in questions and "______________" in questions
    assert "# Answer key" in key and key.count("```") == 4


def test_cli_writes_html_and_markdown(tmp_path, capsys):
    assert (
        main(["worksheet", "--seed", "3", "--difficulty", "easy", "--count", "2", "-o", str(tmp_path / "s.html")]) == 0
    )
    assert main(["worksheet", "--seed", "3", "--difficulty", "easy", "--count", "2", "-o", str(tmp_path / "s.md")]) == 0
    assert capsys.readouterr().out == ""
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert page.count("<section class='exercise'>") == 2
    assert page == worksheet_html(build_worksheet(3, "easy", count=2))
    assert (tmp_path / "s.md").read_text(encoding="utf-8") == worksheet_markdown(build_worksheet(3, "easy", count=2))


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--seed", "x", "--difficulty", "easy"], "--seed"),
        (["--seed", "-1", "--difficulty", "easy"], "seed -1"),
        (["--seed", "1", "--difficulty", "extreme"], "--difficulty"),
        (["--seed", "1", "--difficulty", "easy", "--count", "0"], "count 0"),
        (["--seed", "1", "--difficulty", "easy", "--count", "31"], "count 31"),
        (["--seed", "1", "--difficulty", "easy", "--title", "x" * 201], "title"),
        (["--difficulty", "easy"], "--seed"),
    ],
)
def test_cli_bad_input_is_one_error_line(tmp_path, capsys, arguments, message):
    assert main(["worksheet", *arguments, "-o", str(tmp_path / "s.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert not (tmp_path / "s.html").exists()


def test_cli_bad_output_path(tmp_path, capsys):
    assert main(["worksheet", "--seed", "1", "--difficulty", "easy", "-o", str(tmp_path / "s.txt")]) == 2
    assert "must end in .html or .md" in capsys.readouterr().err
    assert main(["worksheet", "--seed", "1", "--difficulty", "easy", "-o", str(tmp_path / "no" / "s.html")]) == 2
    assert capsys.readouterr().err.startswith("error: cannot write")


MM = 96 / 25.4
"""CSS pixels per millimetre."""
PAGE_LAYOUT = """() => [...document.querySelectorAll('.page')].map(page => {
    const box = element => element.getBoundingClientRect();
    const exercise = page.querySelector('.exercise');
    return {page: box(page).height, exercise: box(exercise).height, work: box(exercise.querySelector('.work')).height,
            top: box(exercise).top - box(page).top};
})"""


def printed_layout(page, sheet) -> list[dict[str, float]]:
    """Each printed page's block, laid out as for print on A4 (height of the page block, the
    exercise and its working area, in mm)."""
    page.set_content(worksheet_html(sheet))
    return [{key: value / MM for key, value in row.items()} for row in page.evaluate(PAGE_LAYOUT)]


@pytest.mark.browser
def test_every_exercise_fits_one_page_with_a_third_of_a_page_to_work_in(browser):
    """Laid out as Chromium prints (print media, the A4 content width): for 40 sheets per
    difficulty, and one with the longest title, every exercise block fits one page and its
    working area is at least a third of the page."""
    context = browser.new_context(viewport={"width": round((210 - 2 * PAGE_MARGIN_MM[1]) * MM), "height": 1000})
    page = context.new_page()
    page.emulate_media(media="print")
    sheets = [
        build_worksheet(seed, difficulty, count=3, topic=topic)
        for topic in ("forward", "backprop")
        for difficulty in ("easy", "medium", "hard")
        for seed in range(0, 120, 3)
    ]
    sheets.append(build_worksheet(5, "hard", count=2, title="Room 4 — " + "a long title " * 14))
    for sheet in sheets:
        for number, block in enumerate(printed_layout(page, sheet), start=1):
            where = (sheet.topic, sheet.difficulty, sheet.seed, number)
            assert block["page"] <= CONTENT_HEIGHT_MM, where  # nothing pushes the block past its page
            assert block["top"] + block["exercise"] <= CONTENT_HEIGHT_MM + 0.5, where
            assert block["work"] >= 297 / 3 - 0.5, where
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("topic", ["forward", "backprop"])
@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_html_prints_to_pdf_one_exercise_per_page_and_the_key_on_its_own_page(
    page, artifacts, tmp_path, difficulty, topic
):
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.fail("poppler-utils is missing: run `make browser`")
    sheet = tmp_path / "sheet.html"
    worksheet = build_worksheet(5, difficulty, count=3, title="Room 4 <b>&</b> friends", topic=topic)
    sheet.write_text(worksheet_html(worksheet), encoding="utf-8")
    page.goto(sheet.as_uri())
    pdf = tmp_path / "sheet.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    stem = f"worksheet-{difficulty}-page" if topic == "forward" else f"worksheet-backprop-{difficulty}-page"
    for old in artifacts.glob(f"{stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(artifacts / stem)], check=True)
    pngs = sorted(artifacts.glob(f"{stem}-*.png"))
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+59[45]\.\d* x 84[12]\.\d* pts \(A4\)", info), info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")[: len(pngs)]
    assert len(pages) == int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 4
    # pages 1-3: exercise i whole — heading, the diagram's labels (text, so the drawing is vector),
    # the tables, every question and the working area; nothing of another exercise or the key
    for number, body in enumerate(pages[:3], start=1):
        assert f"Exercise {number}" in body and "Working" in body, number
        assert all(f"Exercise {other}" not in body for other in (1, 2, 3) if other != number), number
        assert "IN1" in body and "Hidden 1" in body and "W1" in body and "b1" in body, number
        asked = len(worksheet.exercises[number - 1].questions)
        assert all(f"({letter})" in body for letter in "abcdefgh"[:asked]), number
        assert "Answer key" not in body and "Worked solution" not in body, number
    assert "Activations on this sheet" in pages[0] and "Name:" in pages[0]
    # page 4 starts with the key
    assert pages[3].lstrip().startswith("Answer key: Room 4 <b>&</b> friends")
    assert all(f"Exercise {number}" in "".join(pages[3:]) for number in (1, 2, 3))
