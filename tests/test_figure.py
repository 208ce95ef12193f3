"""The plotly figure: read back what it draws and compare with hand-worked numbers and plain loops."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import urllib.parse
from dataclasses import replace

import numpy as np
import plotly.graph_objects as go
import pytest

from mlpsim.core.forward import forward
from mlpsim.core.initializers import initialized_network
from mlpsim.io.fileformat import dumps
from mlpsim.io.presets import PRESETS, mnist_sized, seed_example
from mlpsim.render import edges as edge_cache
from mlpsim.render.edges import THINNEST_LEVEL
from mlpsim.render.figure import NEGATIVE_EDGE, NEURON_TRACE, PENDING_TRACE, POSITIVE_EDGE, network_figure
from mlpsim.render.raster import IMAGE_COLUMNS, layer_ink

SEED_INPUT = [0.5, 0.1, 0.2]
SEED_W1 = [[2, 8, -1, 3], [4, 9, 1, -6], [-3, 5, 2, 7]]
SEED_B1 = [0.13, 0.14, 0.15, 0.16]
SEED_W2 = [[0.2, -0.3], [0.1, -0.2], [-0.4, 0.5], [0.3, 0.1]]
SEED_B2 = [0.1, -0.2]


def seed_values_by_hand() -> list[list[float]]:
    hidden = [max(0.0, sum(SEED_INPUT[i] * SEED_W1[i][j] for i in range(3)) + SEED_B1[j]) for j in range(4)]
    output_z = [sum(hidden[i] * SEED_W2[i][j] for i in range(4)) + SEED_B2[j] for j in range(2)]
    return [SEED_INPUT, hidden, [1 / (1 + math.exp(-z)) for z in output_z]]


def trace(figure, name):
    matches = [t for t in figure.data if t.name == name]
    assert len(matches) == 1, f"expected one trace named {name!r}, got {len(matches)}"
    return matches[0]


class NeuronLocator:
    """Maps a drawn point back to the neuron whose marker sits there (nearest in its column)."""

    def __init__(self, figure) -> None:
        self.columns: dict[int, list] = {}
        for t in figure.data:
            if t.name in (NEURON_TRACE, PENDING_TRACE):
                for x, y, (position, index) in zip(t.x, t.y, t.customdata):
                    self.columns.setdefault(int(round(x)), []).append((y, (int(position), int(index))))

    def __call__(self, x: float, y: float) -> tuple[int, int]:
        column = self.columns[int(round(x))]
        return min(column, key=lambda entry: abs(entry[0] - y))[1]


def vector_paths(figure) -> list[tuple[str, str, float, float]]:
    """[(path text, colour, width, opacity)] of the paths in the figure's SVG image of edges."""
    found = []
    for image in figure.layout.images:
        if image.source.startswith("data:image/svg+xml,"):
            svg = urllib.parse.unquote(image.source.removeprefix("data:image/svg+xml,"))
            for path, colour, width, opacity in re.findall(
                r"<path d='([^']*)' stroke='([^']*)' stroke-width='([^']*)' stroke-opacity='([^']*)'", svg
            ):
                found.append((path, colour, float(width), float(opacity)))
    return found


def drawn_edges(figure, trace_names=("positive weights", "negative weights"), with_image=True):
    """[(source, target, width, colour, opacity)] for every edge drawn as a line (in the traces
    named ``trace_names``) or as a path segment (in the SVG image of edges, if ``with_image``)."""
    locate = NeuronLocator(figure)
    found = []
    for t in figure.data:
        if t.name in trace_names:
            xy = np.column_stack([t.x, t.y]).reshape(-1, 3, 2)
            for start, end, gap in xy:
                assert np.isnan(gap).all()
                found.append((locate(*start), locate(*end), t.line.width, t.line.color, t.opacity))
    for path, colour, width, opacity in vector_paths(figure) if with_image else ():
        for numbers in re.findall(r"M([-\d.]+),([-\d.]+)L([-\d.]+),([-\d.]+)", path):
            x0, y0, x1, y1 = map(float, numbers)
            found.append((locate(x0, y0), locate(x1, y1), width, colour, opacity))
    return found


