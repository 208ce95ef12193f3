"""Hostile input through the page: names and table cells.

Names: a network whose names are HTML and Markdown attacks, opened in real headless Chromium
through a share link and through the file upload, must show every name as literal text — in the
page text, the sidebar, the tables' labels, the diagram — and run no script: no dialog opens
(``page.on("dialog")``), no payload sets its window flag, no <img src=x> or javascript: link
exists in the document. Screenshots: artifacts/hostile-*.png (look at them).

Table cells: what a grid (or a hostile client speaking the websocket protocol) can put in an
editor's edits — text, empty cells, "1,5", "1e400", pasted blocks, nonsense rows — each bad
cell is named with the value it keeps, and every other cell of the same edit still applies.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from conftest import wait_for_app_idle

from mlpsim.io.fileformat import dumps
from mlpsim.io.presets import seed_example
from mlpsim.io.sharelink import encode
from ui.common.tables import Table
from ui.parts.editors import CELL_WIDTH_PX, index_width_px

NETWORK_NAME = "<img src=x onerror=alert(1)> <script>window.__pwned='script'</script>"
INPUT_NAME = "[x](javascript:alert(1))"
HIDDEN_NAME = "<img src=x onerror=\"window.__pwned='img'\">"
OUTPUT_NAME = "**bold** $x^2$ [y](javascript:window.__pwned='md') <b>b</b>"
NAMES = (NETWORK_NAME, INPUT_NAME, HIDDEN_NAME, OUTPUT_NAME)

INJECTED = """() => ({
  pwned: window.__pwned === undefined ? null : String(window.__pwned),
  images: [...document.querySelectorAll('img')].filter(i => i.getAttribute('src') === 'x').length,
  scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('__pwned')).length,
  jsLinks: [...document.querySelectorAll('a[href], [href]')]
      .filter(a => (a.getAttribute('href') || '').trim().toLowerCase().startsWith('javascript')).length,
  bold: [...document.querySelectorAll('b, strong')].filter(b => b.textContent === 'bold').length,
})"""

DIAGRAM_TEXT = "() => (document.querySelector('.js-plotly-plot') || {textContent: ''}).textContent"


def as_heading(name: str) -> str:
    """What of a name the diagram's column heading must show literally: its first six
    characters. (Headings wrap names into short lines and cut them, the whole name being the
    heading's hover text; '<img s' and '**bold' read literally only if no HTML or Markdown was
    interpreted.)"""
    return name[:6]


def hostile_network():
    network = seed_example()
    layers = (replace(network.layers[0], name=HIDDEN_NAME), replace(network.layers[1], name=OUTPUT_NAME))
    return replace(network, name=NETWORK_NAME, input_name=INPUT_NAME, layers=layers)


def watch_for_scripts(page) -> list[str]:
    """Record (and dismiss) every dialog the page opens."""
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def wait_for_page(page) -> None:
    page.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=60_000)
    wait_for_app_idle(page)


def assert_literal_and_inert(page, dialogs: list[str]) -> None:
    page.wait_for_timeout(1500)  # an onerror fires after the failed image load; give it time
    injected = page.evaluate(INJECTED)
    assert dialogs == []
    assert injected == {"pwned": None, "images": 0, "scripts": 0, "jsLinks": 0, "bold": 0}, injected
    text = page.inner_text("body")
    missing = [name for name in NAMES if name not in text]
    assert not missing, f"names not shown literally in the page text: {missing}"
    diagram = page.evaluate(DIAGRAM_TEXT)
    missing_in_diagram = [name for name in (INPUT_NAME, HIDDEN_NAME, OUTPUT_NAME) if as_heading(name) not in diagram]
    assert not missing_in_diagram, f"layer names not literal in the diagram: {missing_in_diagram}"


@pytest.mark.browser
def test_hostile_names_through_a_share_link(page, app_url, artifacts):
    dialogs = watch_for_scripts(page)
    page.goto(f"{app_url}/?net={encode(hostile_network())}")
    wait_for_page(page)
    assert "Network loaded from the share link" in page.inner_text("body")
    page.screenshot(path=str(artifacts / "hostile-share-link.png"), full_page=True)
    page.get_by_test_id("stDataFrame").last.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "hostile-share-link-tables.png"))
    assert_literal_and_inert(page, dialogs)


@pytest.mark.browser
def test_hostile_names_on_the_workshop_page(page, app_url, artifacts):
    """The same network, stepped through on the Workshop page (same session, via the navigation)."""
    dialogs = watch_for_scripts(page)
    page.goto(f"{app_url}/?net={encode(hostile_network())}")
    wait_for_page(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Workshop").click()
    page.get_by_role("button", name="Next ▶").wait_for(timeout=30_000)
    for _ in range(4):  # through Hidden 1 to its last neuron: its title is in the step and the matrix form
        page.get_by_role("button", name="Next ▶").click()
        wait_for_app_idle(page)
    page.wait_for_selector(".js-plotly-plot .scatterlayer", timeout=60_000)
    page.screenshot(path=str(artifacts / "hostile-workshop.png"))
    page.wait_for_timeout(1500)
    injected = page.evaluate(INJECTED)
    assert dialogs == []
    assert injected == {"pwned": None, "images": 0, "scripts": 0, "jsLinks": 0, "bold": 0}, injected
    text = page.inner_text("body")
    assert NETWORK_NAME in text and HIDDEN_NAME in text
    assert as_heading(HIDDEN_NAME) in page.evaluate(DIAGRAM_TEXT)


@pytest.mark.browser
def test_hostile_names_through_the_file_upload(page, app_url, artifacts):
    dialogs = watch_for_scripts(page)
    page.goto(app_url)
    wait_for_page(page)
    page.get_by_text("Save and share").click()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "hostile.json", "mimeType": "application/json", "buffer": dumps(hostile_network()).encode()}]
    )
    page.get_by_text("Loaded hostile.json").wait_for(timeout=30_000)
    wait_for_page(page)
    page.screenshot(path=str(artifacts / "hostile-upload.png"), full_page=True)
    assert_literal_and_inert(page, dialogs)
    assert json.loads(dumps(hostile_network()))["name"] == NETWORK_NAME  # the file really carried the names


# ---- table cells -------------------------------------------------------------------------------

SEED_W1 = [[2.0, 8.0, -1.0, 3.0], [4.0, 9.0, 1.0, -6.0], [-3.0, 5.0, 2.0, 7.0]]


def fold_w1(edited_rows):
    from ui.common.tables import Table, fold_edits

    return fold_edits(seed_example(), Table("weights", 1), edited_rows)


def w1_with(*changes):
    """The seed W1 with (row0, col0, value) changes, by hand."""
    w1 = [list(row) for row in SEED_W1]
    for row, column, value in changes:
        w1[row][column] = value
    return w1


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("abc", "'abc' is not a number"),
        ("", "empty cell"),
        ("   ", "empty cell"),
        (None, "empty cell"),
        ("1,5,2", "'1,5,2' is not a number"),
        ("1_000", "'1_000' is not a number (write it without '_'"),
        ("١٢", "is not a number (type its digits as 0-9)"),
        ("１２", "is not a number (type its digits as 0-9)"),
        ("1e400", "'1e400' is beyond the largest number a double holds, ±1.7976931348623157e308"),
        ("-1e400", "'-1e400' is beyond the largest number a double holds"),
        ("nan", "'nan' is not a number (only finite numbers are allowed)"),
        ("Infinity", "'Infinity' is not a number (only finite numbers are allowed)"),
        (float("inf"), "is not a finite number"),
        (True, "True is not a number"),
        ([1, 2], "list is not a number"),
        ({"v": 1}, "dict is not a number"),
        ("0x10", "'0x10' is not a number"),
    ],
)
def test_a_bad_cell_is_named_and_keeps_its_value(raw, reason):
    fold = fold_w1({0: {"N1": raw}})
    assert fold.changed == ()
    assert fold.network.layers[0].weights.tolist() == SEED_W1
    assert len(fold.errors) == 1
    assert fold.errors[0].startswith("W1[1,1] (IN1 → N1): ")
    assert reason in fold.errors[0] and "keeps its value 2" in fold.errors[0]


@pytest.mark.parametrize(
    "raw, value",
    [
        (" 2.5 ", 2.5),
        ("−3", -3.0),
        ("1e-5", 1e-5),
        (7, 7.0),
        ("-0", -0.0),
        ("1,5", 1.5),
        ("1.7976931348623157e308", 1.7976931348623157e308),
    ],
)
def test_good_cells_in_the_forms_people_type(raw, value):
    fold = fold_w1({1: {"N2": raw}})
    assert fold.errors == ()
    assert fold.network.layers[0].weights.tolist() == w1_with((1, 1, value))


def test_a_pasted_block_applies_every_good_cell_and_names_every_bad_one():
    block = {
        0: {"N1": 0.5, "N2": "abc", "N3": "1,5,0", "N4": 4},
        1: {"N1": "", "N2": "2.25", "N3": "1e400", "N4": -1},
        2: {"N1": "3", "N2": None, "N3": "x", "N4": 0},
    }
    fold = fold_w1(block)
    assert fold.network.layers[0].weights.tolist() == [
        [0.5, 8.0, -1.0, 4.0],
        [4.0, 2.25, 1.0, -1.0],
        [3.0, 5.0, 2.0, 0.0],
    ]
    named = sorted(error.split(":")[0] for error in fold.errors)
    assert named == [
        "W1[1,2] (IN1 → N2)",
        "W1[1,3] (IN1 → N3)",
        "W1[2,1] (IN2 → N1)",
        "W1[2,3] (IN2 → N3)",
        "W1[3,2] (IN3 → N2)",
        "W1[3,3] (IN3 → N3)",
    ]
    # The bias, the input and the other layer are the same objects: nothing else was touched.
    before = seed_example()
    assert fold.network.layers[1].weights.tolist() == before.layers[1].weights.tolist()
    assert fold.network.input_values.tolist() == [0.5, 0.1, 0.2]


@pytest.mark.parametrize(
    "edited_rows",
    [
        {7: {"N1": 1.0}},  # a row the table does not have
        {0: {"N9": 1.0}},  # a column it does not have
        {-1: {"N1": 1.0}},
        {"x": {"N1": 1.0}},  # only a hostile client sends these
        {0: ["N1", 1.0]},
        {0: {"N1": 10**400}},  # a JSON integer literal too large for a float
    ],
)
def test_edits_that_no_grid_sends_are_refused_without_an_exception(edited_rows):
    fold = fold_w1(edited_rows)
    assert fold.network.layers[0].weights.tolist() == SEED_W1
    assert len(fold.errors) == 1 and fold.errors[0].startswith("W1")


HOSTILE_EDITS = [
    ({"0": {"N1": "abc"}}, SEED_W1, "'abc' is not a number"),
    ({"0": {"N1": 1e400}}, SEED_W1, "is not a finite number"),
    ({"0": {"N1": 10**30}}, w1_with((0, 0, 1e30)), None),
    ({"0": {"N1": 10**400}}, SEED_W1, "a number too large"),
    ({"9": {"N1": 1}}, SEED_W1, "no cell at row 10"),
    ({"0": ["N1", 1]}, SEED_W1, "no row '0' with cells"),
    # "1,5" is read as 1.5 (the decimal comma, as on the Workshop page); the empty cells are named.
    (
        {"1": {"N2": "", "N3": "1,5", "N4": 2.5}, "2": {"N1": None, "N2": -0.5}},
        w1_with((1, 2, 1.5), (1, 3, 2.5), (2, 1, -0.5)),
        "empty cell",
    ),
]


@pytest.mark.browser
@pytest.mark.parametrize("edited_rows, expected_w1, message", HOSTILE_EDITS)
def test_hostile_edits_over_the_websocket(app_url, edited_rows, expected_w1, message):
    """What a client speaking Streamlit's protocol can send as a data_editor value (the grid itself
    only sends numbers or null): a notice, W1 as worked out by hand, and no exception."""
    from benchmarks.streamlit_client import StreamlitSession, run_coroutine, string_value

    def w1_editor(session):
        return next(e for e in session.elements("dataframe") if e.widget_id and str(e.frame().columns[0]) == "N1")

    async def send():
        async with StreamlitSession(app_url) as session:
            editor = w1_editor(session)
            edits = json.dumps({"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []})
            record = await session.rerun(**{editor.widget_id: string_value(editor.widget_id, edits)})
            alerts = [re.sub(r"\\(.)", r"\1", e.text()) for e in session.elements("alert")]
            return record.exceptions, alerts, w1_editor(session).frame().to_numpy(dtype=float).tolist()

    exceptions, alerts, shown_w1 = run_coroutine(send())
    assert exceptions == []
    assert shown_w1 == expected_w1
    if message is not None:
        assert any(message in alert for alert in alerts), alerts


# ---- table cells in the real grid ----------------------------------------------------------------

WEIGHTS_GRID = 1
"""Grids on the Simulator page in order: output, input x, W1, b1 (with z and a)."""
HEADER_PX, ROW_PX, CELL_PX = 35, 35, CELL_WIDTH_PX
INDEX_PX = index_width_px(Table("weights", 1).row_header(seed_example()) + " ↓")
"""W1's index column is as wide as its header ('from Input ↓'), as ui/parts/editors.py sets it."""


