"""The README's commands on the machines people have: `make run` and `make test` make the project's
virtual environment (.venv) and install into it, never into the interpreter they start from.

Debian 12's own /usr/bin/python3 is marked EXTERNALLY-MANAGED (PEP 668), as are Ubuntu 23.04+,
Fedora 38+ and Homebrew's: `pip install` into it is refused. The slow tests run the README's
`make run` with it, and with the Python running the tests, in a copy of the checkout, and asks
the app it serves for the Simulator. The fast ones drive scripts/make_venv.sh on a Python whose venv module is missing (Debian without
python3-venv), with `id` and `apt-get` stand-ins on the PATH.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, copy_of_the_checkout, free_port

DEBIAN_PYTHON = Path("/usr/bin/python3")
MAKE_VENV = ROOT / "scripts" / "make_venv.sh"


def externally_managed(python: Path) -> bool:
    stdlib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return (Path(stdlib) / "EXTERNALLY-MANAGED").exists()


def wait_for_health(port: int, server: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, f"make run exited {server.returncode}:\n{log.read_text()[-3000:]}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"no answer on /_stcore/health within {seconds} s:\n{log.read_text()[-3000:]}")


def base_prefix(python: Path) -> str:
    return subprocess.run(
        [str(python), "-c", "import sys; print(sys.base_prefix)"], capture_output=True, text=True, check=True
    ).stdout.strip()


def make_run_serves_the_simulator(python: Path, tmp_path: Path) -> Path:
    """The README's `make run PYTHON=python` in a copy of the checkout: it answers /_stcore/health,
    shows the Simulator without an exception, from the venv it made from ``python``, with the
    lock's versions, and a second `make run` installs nothing. Returns the copy's folder."""
    checkout = copy_of_the_checkout(tmp_path / "clone")
    # The pip cache may be warm (as CI's is); the app's port and headless mode come from
    # Streamlit's own environment variables, so the command is exactly the README's.
    port = free_port()
    environment = {
        **{key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")},
        "STREAMLIT_SERVER_PORT": str(port),
        "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
        "STREAMLIT_SERVER_HEADLESS": "true",
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
    }
    log_path = tmp_path / "make-run.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            ["make", "run", f"PYTHON={python}"],
            cwd=checkout,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # make, its pip and streamlit: one process group to stop
        )
        try:
            wait_for_health(port, server, log_path, seconds=600)
            from benchmarks.streamlit_client import StreamlitSession, run_coroutine

            async def open_page():
                async with StreamlitSession(f"http://127.0.0.1:{port}") as session:
                    return session.runs[-1].exceptions, session.texts()

            exceptions, texts = run_coroutine(open_page())
            assert exceptions == []
            # The Simulator, opened on its first preset: the seed example's header and its output.
            assert any(text.startswith("Seed example") and "3-4-2" in text for text in texts), texts[:20]
            assert "Output" in texts, texts[:20]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    made = log_path.read_text()
    assert "externally-managed-environment" not in made, made
    venv_python = checkout / ".venv" / "bin" / "python"
    # The app ran from the project's venv, made from ``python``.
    base = subprocess.run(
        [str(venv_python), "-c", "import sys, streamlit; print(sys.base_prefix); print(streamlit.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert base[0] == base_prefix(python) and base[1].startswith(str(checkout / ".venv")), base
    # The installed packages are the lock's: streamlit at constraints.txt's version.
    locked = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line)
    version = subprocess.run(
        [str(venv_python), "-c", "import streamlit; print(streamlit.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version == locked["streamlit"]
    # Run again with nothing changed: no install, straight to streamlit.
    again = subprocess.run(
        ["make", "-n", "run", f"PYTHON={python}"], cwd=checkout, capture_output=True, text=True, check=True
    )
    assert "pip" not in again.stdout and "streamlit run app.py" in again.stdout, again.stdout
    # …and a changed requirements file installs again.
    os.utime(checkout / "requirements.txt")
    changed = subprocess.run(
        ["make", "-n", "run", f"PYTHON={python}"], cwd=checkout, capture_output=True, text=True, check=True
    )
    assert "pip install" in changed.stdout, changed.stdout
    return checkout


@pytest.mark.slow
@pytest.mark.skipif(not DEBIAN_PYTHON.exists() or shutil.which("make") is None, reason="no /usr/bin/python3 or make")
def test_make_run_with_debians_externally_managed_python_serves_the_simulator(tmp_path):
    if not externally_managed(DEBIAN_PYTHON):
        pytest.skip("this /usr/bin/python3 is not marked EXTERNALLY-MANAGED: not the machine this test is for")
    make_run_serves_the_simulator(DEBIAN_PYTHON, tmp_path)
    # Debian's Python itself is untouched: nothing was installed into it.
    assert subprocess.run([str(DEBIAN_PYTHON), "-c", "import streamlit"], capture_output=True).returncode != 0


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_run_with_the_python_running_these_tests_serves_the_simulator(tmp_path):
    """The interpreter the test run's own venv was made from (on this machine pyenv's 3.11)."""
    make_run_serves_the_simulator(Path(getattr(sys, "_base_executable", sys.executable)), tmp_path)


def stand_ins(folder: Path, *, uid: int) -> dict[str, str]:
    """A PATH with `id` answering ``uid`` and an `apt-get` that logs its arguments and, on install,
    makes the venv module 'appear' (the stand-in Python below checks for its mark)."""
    folder.mkdir()
    (folder / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (folder / "apt-get").write_text(
        f'#!/bin/sh\necho "$@" >> {folder}/apt-get.log\n[ "$1" = install ] && touch {folder}/venv-installed\nexit 0\n'
    )
    # A Python without ensurepip until apt-get has run (as Debian's is without python3-venv).
    (folder / "python3").write_text(
        f'#!/bin/sh\nif [ "$1" = -c ] && [ "$2" = "import venv, ensurepip" ] && [ ! -e {folder}/venv-installed ]; then\n'
        f'  exit 1\nfi\nexec {sys.executable} "$@"\n'
    )
    for name in ("id", "apt-get", "python3"):
        (folder / name).chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def make_venv(
    python: Path, venv: Path, environment: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """scripts/make_venv.sh PYTHON VENV, as make calls it."""
    return subprocess.run(
        ["sh", str(MAKE_VENV), str(python), str(venv)], env=environment, capture_output=True, text=True, timeout=timeout
    )


def test_without_the_venv_module_and_not_root_one_line_says_what_to_install(tmp_path):
    environment = stand_ins(tmp_path / "bin", uid=1000)
    done = make_venv(tmp_path / "bin" / "python3", tmp_path / "venv", environment, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"mlpsim: Python's venv module is missing: install it (Debian/Ubuntu: 'sudo apt install "
        f"python{sysconfig.get_python_version()}-venv') and run make again"
    )
    assert not (tmp_path / "venv").exists() and not (tmp_path / "bin" / "apt-get.log").exists()


def test_without_the_venv_module_as_root_it_is_installed_with_apt_then_the_venv_made(tmp_path):
    environment = stand_ins(tmp_path / "bin", uid=0)
    done = make_venv(tmp_path / "bin" / "python3", tmp_path / "venv", environment)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "bin" / "apt-get.log").read_text().splitlines() == [
        "update -qq",
        f"install -y -qq python{sysconfig.get_python_version()}-venv",
    ]
    made = subprocess.run(
        [str(tmp_path / "venv" / "bin" / "python"), "-c", "import sys, pip; print(sys.prefix != sys.base_prefix)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert made.stdout.strip() == "True"


def test_a_python_older_than_3_11_is_refused_with_its_version(tmp_path):
    old = tmp_path / "python3"
    old.write_text('#!/bin/sh\nif [ "$1" = -c ]; then case "$2" in *exit*) exit 1;; *) echo 3.9;; esac; fi\n')
    old.chmod(0o755)
    done = make_venv(old, tmp_path / "venv", timeout=30)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"mlpsim: {old} is Python 3.9; mlpsim needs 3.11 or newer: name one with 'make PYTHON=python3.11 …'"
    )
