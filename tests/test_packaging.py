"""The package as pip installs it: dependencies declared once and in agreement with the pins of
requirements*.txt, and (slow) a wheel installed with its app extra into a fresh virtual
environment, whose `mlpsim` command computes and whose `mlpsim app` serves the page."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, copy_of_the_checkout, free_port
from packaging.requirements import Requirement

from mlpsim.io.fileformat import dumps
from mlpsim.io.presets import seed_example

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def pins(path: Path) -> dict[str, str]:
    """name → pinned version of a requirements file (its -r includes left out)."""
    pinned = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            (version,) = [spec.version for spec in requirement.specifier if spec.operator == "=="]
            pinned[requirement.name.lower()] = version
    return pinned


def declared(*groups: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    listed = list(project["dependencies"]) if "core" in groups else []
    for group in groups:
        listed += project["optional-dependencies"].get(group, [])
    return [Requirement(text) for text in listed]


def test_requirements_txt_pins_exactly_the_core_and_app_dependencies_within_their_ranges():
    runtime = pins(ROOT / "requirements.txt")
    wanted = declared("core", "app")
    assert sorted(runtime) == sorted({requirement.name.lower() for requirement in wanted})
    for requirement in wanted:
        assert requirement.specifier.contains(runtime[requirement.name.lower()]), requirement


def test_test_pins_satisfy_the_onnx_extra():
    everything = {**pins(ROOT / "requirements.txt"), **pins(ROOT / "requirements-dev.txt")}
    for requirement in declared("onnx"):
        assert requirement.specifier.contains(everything[requirement.name.lower()]), requirement


def test_the_console_script_is_the_cli():
    assert PYPROJECT["project"]["scripts"] == {"mlpsim": "mlpsim.cli:main"}


@pytest.mark.slow
def test_installed_into_a_fresh_venv_the_commands_and_the_app_work(tmp_path):
    source = copy_of_the_checkout(tmp_path / "source")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python, command = venv / "bin" / "python", venv / "bin" / "mlpsim"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", f"{source}[app]"], capture_output=True, text=True, timeout=900
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"  # not the source tree: the installed files must be enough
    elsewhere.mkdir()
    (elsewhere / "seed.json").write_text(dumps(seed_example()))
    environment = {
        key: value for key, value in os.environ.items() if key not in ("PYTHONPATH",) and not key.startswith("MLPSIM_")
    }
    done = subprocess.run(
        [str(command), "forward", "seed.json"],
        cwd=elsewhere,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # The seed example by hand: output z = [1.568, -1.366], then the sigmoid.
    assert json.loads(done.stdout)["output"] == pytest.approx([1 / (1 + math.exp(-1.568)), 1 / (1 + math.exp(1.366))])
    done = subprocess.run(
        [str(command), "export", "seed.json", "-o", "seed.onnx"],
        cwd=elsewhere,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and (elsewhere / "seed.onnx").stat().st_size > 100, done.stderr

    port = free_port()
    log = (tmp_path / "app.log").open("w")
    server = subprocess.Popen(
        [
            str(command),
            "app",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=elsewhere,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline, healthy = time.monotonic() + 90, False
        while time.monotonic() < deadline and not healthy:
            assert server.poll() is None, (tmp_path / "app.log").read_text()[-2000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    healthy = answer.status == 200
            except OSError:
                time.sleep(0.5)
        assert healthy, (tmp_path / "app.log").read_text()[-2000:]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as answer:
            assert answer.status == 200 and b"<html" in answer.read().lower()
        from benchmarks.streamlit_client import StreamlitSession, run_coroutine

        async def open_page():
            async with StreamlitSession(f"http://127.0.0.1:{port}") as session:
                return session.runs[-1].exceptions, session.texts()

        exceptions, texts = run_coroutine(open_page())
        assert exceptions == []
        assert any("Simulator" in text or "Output" in text for text in texts), texts[:20]
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    script = subprocess.run(
        [str(python), "-c", "import app, ui; print(app.__file__); print(ui.__file__)"],
        cwd=elsewhere,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # The page's files and its Streamlit settings come from site-packages, not from the source.
    assert str(source) not in script.stdout and "site-packages" in script.stdout
    served_log = (tmp_path / "app.log").read_text()
    assert "Collecting usage statistics" not in served_log, served_log  # the demo's config.toml was read
