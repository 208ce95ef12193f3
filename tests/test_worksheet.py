"""Worksheets: content, answer key against a plain loop, escaping, the CLI, and a print to PDF in
Chromium turned into PNG pages (look at them: artifacts/worksheet-page-*.png)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest

from mlpsim.cli import main
from mlpsim.exercises import generate_network
from mlpsim.worksheet import build_worksheet, markdown_escape, worksheet_html, worksheet_markdown
from tests.test_exercises import plain_forward

ROW = re.compile(r"<tr><th>\(([a-z])\) ([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td></tr>")


def key_rows(page: str) -> list[list[tuple[str, str, str, str]]]:
    """The answer key's (letter, label, write, exact) rows, one list per exercise."""
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
        for letter, label, _write, exact in rows:
            by_letter.setdefault(letter, []).append((html.unescape(label), float(exact)))
        # default questions: (b) z, (c) a, (e) the output layer
        (label_z, z), = by_letter["b"]
        neuron = int(label_z[3:-1]) - 1  # "z(N2)"
        assert z == pytest.approx(zs[0][neuron], rel=1e-5, abs=1e-9)
        (_, a), = by_letter["c"]
        assert a == pytest.approx(activations[0][neuron], rel=1e-5, abs=1e-9)
        outputs = [value for _, value in by_letter["e"]]
        assert outputs == pytest.approx(activations[-1], rel=1e-5, abs=1e-9)
        hidden = [value for _, value in by_letter["d"]]
        assert hidden == pytest.approx(activations[0], rel=1e-5, abs=1e-9)


def test_sheet_has_questions_answer_space_and_a_key_after_a_page_break():
    page = worksheet_html(build_worksheet(5, "medium", count=3))
    questions, key = page.split("<section class='answer-key'>")
    assert questions.count("<section class='exercise'>") == 3
    assert questions.count("<span class='blank'></span>") == sum(len(row) for row in key_rows(page))
    assert ".answer-key { break-before: page; page-break-before: always; }" in page
    assert "@page" in page and "Worked solution" in key
    assert "Hidden 1 · N1: z = W1[1,1]·IN1" in key
    assert "Worked solution" not in questions and "exact" not in questions


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
    assert main(["worksheet", "--seed", "3", "--difficulty", "easy", "--count", "2", "-o", str(tmp_path / "s.html")]) == 0
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


@pytest.mark.browser
def test_html_prints_to_pdf_with_the_key_on_its_own_page(page, artifacts, tmp_path):
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.fail("poppler-utils is missing: run `make browser`")
    sheet = tmp_path / "sheet.html"
    sheet.write_text(worksheet_html(build_worksheet(5, "hard", count=3, title="Room 4 <b>&</b> friends")), encoding="utf-8")
    page.goto(sheet.as_uri())
    pdf = tmp_path / "sheet.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    for old in artifacts.glob("worksheet-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(artifacts / "worksheet-page")], check=True)
    pngs = sorted(artifacts.glob("worksheet-page-*.png"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")[: len(pngs)]
    assert len(pngs) >= 4
    key_pages = [i for i, body in enumerate(pages) if "Answer key" in body]
    assert key_pages, "no answer key in the PDF"
    first_key = key_pages[0]
    assert pages[first_key].lstrip().startswith("Answer key: Room 4 <b>&</b> friends")
    assert "Worked solution" not in "".join(pages[:first_key])
    assert all("Exercise 3" not in body for body in pages[:1])  # exercises do not all squeeze onto page 1
    for number in (1, 2, 3):
        question_page = next(i for i, body in enumerate(pages) if f"Exercise {number}" in body)
        assert question_page < first_key
        # an exercise's heading is never left alone at the bottom of a page: its tables follow it
        assert "W1" in pages[question_page].split(f"Exercise {number}", 1)[1]
