"""The exported HTML diagram opened in real headless Chromium: drawn, hoverable, clickable.

Screenshots go to artifacts/ (diagram-*.png) on a white and on a dark page, as the app's light
and dark themes would show them.
"""

from __future__ import annotations

import pytest

from mlpsim.core.forward import forward
from mlpsim.io.presets import mnist_sized, seed_example
from mlpsim.render.export import write_figure
from mlpsim.render.figure import network_figure

pytestmark = pytest.mark.browser

LIGHT, DARK = "#ffffff", "#0e1117"  # Streamlit's light and dark page backgrounds


def open_export(page, figure, path, background=LIGHT):
    """Write ``figure`` as standalone HTML, open it, and wait until plotly.js has drawn it."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    write_figure(figure, path)
    page.goto(path.as_uri())
    page.add_style_tag(content=f"body {{ background: {background}; margin: 0 }}")
    page.wait_for_function(
        "() => { const gd = document.querySelector('.js-plotly-plot');"
        " return gd && gd._fullLayout && gd.querySelector('.scatterlayer .point'); }",
        timeout=60_000,
    )
    page.wait_for_timeout(200)
    assert errors == []


def neuron_pixel(page, position, index):
    """Page coordinates of a neuron marker, read from plotly's own axes."""
    return page.evaluate(
        """([position, index]) => {
            const gd = document.querySelector('.js-plotly-plot');
            const trace = gd._fullData.find(t => t.name === 'neurons');
            const k = trace.customdata.findIndex(c => c[0] === position && c[1] === index);
            const box = gd.getBoundingClientRect(), size = gd._fullLayout._size;
            return [box.left + size.l + gd._fullLayout.xaxis.l2p(trace.x[k]),
                    box.top + size.t + gd._fullLayout.yaxis.l2p(trace.y[k])];
        }""",
        [position, index],
    )


def test_seed_example_is_drawn_with_every_neuron_and_edge(page, tmp_path, artifacts):
    network = seed_example()
    figure = network_figure(network, forward(network), show_edge_values=True)
    open_export(page, figure, tmp_path / "seed.html")
    assert page.locator(".scatterlayer .trace").filter(has=page.locator(".point")).count() >= 1
    assert page.evaluate("document.querySelectorAll('.imagelayer image').length") == 1  # the edges, one SVG image
    texts = page.evaluate("Array.from(document.querySelectorAll('.scatterlayer .textpoint'), e => e.textContent)")
    assert any("6.04" in text for text in texts)  # N2 = 0.5·8 + 0.1·9 + 0.2·5 + 0.14
    page.screenshot(path=artifacts / "diagram-seed-light.png")


def test_seed_example_reads_on_a_dark_page(page, tmp_path, artifacts):
    network = seed_example()
    open_export(page, network_figure(network, forward(network), show_edge_values=True), tmp_path / "seed.html", DARK)
    page.screenshot(path=artifacts / "diagram-seed-dark.png")
    background = page.evaluate("getComputedStyle(document.querySelector('.main-svg')).backgroundColor")
    assert background in ("rgba(0, 0, 0, 0)", "transparent")


def test_hover_on_a_neuron_shows_its_arithmetic(page, tmp_path):
    network = seed_example()
    open_export(page, network_figure(network, forward(network)), tmp_path / "seed.html")
    x, y = neuron_pixel(page, 1, 1)
    page.mouse.move(x, y)
    page.wait_for_selector(".hoverlayer .hovertext", timeout=5_000)
    label = page.evaluate(
        "Array.from(document.querySelectorAll('.hoverlayer .hovertext'), e => e.textContent).join(' ')"
    )
    assert "N2" in label and "z = 6.04" in label and "bias = 0.14" in label


def test_a_click_on_a_neuron_reports_its_position_and_index(page, tmp_path):
    network = seed_example()
    open_export(page, network_figure(network, forward(network)), tmp_path / "seed.html")
    page.evaluate("""() => { const gd = document.querySelector('.js-plotly-plot');
        gd.on('plotly_click', event => { window.clicked = event.points.map(p => p.customdata); }); }""")
    x, y = neuron_pixel(page, 2, 0)
    page.mouse.click(x, y)
    page.wait_for_function("() => window.clicked !== undefined", timeout=5_000)
    assert page.evaluate("window.clicked") == [[2, 0]]


def test_selection_and_step_through_are_drawn(page, tmp_path, artifacts):
    network = seed_example()
    figure = network_figure(network, forward(network), selected=(1, 1), computed_through=(1, 1))
    open_export(page, figure, tmp_path / "seed-selected.html")
    pending = page.evaluate("""() => document.querySelector('.js-plotly-plot')._fullData
        .filter(t => t.name === 'pending neurons').map(t => t.customdata.length)""")
    assert pending == [4]
    page.screenshot(path=artifacts / "diagram-seed-selected.png")


@pytest.mark.parametrize("background, name", [(LIGHT, "light"), (DARK, "dark")])
def test_mnist_sized_network_is_drawn(page, tmp_path, artifacts, background, name):
    network = mnist_sized()
    figure = network_figure(network, forward(network))
    open_export(page, figure, tmp_path / "mnist.html", background)
    drawn_points = page.evaluate("document.querySelectorAll('.scatterlayer .point').length")
    assert drawn_points == 784 + 128 + 64 + 10
    # W1 as a PNG, W2 and W3 as one SVG image
    assert page.evaluate("document.querySelectorAll('.imagelayer image').length") == len(figure.layout.images) == 2
    page.screenshot(path=artifacts / f"diagram-mnist-{name}.png")