def caption(figure) -> str:
    """The edge legend as one line of text (it is wrapped with <br> to fit narrow columns)."""
    return figure.layout.annotations[-1].text.replace("<br>", " ")


def weight_of(network, source, target) -> float:
    return float(network.layers[target[0] - 1].weights[source[1], target[1]])


# ---- neurons -------------------------------------------------------------------------------


def test_neuron_colours_are_the_values_worked_by_hand():
    network = seed_example()
    figure = network_figure(network, forward(network))
    neurons = trace(figure, NEURON_TRACE)
    expected = seed_values_by_hand()
    for (position, index), colour in zip(neurons.customdata, neurons.marker.color):
        assert colour == pytest.approx(expected[int(position)][int(index)])
    assert len(neurons.customdata) == 9


def test_colour_scale_is_diverging_and_centred_on_zero():
    network = seed_example()
    neurons = trace(network_figure(network, forward(network)), NEURON_TRACE)
    assert neurons.marker.cmin == -neurons.marker.cmax
    assert neurons.marker.showscale
    scale = neurons.marker.colorscale
    assert scale[len(scale) // 2][1] in ("rgb(247,247,247)", "#f7f7f7")  # RdBu's neutral middle


def test_small_network_prints_name_and_value_on_each_neuron():
    network = seed_example()
    neurons = trace(network_figure(network, forward(network)), NEURON_TRACE)
    texts = dict(zip((tuple(map(int, c)) for c in neurons.customdata), neurons.text))
    assert texts[(0, 0)] == "IN1<br><b>0.5</b>"
    assert texts[(1, 0)] == "N1<br><b>0.93</b>"  # 0.5·2 + 0.1·4 + 0.2·(−3) + 0.13
    assert texts[(1, 1)] == "N2<br><b>6.04</b>"  # 0.5·8 + 0.1·9 + 0.2·5 + 0.14


def test_large_network_prints_values_only_where_markers_have_room():
    network = mnist_sized()
    result = forward(network)
    neurons = trace(network_figure(network, result), NEURON_TRACE)
    assert len(neurons.customdata) == 784 + 128 + 64 + 10
    texts = dict(zip((tuple(map(int, c)) for c in neurons.customdata), neurons.text))
    assert all(texts[(p, i)] == "" for p, size in enumerate([784, 128, 64]) for i in range(size))
    for j in range(10):  # the 10 softmax outputs have big markers: name and value
        assert texts[(3, j)] == f"N{j + 1}<br><b>{float(f'{result.output[j]:.3g}'):g}</b>"


def test_neuron_hover_names_z_a_bias_and_activation():
    network = seed_example()
    neurons = trace(network_figure(network, forward(network)), NEURON_TRACE)
    hover = dict(zip((tuple(map(int, c)) for c in neurons.customdata), neurons.hovertext))
    assert "z = 0.93" in hover[(1, 0)] and "a = 0.93" in hover[(1, 0)]
    assert "bias = 0.13" in hover[(1, 0)] and "relu" in hover[(1, 0)]
    assert "N2" in hover[(2, 1)] and "sigmoid" in hover[(2, 1)]


def test_headings_name_each_layer_with_its_activation():
    network = seed_example()
    texts = [a.text for a in network_figure(network, forward(network)).layout.annotations]
    assert any(t.startswith("<b>Input</b>") for t in texts)
    assert any(t.startswith("<b>Hidden 1</b>") and "ReLU" in t for t in texts)
    assert any(t.startswith("<b>Output</b>") and "sigmoid" in t for t in texts)


@pytest.mark.parametrize("name", ["Hidden 1", "Convolutionalish", "A very long hidden layer name", "x" * 40])
def test_heading_lines_are_short_enough_for_a_narrow_chart(name):
    """At 1024 px with the sidebar open layer columns are ~80 px apart: a line of 11 characters
    (~75 px at 13 px) fits, the old '4 neurons · leaky ReLU' (21) ran into the next heading."""
    network = seed_example().with_layer(1, name=name).with_layer(1, activation="leaky_relu")
    heading = network_figure(network, forward(network)).layout.annotations[1]
    lines = [re.sub(r"<[^>]+>", "", line) for line in heading.text.split("<br>")]
    assert all(len(line) <= 11 for line in lines), lines
    assert lines[-2:] == ["4 neurons", "leaky ReLU"]
    shown = "".join(lines[:-2]).replace("…", "").replace(" ", "")
    assert name.replace(" ", "").startswith(shown) and len(shown) >= min(len(name.replace(" ", "")), 15)


def test_long_layer_names_are_cut_in_the_heading_and_whole_on_hover():
    network = seed_example()
    long_name = "A very long hidden layer name <b>with markup</b>"
    network = network.with_layer(1, name=long_name)
    headings = [a for a in network_figure(network, forward(network)).layout.annotations if a.hovertext]
    hidden = [a for a in headings if "markup" in a.hovertext][0]
    # 22 characters at most: the first 21 of the name, then an ellipsis, on lines of 11 at most
    assert hidden.text.startswith("<b>A very long<br>hidden la…</b>")
    assert hidden.hovertext == "A very long hidden layer name &lt;b&gt;with markup&lt;/b&gt;"
    assert [a.text.split("</b>")[0] for a in headings if a is not hidden] == ["<b>Input", "<b>Output"]


# ---- edges ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [seed_example, lambda: initialized_network([30, 30, 30], "tanh", "uniform", seed=5)],
    ids=["small", "30-30-30"],
)
def test_every_weight_is_drawn_once_with_its_sign_colour(make):
    network = make()
    drawn = drawn_edges(network_figure(network, forward(network)))
    expected = {}
    for k, layer in enumerate(network.layers, start=1):
        for i in range(layer.n_in):
            for j in range(layer.size):
                expected[((k - 1, i), (k, j))] = float(layer.weights[i, j])
    assert sorted((s, t) for s, t, *_ in drawn) == sorted(expected)
    for source, target, _, colour, _ in drawn:
        assert colour == (POSITIVE_EDGE if expected[(source, target)] > 0 else NEGATIVE_EDGE)


