"""Workshop costs: exercise generation, worksheet size and build time, and one step-through step
(arithmetic + diagram) on the seed example and on the 784-128-64-10 preset.

    python benchmarks/workshop.py

Prints the best and median of several runs. Timings on a shared machine are noisy; the best is
the figure to compare.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlpsim.core.forward import forward  # noqa: E402
from mlpsim.explain.stepper import step_at, step_count, step_working  # noqa: E402
from mlpsim.io.presets import mnist_sized, seed_example  # noqa: E402
from mlpsim.render.figure import network_figure  # noqa: E402
from mlpsim.workshop.exercise import ExerciseSpec, make_exercise  # noqa: E402
from mlpsim.workshop.worksheet import build_worksheet, worksheet_html, worksheet_markdown  # noqa: E402


def timed(function, repeats: int = 7) -> tuple[float, float]:
    """(best, median) seconds of ``function()``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def report(label: str, seconds: tuple[float, float]) -> None:
    best, median = seconds
    print(f"{label:<58} best {best * 1000:9.2f} ms   median {median * 1000:9.2f} ms")


def main() -> None:
    for difficulty in ("easy", "medium", "hard"):
        report(
            f"make_exercise, {difficulty} (100 seeds)",
            timed(lambda: [make_exercise(ExerciseSpec(seed, difficulty)) for seed in range(100)], repeats=3),
        )
    for count in (3, 30):
        sheet = build_worksheet(5, "hard", count=count)
        page, text = worksheet_html(sheet), worksheet_markdown(sheet)
        report(
            f"worksheet hard ×{count}: build + HTML",
            timed(lambda: worksheet_html(build_worksheet(5, "hard", count=count)), 3),
        )
        print(f"{'':<58} HTML {len(page.encode()):,} bytes, Markdown {len(text.encode()):,} bytes")
    for name, network in (("seed example 3-4-2", seed_example()), ("784-128-64-10", mnist_sized())):
        result = forward(network)
        middle = step_at(network, step_count(network) // 2)
        report(
            f"{name}: step_working at step {middle.index} of {middle.total}",
            timed(lambda: step_working(network, result, middle)),
        )
        report(
            f"{name}: network_figure with computed_through + selected",
            timed(
                lambda: network_figure(
                    network, result, selected=middle.selected, computed_through=middle.computed_through
                ),
                repeats=5,
            ),
        )
        figure = network_figure(network, result, selected=middle.selected, computed_through=middle.computed_through)
        print(f"{'':<58} figure JSON {len(figure.to_json()):,} characters")


if __name__ == "__main__":
    main()
