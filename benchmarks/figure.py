"""Diagram benchmark: server build + serialise, payload size, plotly.js draw time in Chromium.

    python benchmarks/figure.py [--repeat 3]

For each network it prints:
- server, cold: network_figure(...) + to_json() with every per-layer cache empty (first view);
- server, edit: the same after one weight of the last matrix changed (an app rerun: the other
  layers' edge data come from the caches); both medians of --repeat runs;
- payload: bytes of the figure JSON the browser receives;
- draw: headless Debian Chromium (software rendering), from Plotly.react() on an empty plot to
  its ``plotly_afterplot`` event, median of --repeat fresh pages (JSON parsing not included).
Timings on a shared 2-core machine are noisy: run it when nothing else is busy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import plotly.offline

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from mlpsim.core.forward import forward  # noqa: E402
from mlpsim.core.initializers import initialized_network  # noqa: E402
from mlpsim.io.presets import mnist_sized, seed_example  # noqa: E402
from mlpsim.render import edges, raster  # noqa: E402
from mlpsim.render.figure import network_figure  # noqa: E402

TARGETS = {  # (server s, payload bytes, draw s), from issue 3
    "3-4-2": (0.020, 50_000, 0.2),
    "8-8-8-8-2": (0.020, 50_000, 0.2),
    "784-128-64-10": (0.100, 1_000_000, 0.5),
    "1024-1024-1024-10": (2.0, 3_000_000, 1.0),
}

PAGE = """<!doctype html><html><head><meta charset="utf-8"></head>
<body style="margin:0"><div id="plot" style="width:1200px"></div></body></html>"""

DRAW = """async (figure) => {
  const plot = document.getElementById('plot');
  await Plotly.newPlot(plot, [], {height: figure.layout.height});
  const drawn = new Promise(resolve => plot.on('plotly_afterplot', () => resolve(performance.now())));
  const start = performance.now();
  Plotly.react(plot, figure.data, figure.layout);
  return (await drawn) - start;
}"""


def networks():
    random = np.random.default_rng(0)
    big = initialized_network([1024, 1024, 1024, 10], ["relu", "relu", "softmax"], "he", seed=0)
    return {
        "3-4-2": seed_example(),
        "8-8-8-8-2": replace(
            initialized_network([8, 8, 8, 8, 2], ["tanh", "tanh", "tanh", "sigmoid"], "xavier", seed=0),
            input_values=random.uniform(-1, 1, 8),
        ),
        "784-128-64-10": mnist_sized(),
        "1024-1024-1024-10": replace(big, input_values=random.uniform(0, 1, 1024)),
    }


def clear_caches() -> None:
    for cached in (edges.layer_summary, edges.layer_edges, edges.layer_paths, raster.layer_image):
        cached.cache_clear()


def server_seconds(network, repeat: int) -> tuple[float, float, str]:
    """Medians over ``repeat`` runs of (cold build, build after a one-weight edit), and the JSON."""
    cold, edit = [], []
    last = len(network.layers)
    for step in range(repeat):
        clear_caches()
        start = time.perf_counter()
        payload = network_figure(network, forward(network)).to_json()
        cold.append(time.perf_counter() - start)
        edited = network.with_weight(last, 0, 0, float(network.layers[-1].weights[0, 0]) + 0.5 + step)
        start = time.perf_counter()
        network_figure(edited, forward(edited)).to_json()
        edit.append(time.perf_counter() - start)
    return statistics.median(cold), statistics.median(edit), payload


def draw_seconds(browser, plotly_js: str, payload: str, repeat: int) -> float:
    figure = json.loads(payload)
    times = []
    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.set_content(PAGE)
        page.add_script_tag(content=plotly_js)
        times.append(page.evaluate(DRAW, figure) / 1000.0)
        page.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    plotly_js = plotly.offline.get_plotlyjs()
    network_figure(seed_example(), forward(seed_example())).to_json()  # plotly's one-off imports
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for name, network in networks().items():
            cold, edit, payload = server_seconds(network, args.repeat)
            draw = draw_seconds(browser, plotly_js, payload, args.repeat)
            edges_drawn = json.loads(payload)["layout"]["meta"][0]  # [how edges are drawn, edge count]
            rows.append((name, cold, edit, len(payload), draw, edges_drawn))
        browser.close()
    print(f"{'network':<20} {'server cold':>12} {'server edit':>12} {'payload':>11} {'draw':>8}  edges as      targets")
    for name, cold, edit, size, draw, drawn in rows:
        server_target, size_target, draw_target = TARGETS[name]
        print(
            f"{name:<20} {cold * 1000:>9.0f} ms {edit * 1000:>9.0f} ms {size / 1000:>8.0f} kB {draw:>6.2f} s"
            f"  {drawn:<13} ≤ {server_target * 1000:.0f} ms, ≤ {size_target / 1000:.0f} kB, ≤ {draw_target} s"
        )


if __name__ == "__main__":
    main()