@pytest.mark.parametrize(
    "make",
    [seed_example, lambda: initialized_network([30, 30, 30], "tanh", "xavier", seed=6)],
    ids=["small", "30-30-30"],
)
def test_edge_width_is_monotone_in_absolute_weight(make):
    network = make()
    drawn = drawn_edges(network_figure(network, forward(network)))
    by_layer: dict[int, list] = {}
    for source, target, width, *_ in drawn:
        by_layer.setdefault(target[0], []).append((abs(weight_of(network, source, target)), width))
    for pairs in by_layer.values():
        pairs.sort()
        widths = [width for _, width in pairs]
        assert widths == sorted(widths)
        assert widths[-1] > widths[0]


def test_widths_are_scaled_within_each_matrix():
    network = seed_example()
    drawn = drawn_edges(network_figure(network, forward(network)))
    w1 = {(s, t): w for s, t, w, *_ in drawn if t[0] == 1}
    w2 = {(s, t): w for s, t, w, *_ in drawn if t[0] == 2}
    assert w1[(0, 1), (1, 1)] == max(w1.values())  # W1[2,2] = 9, the largest of W1
    assert w2[(1, 2), (2, 1)] == max(w2.values())  # W2[3,2] = 0.5, the largest of W2
    assert w2[(1, 2), (2, 1)] == w1[(0, 1), (1, 1)]
    assert w2[(1, 1), (2, 0)] == min(w2.values()) < w2[(1, 2), (2, 1)]  # W2[2,1] = 0.1
    assert w1[(0, 0), (1, 2)] == min(w1.values()) < w1[(0, 0), (1, 0)]  # W1[1,3] = -1 < W1[1,1] = 2
    legend = caption(network_figure(network, forward(network)))
    assert "W1 9," in legend and "W2 0.5)" in legend


