"""Hostile names in real headless Chromium: a network whose names are HTML and Markdown attacks,
opened through a share link and through the file upload, must show every name as literal text —
in the page text, the sidebar, the tables' labels, the diagram — and run no script: no dialog
opens (``page.on("dialog")``), no payload sets its window flag, no <img src=x> or javascript:
link exists in the document. Screenshots: artifacts/hostile-*.png (look at them).
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from conftest import wait_for_app_idle
from mlpsim.fileformat import dumps
from mlpsim.presets import seed_example
from mlpsim.sharelink import encode

pytestmark = pytest.mark.browser

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
    missing_in_diagram = [name for name in (INPUT_NAME, HIDDEN_NAME, OUTPUT_NAME) if name not in diagram]
    assert not missing_in_diagram, f"layer names not literal in the diagram: {missing_in_diagram}"


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
