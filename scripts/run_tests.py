"""`make test`, `make check` and `make lint`: the checks in phases, each timed, with one closing line.

    python scripts/run_tests.py [PHASE ...]      # default: every phase, in this order

- lint      ruff, ruff format, import-linter's layer contracts, mypy
- unit      every test that drives no browser, two processes (pytest-xdist; CPU-bound, two cores)
- browser   the tests that drive Chromium against a real `streamlit run`, in more processes than
            cores: one alone keeps the cores ~27 % busy (it waits for the page), four ~90 %
- timing    the tests that assert a latency (Pause within half a second, …), one at a time and
            with nothing else running, so a busy neighbour cannot make them late
- numerics  the tests whose numbers come from numpy's BLAS again under every other OpenBLAS
            kernel this CPU runs (tests/blas_kernels.py): kernels sum in different orders. Each
            rerun first shows the kernel OpenBLAS really took, and fails if it is not the one asked

Each pytest phase writes a JUnit report; the closing line adds them up ("N passed, N failed").
The exit status is the first failing phase's, after every phase has run, so one run shows every
failure. Set MLPSIM_TEST_WORKERS to change the browser phase's number of processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent

sys.path.insert(0, str(ROOT / "tests"))
from blas_kernels import active_kernel, runnable_kernels  # noqa: E402

NUMERICS_TESTS = [
    "tests/test_forward.py",
    "tests/test_activations.py",
    "tests/test_arithmetic.py",
    "tests/test_cli.py",
    "tests/test_losses.py",
    "tests/test_backward.py",
    "tests/test_training.py",
    "tests/test_datasets.py",
    "tests/test_gradient_working.py",
    "tests/test_optimizer_registry.py",
    "tests/test_dataset_registry.py",
]
"""The tests whose results go through numpy's BLAS (matrix products, sums): run under each kernel."""

BROWSER_WORKERS = int(os.environ.get("MLPSIM_TEST_WORKERS", "4"))
"""Four processes, each with its own Streamlit server and Chromium: one alone keeps the two cores
~27 % busy, four ~90 % (docs/testing.md has the measurements)."""


@dataclass(frozen=True)
class Counts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.passed + other.passed, self.failed + other.failed, self.skipped + other.skipped)


@dataclass(frozen=True)
class Command:
    """One command of a phase: its arguments, the environment it adds, and the JUnit report a
    pytest writes (None for the lint tools)."""

    arguments: list[str]
    environment: dict[str, str]
    report: Path | None = None

    def shown(self) -> str:
        words = [f"{key}={value}" for key, value in self.environment.items()]
        return " ".join(words + (self.arguments[1:] if self.arguments[0] == PYTHON else self.arguments))


def junit_counts(report: Path) -> Counts:
    """Passed, failed (failures + errors) and skipped tests of a pytest JUnit report."""
    root = ElementTree.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return Counts(total - failed - skipped, failed, skipped)


def pytest(report: Path, *arguments: str, environment: dict[str, str] | None = None) -> Command:
    return Command([PYTHON, "-m", "pytest", *arguments, f"--junitxml={report}"], environment or {}, report)


def parallel(workers: int) -> list[str]:
    # worksteal: a worker that runs out takes tests queued for a busy one (browser tests vary
    # from 2 s to over a minute, so a fixed split would leave one worker finishing alone).
    return ["-n", str(workers), "--dist", "worksteal"]


def other_kernels() -> list[str]:
    """The OpenBLAS kernels this CPU runs, less the one the full run used."""
    active = active_kernel().lower()
    return [kernel for kernel in runnable_kernels() if not active.endswith(f"kernel {kernel.lower()}")]


def phase_commands(name: str, reports: Path) -> list[Command]:
    """The commands of one phase."""
    report = reports / f"{name}.xml"
    if name == "lint":
        return [
            Command([PYTHON, "-m", "ruff", "check", "."], {}),
            Command([PYTHON, "-m", "ruff", "format", "--check", "."], {}),
            Command([str(BIN / "lint-imports")], {}),
            Command([PYTHON, "-m", "mypy"], {}),
        ]
    if name == "unit":
        return [pytest(report, "-m", "not browser and not timing", *parallel(2), "--durations=10")]
    if name == "browser":
        return [pytest(report, "-m", "browser and not timing", *parallel(BROWSER_WORKERS), "--durations=10")]
    if name == "timing":
        return [pytest(report, "-m", "timing", "-p", "no:xdist")]
    if name == "numerics":
        # One process each: worker start-up ate what two processes gained (~19 s either way).
        commands = []
        for kernel in other_kernels():
            environment = {"OPENBLAS_CORETYPE": kernel}
            commands.append(Command([PYTHON, str(ROOT / "tests" / "blas_kernels.py"), "--expect", kernel], environment))
            commands.append(
                pytest(reports / f"{name}-{kernel}.xml", *NUMERICS_TESTS, "-p", "no:xdist", environment=environment)
            )
        if not commands:
            print(
                f"== numerics: no OpenBLAS kernel but this one ({active_kernel()}) runs here: ran under one kernel only"
            )
        return commands
    raise SystemExit(f"unknown phase {name!r}: choose from {', '.join(PHASES)}")


PHASES = ("lint", "unit", "browser", "timing", "numerics")


def main(argv: list[str]) -> int:
    wanted = argv or list(PHASES)
    for name in wanted:
        if name not in PHASES:
            print(f"unknown phase {name!r}: choose from {', '.join(PHASES)}", file=sys.stderr)
            return 2
    status, timings, failed_checks = 0, [], 0
    with tempfile.TemporaryDirectory(prefix="mlpsim-tests-") as folder:
        reports = Path(folder)
        for name in wanted:
            began = time.monotonic()
            for command in phase_commands(name, reports):
                print(f"\n== {name}: {command.shown()}", flush=True)
                code = subprocess.run(command.arguments, cwd=ROOT, env={**os.environ, **command.environment}).returncode
                if code == 5 and name == "timing":
                    code = 0  # pytest's "no tests collected": no latency test selected
                if code and (command.report is None or not command.report.exists()):
                    failed_checks += 1  # a lint command, or a pytest that stopped before its report: one failure
                if code and not status:
                    status = code
            timings.append((name, time.monotonic() - began))
        counts = sum((junit_counts(report) for report in sorted(reports.glob("*.xml"))), Counts(failed=failed_checks))
    print("\n== phases: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings))
    print(
        f"== total {sum(seconds for _, seconds in timings):.0f} s" + ("" if status == 0 else f", exit status {status}")
    )
    closing = f"{counts.passed} passed, {counts.failed} failed"
    print(closing + (f", {counts.skipped} skipped" if counts.skipped else ""))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