def test_the_caption_is_wrapped_to_the_line_length_asked_for_and_the_margin_holds_its_lines():
    network = seed_example()
    wide = network_figure(network, forward(network)).layout.annotations[-1].text.split("<br>")
    narrow_figure = network_figure(network, forward(network), caption_line_chars=36)
    narrow = narrow_figure.layout.annotations[-1].text.split("<br>")
    visible = [re.sub(r"<[^>]+>", "", line) for line in narrow]
    # Phrases of 30, 15, 35, 12, 5 and 7 characters: 30 + 1 + 15 > 36, 15 + 1 + 35 > 36,
    # 35 + 1 + 12 > 36, and the last line takes 12 + 1 + 5 + 1 + 7 = 26.
    assert visible == [
        "Edges: blue = positive weight,",
        "red = negative;",
        "width ∝ |weight| within each matrix",
        "(widest |w|: W1 9, W2 0.5)",
    ]
    assert all(len(line) <= 36 for line in visible) and len(narrow) > len(wide)
    assert " ".join(visible) == " ".join(re.sub(r"<[^>]+>", "", line) for line in wide)  # the same words
    # 16 px a line, 6 px below them: the bottom margin grows with the lines.
    assert narrow_figure.layout.margin.b == 6 + 16 * len(narrow)


def test_zero_weights_are_not_drawn_and_the_caption_says_so():
    network = seed_example()
    network = network.with_weight(1, 0, 0, 0.0).with_weight(2, 3, 1, 0.0)
    figure = network_figure(network, forward(network))
    pairs = {(s, t) for s, t, *_ in drawn_edges(figure)}
    assert ((0, 0), (1, 0)) not in pairs and ((1, 3), (2, 1)) not in pairs
    assert len(pairs) == 18
    assert "2 zero weights not drawn" in caption(figure)


def test_edge_hover_names_each_weight_in_small_networks():
    network = seed_example()
    hover = trace(network_figure(network, forward(network)), "weights").hovertext
    assert len(hover) == 20
    assert any(text.startswith("<b>W1[2,2]</b> = 9<br>IN2 → N2") for text in hover)
    assert any(text.startswith("<b>W2[3,2]</b> = 0.5<br>N3 → N2") for text in hover)


def test_edge_values_printed_on_request():
    network = seed_example()
    plain = network_figure(network, forward(network))
    labelled = network_figure(network, forward(network), show_edge_values=True)
    added = [a.text for a in labelled.layout.annotations[len(plain.layout.annotations) - 1 : -1]]
    assert sorted(added) == sorted(str(w).removesuffix(".0") for row in SEED_W1 + SEED_W2 for w in row)


@pytest.mark.parametrize(
    "sizes", [[2, 2], [8, 8, 8, 8, 2], [30, 30, 30], [200, 200, 200, 200], [784, 128, 64, 10], [1024, 512, 256, 10]]
)
def test_trace_shape_and_image_counts_stay_bounded(sizes):
    network = initialized_network(sizes, "relu", "he", seed=1)
    figure = network_figure(network, forward(network), selected=(len(sizes) - 1, 0), computed_through=(1, 0))
    levels = THINNEST_LEVEL + 1
    # the selection's lines: 2 signs × levels; + neurons, pending, ring, 2 hover traces
    assert len(figure.data) <= 2 * levels + 5
    assert not figure.layout.shapes
    assert len(vector_paths(figure)) <= 2 * levels * (len(sizes) - 1)
    assert len(figure.layout.images) <= len(sizes) - 1  # a PNG per dense layer, one SVG for the rest


def test_dense_layers_become_an_image_named_in_the_caption():
    network = mnist_sized()
    figure = network_figure(network, forward(network))
    (image,) = [image for image in figure.layout.images if image.source.startswith("data:image/png")]
    assert (image.x, image.sizex, image.y, image.sizey) == (0, 1, 0.5, 1)
    assert image.source.startswith("data:image/png;base64,")
    assert "W1:" in caption(figure) and "image" in caption(figure)
    drawn = drawn_edges(figure)  # W2 and W3 stay vector paths
    assert len(drawn) == 128 * 64 + 64 * 10