def type_into_w1(page, text: str) -> None:
    """Double-click W1[1,1] in the grid (a canvas), type ``text``, press Enter, wait for the run."""
    table = page.get_by_test_id("stDataFrame").nth(WEIGHTS_GRID)
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.dblclick(box["x"] + INDEX_PX + CELL_PX / 2, box["y"] + HEADER_PX + ROW_PX / 2)
    editor = page.locator(".gdg-input")
    editor.wait_for(timeout=10_000)
    editor.fill(text)
    page.keyboard.press("Enter")
    page.wait_for_timeout(1000)
    wait_for_app_idle(page)


def shown_w1(page) -> list[list[float]]:
    """W1 as the grid's accessibility cells show it (column 0 is the row names)."""
    table = page.get_by_test_id("stDataFrame").nth(WEIGHTS_GRID)
    return [
        [float(table.locator(f"#glide-cell-{column}-{row}").first.text_content()) for column in range(1, 5)]
        for row in range(3)
    ]


@pytest.mark.browser
def test_typing_into_a_weight_cell(page, app_url, artifacts):
    """A number is applied; text and an empty cell are refused by the grid, and nothing else in
    the table changes."""
    page.goto(app_url)
    wait_for_page(page)
    type_into_w1(page, "7.25")
    assert shown_w1(page) == w1_with((0, 0, 7.25))
    for refused in ("abc", ""):
        type_into_w1(page, refused)
        assert shown_w1(page) == w1_with((0, 0, 7.25)), refused
    assert not page.get_by_test_id("stException").count()
    page.screenshot(path=str(artifacts / "hostile-cells.png"))


@pytest.mark.browser
def test_typed_numbers_are_never_silently_changed(page, app_url):
    """Each cell must end up as the number meant, or keep its value with a notice naming it —
    never as a different number. (A number column's grid editor drops characters it does not
    expect: '1e-5' arrived as -15, '2.5e3' as 2.53, '1,5' as 15, '−4' as 4; the editors are text
    columns for this reason.) One page for all: each is typed into a fresh W1[1,1]."""
    page.goto(app_url)
    wait_for_page(page)
    wrong = {}
    for typed, intended in (("1e-5", 1e-5), ("2.5e3", 2500.0), ("1,5", 1.5), ("1,5,2", None), ("−4", -4.0)):
        type_into_w1(page, "2")
        type_into_w1(page, typed)
        shown = shown_w1(page)[0][0]
        if (intended is None and (shown != 2.0 or typed not in page.inner_text("body"))) or (
            intended is not None and shown != intended
        ):
            wrong[typed] = shown
    assert wrong == {}