def test_raster_ink_in_every_pixel_column_adds_up_to_the_summed_weights():
    network = initialized_network([300, 100], "relu", "uniform", seed=2)
    layer = network.layers[0]
    largest = max(abs(w) for row in layer.weights.tolist() for w in row)
    positive_total = sum(w for row in layer.weights.tolist() for w in row if w > 0) / largest
    negative_total = sum(-w for row in layer.weights.tolist() for w in row if w < 0) / largest
    ink = layer_ink(layer, 1 / 299, 1 / 99)
    assert ink.shape[2] == IMAGE_COLUMNS
    assert np.allclose(ink[0].sum(axis=0), positive_total, rtol=1e-4)
    assert np.allclose(ink[1].sum(axis=0), negative_total, rtol=1e-4)


def test_raster_puts_a_horizontal_edge_on_its_own_row():
    # One weight, IN1 → N1, both at the top of equal columns: every pixel column has ink only
    # in the top rows, none lower down.
    network = initialized_network([200, 200], "linear", "zeros").with_weight(1, 0, 0, 2.0)
    positive, negative = layer_ink(network.layers[0], 1 / 199, 1 / 199)
    assert negative.sum() == 0
    assert np.allclose(positive.sum(axis=0), 1.0)  # 2.0 in units of the largest |w|, 2.0
    assert positive[5:].sum() == 0


# ---- selection and step-through ------------------------------------------------------------


def test_selected_neuron_incoming_edges_are_emphasised():
    network = seed_example()
    figure = network_figure(network, forward(network), selected=(1, 1))
    emphasised = drawn_edges(figure, trace_names=("selected neuron's weights",), with_image=False)
    assert sorted((s, t) for s, t, *_ in emphasised) == [((0, 0), (1, 1)), ((0, 1), (1, 1)), ((0, 2), (1, 1))]
    width = {s: w for s, t, w, *_ in emphasised}
    assert width[(0, 1)] > width[(0, 2)]  # 9 drawn wider than 5
    plain = network_figure(network, forward(network))
    dimmed = {(colour, width): opacity for _, colour, width, opacity in vector_paths(figure)}
    normal = {(colour, width): opacity for _, colour, width, opacity in vector_paths(plain)}
    assert dimmed.keys() == normal.keys()
    assert all(dimmed[key] < normal[key] for key in normal)
    ring = trace(figure, "selected neuron")
    assert (ring.x[0], ring.y[0]) == (trace(plain, NEURON_TRACE).x[4], trace(plain, NEURON_TRACE).y[4])


def test_selection_in_a_vector_drawn_network_picks_one_column_of_the_matrix():
    network = initialized_network([30, 30, 30], "tanh", "uniform", seed=9)
    figure = network_figure(network, forward(network), selected=(2, 7))
    emphasised = drawn_edges(figure, trace_names=("selected neuron's weights",), with_image=False)
    assert sorted(s for s, t, *_ in emphasised) == [(1, i) for i in range(30)]
    assert {t for s, t, *_ in emphasised} == {(2, 7)}
    assert all(opacity < 0.5 for *_, opacity in vector_paths(figure))


def test_step_through_greys_out_the_neurons_not_yet_computed():
    network = seed_example()
    figure = network_figure(network, forward(network), computed_through=(1, 1))
    pending = trace(figure, PENDING_TRACE)
    assert [tuple(map(int, c)) for c in pending.customdata] == [(1, 2), (1, 3), (2, 0), (2, 1)]
    assert all(not re.search(r"\d\.\d", text) for text in pending.text)
    known = [tuple(map(int, c)) for c in trace(figure, NEURON_TRACE).customdata]
    assert known == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]


def test_step_through_before_the_first_layer_keeps_the_input_known():
    network = seed_example()
    figure = network_figure(network, forward(network), computed_through=(0, 2))
    assert len(trace(figure, PENDING_TRACE).customdata) == 6
    assert [tuple(map(int, c)) for c in trace(figure, NEURON_TRACE).customdata] == [(0, 0), (0, 1), (0, 2)]


def test_everything_computed_means_no_pending_trace():
    network = seed_example()
    figure = network_figure(network, forward(network), computed_through=(2, 1))
    assert not [t for t in figure.data if t.name == PENDING_TRACE]


def test_backward_step_emphasises_the_given_edges_and_greys_the_given_neurons():
    # δ of hidden N2 uses W2[2,1] = 0.1 and W2[2,2] = -0.2, its outgoing edges (N2 → output N1, N2).
    network = seed_example()
    figure = network_figure(
        network, forward(network), selected=(1, 1), pending=[(1, 2), (1, 3)], emphasised_edges=[(2, 1, 0), (2, 1, 1)]
    )
    emphasised = drawn_edges(figure, trace_names=("edges used",), with_image=False)
    assert sorted((s, t) for s, t, *_ in emphasised) == [((1, 1), (2, 0)), ((1, 1), (2, 1))]
    colours = {t: colour for s, t, width, colour, opacity in emphasised}
    assert colours == {(2, 0): POSITIVE_EDGE, (2, 1): NEGATIVE_EDGE}
    assert not [t for t in figure.data if t.name == "selected neuron's weights"]
    assert [tuple(map(int, c)) for c in trace(figure, PENDING_TRACE).customdata] == [(1, 2), (1, 3)]
    assert all(opacity < 0.5 for *_, opacity in vector_paths(figure))
    hover = [t for t in figure.data if t.name == "weights"][-1]
    assert list(hover.hovertext) == ["<b>W2[2,1]</b> = 0.1<br>N2 → N1", "<b>W2[2,2]</b> = -0.2<br>N2 → N2"]
    nothing_used = network_figure(network, forward(network), emphasised_edges=())
    assert not [t for t in nothing_used.data if t.name == "edges used"]
    assert all(opacity < 0.5 for *_, opacity in vector_paths(nothing_used))


@pytest.mark.parametrize(
    "argument, message",
    [({"pending": [(1, 4)]}, "no neuron"), ({"emphasised_edges": [(3, 0, 0)]}, "no weighted layer")],
)
def test_backward_options_outside_the_network_are_refused(argument, message):
    network = seed_example()
    with pytest.raises(ValueError, match=message):
        network_figure(network, forward(network), **argument)


@pytest.mark.parametrize("argument", [{"selected": (3, 0)}, {"selected": (1, 4)}, {"computed_through": (0, -1)}])
def test_a_neuron_outside_the_network_is_refused(argument):
    network = seed_example()
    with pytest.raises(ValueError, match="no neuron"):
        network_figure(network, forward(network), **argument)


def test_a_batch_result_is_refused():
    network = seed_example()
    with pytest.raises(ValueError, match="one input"):
        network_figure(network, forward(network, np.ones((2, 3))))


# ---- caching -------------------------------------------------------------------------------


def test_editing_one_layer_rebuilds_only_that_layers_edge_data():
    network = initialized_network([40, 40, 40, 40], "relu", "uniform", seed=4)
    network_figure(network, forward(network))
    before = edge_cache.layer_paths.cache_info()
    edited = network.with_weight(2, 3, 3, 0.75)
    network_figure(edited, forward(edited))
    after = edge_cache.layer_paths.cache_info()
    assert after.misses - before.misses == 1
    assert after.hits - before.hits == 2


def test_json_round_trip_keeps_customdata():
    network = seed_example()
    figure = json.loads(network_figure(network, forward(network)).to_json())
    neurons = [t for t in figure["data"] if t.get("name") == NEURON_TRACE][0]
    assert "customdata" in neurons
    assert [t.get("name") for t in figure["data"] if "customdata" in t] == [NEURON_TRACE]


@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize(
    "options", [{}, {"selected": (1, 0), "show_edge_values": True}, {"computed_through": (1, 0)}], ids=str
)
def test_plotly_checking_every_value_takes_the_diagram_as_it_is(preset, options):
    """The diagram is built without plotly.py's checks (figure.UNCHECKED, for speed): rebuilt from
    its JSON by plotly.py with every property and value checked, it raises nothing and comes out
    the same — no misspelt property or bad value reaches the browser."""
    network = PRESETS[preset]()
    sent = network_figure(network, forward(network), **options).to_json()
    checked = go.Figure(json.loads(sent))  # a bad property or value raises ValueError
    checked.layout.template = None  # as network_figure removes it
    assert json.loads(checked.to_json()) == json.loads(sent)


# ---- what Plotly.react compares: the browser draws a chart once, not again for a copy ------------


def plain_json(figure) -> dict:
    return json.loads(figure.to_json())


def test_figure_json_has_plain_arrays_and_no_template():
    """plotly.js's Plotly.react takes a base64 typed array (plotly.py's encoding of numpy arrays)
    or a template object for a change whenever it gets a copy, and redraws the whole chart."""
    network = seed_example()
    figure = network_figure(network, forward(network), selected=(1, 1))
    text = figure.to_json()
    assert "bdata" not in text and "dtype" not in text
    layout = json.loads(text)["layout"]
    assert "template" not in layout
    assert layout["meta"] == ["svg", 20]  # how edges are drawn, 3×4 + 4×2 edges
    neurons = [t for t in json.loads(text)["data"] if t["name"] == NEURON_TRACE][0]
    assert neurons["customdata"] == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2], [1, 3], [2, 0], [2, 1]]
    assert neurons["marker"]["color"] == pytest.approx([v for layer in seed_values_by_hand() for v in layer])


def test_data_revision_follows_the_numbers_and_nothing_else():
    network = seed_example()
    revision = plain_json(network_figure(network, forward(network)))["layout"]["datarevision"]
    rebuilt = seed_example()  # equal numbers, other objects
    assert plain_json(network_figure(rebuilt, forward(rebuilt)))["layout"]["datarevision"] == revision
    renamed = replace(network, name="another name")
    assert plain_json(network_figure(renamed, forward(renamed)))["layout"]["datarevision"] == revision
    changed = [
        network.with_weight(1, 2, 3, 7.5),
        network.with_layer(2, bias=np.array([0.1, -0.25])),
        network.with_input(np.array([0.5, 0.1, 0.3])),
    ]
    revisions = {plain_json(network_figure(n, forward(n)))["layout"]["datarevision"] for n in changed}
    selected = plain_json(network_figure(network, forward(network), selected=(2, 0)))["layout"]["datarevision"]
    assert len(revisions | {selected, revision}) == 5


@pytest.mark.parametrize(
    "sizes, width",
    [
        ([3, 4, 2], 560),
        ([3, 2], 560),
        ([2, 3, 3, 2], 560),
        ([4, 4, 4, 4, 4, 2], 6 * 110 + 120),
        ([2] * 8, 8 * 110 + 120),
        ([2] * 10, 1200),
        ([2] * 17, 1200),
    ],
)
def test_figure_width_is_a_column_per_layer_within_bounds(sizes, width):
    network = initialized_network(sizes, "tanh", "xavier", seed=1)
    assert network_figure(network, forward(network)).layout.width == width


# ---- the render command --------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlpsim", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def seed_file(tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(dumps(seed_example()))
    return path


def test_render_html_is_standalone(seed_file, tmp_path):
    result = run_cli("render", str(seed_file), "-o", str(tmp_path / "net.html"))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "net.html").read_text()
    assert len(html) > 3_000_000  # plotly.js embedded
    assert not re.search(r"<script[^>]+src=[\"']https?:", html)
    assert "IN1" in html and "W1[2,2]" in html


def test_render_json_holds_the_figure_with_the_given_input(seed_file, tmp_path):
    result = run_cli("render", str(seed_file), "-o", str(tmp_path / "net.json"), "--input", "1,0,0")
    assert result.returncode == 0, result.stderr
    figure = json.loads((tmp_path / "net.json").read_text())
    neurons = [t for t in figure["data"] if t.get("name") == NEURON_TRACE][0]
    assert "N1<br><b>2.13</b>" in neurons["text"]  # 1·2 + 0.13


def test_render_png_uses_the_local_chromium(seed_file, tmp_path):
    result = run_cli("render", str(seed_file), "-o", str(tmp_path / "net.png"))
    assert result.returncode == 0, result.stderr
    data = (tmp_path / "net.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (2800, 2 * network_figure(seed_example(), forward(seed_example())).layout.height)


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["-o", "{tmp}/net.txt"], "suffix"),
        (["-o", "{tmp}/missing/net.html"], "does not exist"),
        (["-o", "{tmp}/net.html", "--input", "1,2"], "--input has 2 values"),
        (["-o", "{tmp}/net.html", "--input", "1,x,2"], "not a number"),
    ],
)
def test_render_bad_input_is_one_error_line_and_exit_2(seed_file, tmp_path, arguments, message):
    result = run_cli("render", str(seed_file), *(a.format(tmp=tmp_path) for a in arguments))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr


def test_failed_render_leaves_an_existing_file_untouched(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "mlpsim.network", "version": 1, "input": {"size": 2}, "layers": []}')
    target = tmp_path / "net.html"
    target.write_text("my earlier diagram")
    result = run_cli("render", str(broken), "-o", str(target))
    assert result.returncode == 2 and result.stderr.startswith("error: ")
    assert target.read_text() == "my earlier diagram"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.json", "net.html"]  # no temporary left


def test_replacing_a_layer_object_is_what_invalidates_its_cache():
    network = initialized_network([40, 40], "relu", "uniform", seed=4)
    same_numbers = replace(network, layers=(replace(network.layers[0]),))
    network_figure(network, forward(network))
    before = edge_cache.layer_paths.cache_info().misses
    network_figure(same_numbers, forward(same_numbers))
    assert edge_cache.layer_paths.cache_info().misses == before + 1


def test_a_matrix_of_zeros_draws_no_edges_and_says_so():
    network = initialized_network([3, 3], "relu", "zeros")
    figure = network_figure(network, forward(network))
    assert drawn_edges(figure) == []
    assert "9 zero weights not drawn" in caption(figure)


@pytest.mark.parametrize("sizes", [[2, 2], [200, 150]])
def test_extreme_weights_draw_without_overflow(sizes):
    network = initialized_network(sizes, "linear", "zeros")
    network = network.with_weight(1, 0, 0, 1e308).with_weight(1, 1, 1, -1e308).with_weight(1, 0, 1, 5e-324)
    figure = network_figure(network, forward(network))  # RuntimeWarnings are errors here
    assert figure.layout.meta[1] == sizes[0] * sizes[1]  # [how edges are drawn, edge count]
    if sizes[0] * sizes[1] <= 400:
        width = {(s, t): w for s, t, w, *_ in drawn_edges(figure)}
        assert width[(0, 0), (1, 0)] == width[(0, 1), (1, 1)] > width[(0, 0), (1, 1)]


def test_a_big_network_colours_each_layer_by_its_own_largest_value():
    # 64 inputs with one at 100, the rest at 1: on one shared scale the other 63 would be 1/100 of
    # the bar; per layer they are 0.01, and the output layer's own largest value is ±1.
    from mlpsim.core.forward import forward
    from mlpsim.core.network import Layer, Network

    inputs = np.ones(64)
    inputs[5] = 100.0
    network = Network(
        input_size=64,
        input_values=inputs,
        layers=(Layer(weights=np.full((64, 2), 0.01), bias=np.array([0.0, -10.0]), activation="linear"),),
    )
    figure = network_figure(network, forward(network))
    neurons = next(trace for trace in figure.data if trace.name == "neurons")
    colours = np.asarray(neurons.marker.color, dtype=float)
    # by hand: z1 = 0.01·(63 + 100) = 1.63, z2 = 1.63 − 10 = −8.37; each layer ÷ its largest |value|
    assert colours[5] == 1.0 and colours[0] == 0.01
    assert abs(colours[64] - 1.63 / 8.37) < 1e-12
    assert colours[65] == -1.0
    assert (neurons.marker.cmin, neurons.marker.cmax) == (-1.0, 1.0)
    assert "largest" in neurons.marker.colorbar.title.text
