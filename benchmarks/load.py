"""A workshop room against the real app: N learners over Streamlit's own websocket protocol.

    python benchmarks/load.py                       # 50 sessions for 180 s against a fresh server
    python benchmarks/load.py --sessions 10 --duration 30
    python benchmarks/load.py --url http://host:8501  # an already running server (RSS not read)

Starts ``streamlit run app.py`` headless on a free port, then opens the sessions (joining over
``--ramp`` seconds, as a room does) and has each learner, every 2–6 s ("think time"), do one of:
change the size of Hidden 1, type two of its own distinctive numbers into the W1 table, or type
a new input value — each a real rerun request. After every rerun the learner reads the page it
got back and checks it against its OWN model of its network, kept independently in this script
(the seed article's 3-4-2 numbers, resized and edited by plain Python loops):

- the W1 table (exact floats) must equal its own W1 — any other session's weights would differ;
- the Output table's a values must equal its own forward pass (to the 6 digits shown).

Training mode (``--players K``): K more sessions play on the Train page meanwhile, each its own
2-8-8-1 network (weights drawn by this script) on the Playground's XOR, 500 points, batch 10:
Play for 4–10 s with the frames asked for on the fragment's timer as a browser does, Pause,
Reset, again. A player checks that the page names its own network, that the epoch counter never
goes back, and that after Reset the W1 table shows its own starting weights.

    python benchmarks/load.py --sessions 20 --players 20 --duration 120            # 1 process
    python benchmarks/load.py --sessions 20 --players 20 --duration 120 --replicas 2

Reports sessions, interactions, errors, p50/p95/max rerun latency (the editors'), page-load
latency, the server's resident memory (VmRSS from /proc) at start, peak and end, leakage, and
the players' frames and epochs per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from streamlit.proto.Alert_pb2 import Alert  # noqa: E402

from benchmarks.streamlit_client import (  # noqa: E402
    ProtocolError,
    StreamlitSession,
    editor_edits,
    int_value,
    trigger,
)

# The seed article's 3 → 4 → 2 network (ReLU hidden layer, sigmoid output), written out here so
# the learners' expectations never come from the app's own code.
SEED_X = [0.5, 0.1, 0.2]
SEED_W1 = [[2.0, 8.0, -1.0, 3.0], [4.0, 9.0, 1.0, -6.0], [-3.0, 5.0, 2.0, 7.0]]
SEED_B1 = [0.13, 0.14, 0.15, 0.16]
SEED_W2 = [[0.2, -0.3], [0.1, -0.2], [-0.4, 0.5], [0.3, 0.1]]
SEED_B2 = [0.1, -0.2]
HIDDEN_SIZES = range(2, 9)


# ---- a learner's own model of its network ---------------------------------------------------


@dataclass
class OwnNetwork:
    """What this learner has done to the seed network, kept as plain lists."""

    x: list[float] = field(default_factory=lambda: list(SEED_X))
    w1: list[list[float]] = field(default_factory=lambda: [list(row) for row in SEED_W1])
    b1: list[float] = field(default_factory=lambda: list(SEED_B1))
    w2: list[list[float]] = field(default_factory=lambda: [list(row) for row in SEED_W2])
    b2: list[float] = field(default_factory=lambda: list(SEED_B2))

    @property
    def hidden(self) -> int:
        return len(self.b1)

    def resize_hidden(self, size: int) -> None:
        """Keep the overlapping block; new weights and biases are 0 (as docs/architecture.md promises)."""
        self.w1 = [[row[j] if j < len(row) else 0.0 for j in range(size)] for row in self.w1]
        self.b1 = [self.b1[j] if j < len(self.b1) else 0.0 for j in range(size)]
        self.w2 = [self.w2[i] if i < len(self.w2) else [0.0, 0.0] for i in range(size)]

    def output(self) -> list[float]:
        hidden = []
        for j in range(self.hidden):
            z = sum(self.x[i] * self.w1[i][j] for i in range(3)) + self.b1[j]
            hidden.append(max(0.0, z))
        output = []
        for k in range(2):
            z = sum(hidden[j] * self.w2[j][k] for j in range(self.hidden)) + self.b2[k]
            output.append(1.0 / (1.0 + math.exp(-z)))
        return output


# ---- one learner ------------------------------------------------------------------------------


@dataclass
class LearnerLog:
    index: int
    page_loads: list[float] = field(default_factory=list)
    reruns: list[float] = field(default_factory=list)
    rerun_bytes: list[int] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)


class Learner:
    """One session: load the page, then act and check until the deadline."""

    def __init__(
        self, index: int, url: str, deadline: float, think: tuple[float, float], seed: int, reload_every: int = 0
    ):
        self.log = LearnerLog(index)
        self.reload_every = reload_every
        self.url = url
        self.deadline = deadline
        self.think = think
        self.rng = random.Random(seed * 1000 + index)
        self.own = OwnNetwork()
        self.session = StreamlitSession(url, timeout=60.0)
        self.step = 0

    async def _load_page(self) -> None:
        """Open a session (the page load): the network is the seed example."""
        record = await self.session.connect()
        self.log.page_loads.append(record.seconds)
        self._check(record.exceptions, "page load")

    async def run(self) -> LearnerLog:
        try:
            await self._load_page()
            while time.monotonic() < self.deadline:
                if self.reload_every and self.log.reruns and len(self.log.reruns) % self.reload_every == 0:
                    await self.session.close()  # the learner reloads the tab: a new session
                    self.session = StreamlitSession(self.url, timeout=60.0)
                    self.own = OwnNetwork()
                    await self._load_page()
                await asyncio.sleep(self.rng.uniform(*self.think))
                if time.monotonic() >= self.deadline:
                    break
                action = self.rng.choice([self._resize, self._edit_weights, self._edit_weights, self._edit_input])
                name, changes = action()
                record = await self.session.rerun(**changes)
                self.log.reruns.append(record.seconds)
                self.log.rerun_bytes.append(record.received_bytes)
                self.log.actions.append(name.split(" to ")[0])
                self._check(record.exceptions, name)
        except (ProtocolError, LookupError, OSError) as error:
            self.log.errors.append(f"{type(error).__name__}: {error}")
        finally:
            await self.session.close()
        return self.log

    # Each action changes this learner's own model and returns the widget values to send.

    def _resize(self):
        size = self.rng.choice([n for n in HIDDEN_SIZES if n != self.own.hidden])
        widget = self.session.widget("number_input", "Hidden 1")
        self.own.resize_hidden(size)
        return f"resize to {size}", {widget.widget_id: int_value(widget.widget_id, size)}

    def _edit_weights(self):
        """Two W1 cells set to numbers that carry this learner's index: nobody else has them."""
        editor = self._editor(lambda frame: list(frame.index[:1]) == ["IN1"] and str(frame.columns[0]) == "N1")
        edits: dict[int, dict[str, float]] = {}
        for _ in range(2):
            self.step += 1
            row, column = self.rng.randrange(3), self.rng.randrange(self.own.hidden)
            value = round(self.rng.choice([-1, 1]) * (0.01 * (self.log.index + 1) + 0.0001 * self.step), 6)
            edits.setdefault(row, {})[f"N{column + 1}"] = value
            self.own.w1[row][column] = value
        return "edit W1", {editor.widget_id: editor_edits(editor.widget_id, edits)}

    def _edit_input(self):
        editor = self._editor(lambda frame: list(frame.columns) == ["x"])
        row = self.rng.randrange(3)
        value = round(self.rng.uniform(-1, 1) + 0.001 * self.log.index, 6)
        self.own.x[row] = value
        return "edit input", {editor.widget_id: editor_edits(editor.widget_id, {row: {"x": value}})}

    def _editor(self, matches):
        for element in self.session.elements("dataframe"):
            if element.widget_id and matches(element.frame()):
                return element
        raise LookupError("no matching table editor on the page")

    # Reading the page back.

    def _check(self, exceptions: list[str], action: str) -> None:
        for text in exceptions:
            self.log.errors.append(f"{action}: exception on the page: {text[:200]}")
        for element in self.session.elements("alert"):
            if element.body.format == Alert.ERROR:
                self.log.errors.append(f"{action}: error message on the page: {element.text()[:200]}")
        w1 = self._editor(lambda frame: list(frame.index[:1]) == ["IN1"] and str(frame.columns[0]) == "N1").frame()
        shown_w1 = w1.to_numpy(dtype=float).tolist()
        if shown_w1 != self.own.w1:
            self.log.leaks.append(f"{action}: W1 shown {shown_w1} but this session's W1 is {self.own.w1}")
        output = self._output_values()
        expected = self.own.output()
        if len(output) != len(expected) or any(
            abs(shown - mine) > 1e-5 * max(1.0, abs(mine)) for shown, mine in zip(output, expected)
        ):
            self.log.leaks.append(f"{action}: output shown {output} but this session's output is {expected}")

    def _output_values(self) -> list[float]:
        """The a column of the Output table (rows N1.., column a), as numbers."""
        for element in self.session.elements("table"):
            frame = element.frame()
            if list(frame.columns) == ["a"]:
                return [float(value) for value in frame["a"]]
        raise LookupError("no Output table (column a) on the page")


# ---- a player on the Train page -------------------------------------------------------------

EPOCH_HEADING = re.compile(r"^### Epoch (\d+)")


def player_weights(index: int) -> list[tuple[list[list[float]], list[float]]]:
    """Player ``index``'s own 2-8-8-1 starting weights and biases, drawn here (not by the app):
    distinct for every player, so a page showing another's would be noticed."""
    rng = random.Random(7919 * (index + 1))
    sizes = [2, 8, 8, 1]
    return [
        (
            [[round(rng.uniform(-1, 1), 4) for _ in range(m)] for _ in range(n)],
            [round(rng.uniform(-0.5, 0.5), 4) for _ in range(m)],
        )
        for n, m in zip(sizes, sizes[1:])
    ]


@dataclass
class PlayerLog:
    index: int
    frames: int = 0
    play_seconds: float = 0.0
    epochs: int = 0
    frame_seconds: list[float] = field(default_factory=list)
    control_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)


class Player:
    """One learner on the Train page: opens its own 2-8-8-1 network by a share link, picks the
    Playground's XOR (the page's default data), then until the deadline: Play for a few seconds
    (the frames requested on the fragment's timer, as the browser does), Pause, Reset.

    Checks, against what this script itself knows: the page names this player's network; the
    epoch counter never goes back while playing; after Reset the counter is 0 and the W1 table
    shows this player's own starting weights (to the 4 significant digits shown)."""

    def __init__(self, index: int, url: str, deadline: float, seed: int, play: tuple[float, float] = (4.0, 10.0)):
        from mlpsim.core.network import Layer, Network
        from mlpsim.io.sharelink import encode

        self.log = PlayerLog(index)
        self.deadline = deadline
        self.play = play
        self.rng = random.Random(seed * 1000 + 500 + index)
        self.name = f"player {index + 1}"
        self.weights = player_weights(index)
        network = Network(
            input_size=2,
            name=self.name,
            layers=tuple(Layer(weights=np.array(w), bias=np.array(b), activation="tanh") for w, b in self.weights),
        )
        self.session = StreamlitSession(url, query_string=f"net={quote(encode(network))}")

    async def run(self) -> PlayerLog:
        try:
            await self.session.connect()  # the Simulator opens the share link
            self.session.page_name, self.session.widget_values = "train", {}
            record = await self.session.rerun()  # then the learner picks the Train page
            self._check(record, "page load")
            rounds = 0
            # At least one round, however late the page loaded (a loaded machine can take longer
            # than a short deadline to open it): the reset's check of the weights always runs.
            while rounds == 0 or time.monotonic() < self.deadline:
                rounds += 1
                await self._play_for(self.rng.uniform(*self.play))
                await self._control("Pause")
                await self._control("Reset")
                self._check_reset()
                await asyncio.sleep(self.rng.uniform(0.5, 2.0))
        except (ProtocolError, LookupError, OSError) as error:
            self.log.errors.append(f"{type(error).__name__}: {error}")
        finally:
            await self.session.close()
        return self.log

    async def _control(self, label: str) -> None:
        button = self.session.widget("button", label)
        record = await self.session.rerun(**{button.widget_id: trigger(button.widget_id)})
        self.log.control_seconds.append(record.seconds)
        self._check(record, label)

    async def _play_for(self, seconds: float) -> None:
        await self._control("Play")
        if not self.session.auto_reruns:
            raise LookupError("Play started no timed fragment")
        fragment_id, interval = next(iter(self.session.auto_reruns.items()))
        began = time.monotonic()
        first = last = self._epoch()
        frames = 0
        while time.monotonic() - began < seconds and time.monotonic() < self.deadline:
            asked = time.monotonic()
            record = await self.session.rerun_fragment(fragment_id)
            self.log.frame_seconds.append(record.seconds)
            frames += 1
            self._check(record, "frame", full=False)
            epoch = self._epoch()
            if epoch < last:
                self.log.leaks.append(f"frame: epoch went back from {last} to {epoch}")
            last = epoch
            # The browser's timer asks every `interval` seconds; a frame that took longer is
            # followed at once (the server keeps at most one request of a fragment waiting).
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - asked)))
        self.log.frames += frames
        self.log.play_seconds += time.monotonic() - began
        self.log.epochs += last - first

    def _epoch(self) -> int:
        for element in self.session.elements("markdown"):
            match = EPOCH_HEADING.match(element.text())
            if match:
                return int(match.group(1))
        raise LookupError("no 'Epoch N' counter on the Train page")

    def _check(self, record, action: str, full: bool = True) -> None:
        for text in record.exceptions:
            self.log.errors.append(f"{action}: exception on the page: {text[:200]}")
        for element in self.session.elements("alert"):
            if element.body.format == Alert.ERROR:
                self.log.errors.append(f"{action}: error message on the page: {element.text()[:200]}")
        if full and not any(text.startswith(f"{self.name} · 2-8-8-1") for text in self.session.texts()):
            self.log.leaks.append(f"{action}: the page does not name this player's network {self.name!r}")

    def _check_reset(self) -> None:
        if self._epoch() != 0:
            self.log.errors.append(f"Reset: the counter shows epoch {self._epoch()}, not 0")
        mine = self.weights[0][0]
        for element in self.session.elements("table"):
            frame = element.frame()
            if list(frame.index) == ["IN1", "IN2"] and list(frame.columns)[:1] == ["N1"]:
                shown = [[float(value) for value in row] for row in frame.to_numpy()]
                if any(
                    abs(s - m) > 5e-4 * abs(m) + 1e-12
                    for row_s, row_m in zip(shown, mine)
                    for s, m in zip(row_s, row_m)
                ):
                    self.log.leaks.append(f"Reset: W1 shown {shown} but this player's W1 is {mine}")
                return
        raise LookupError("no W1 table on the Train page after Reset")


# ---- the server and its memory ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(log_path: Path, options: list[str] = ()) -> tuple[subprocess.Popen, str]:
    """``streamlit run app.py`` headless on a free port (plus ``options``, e.g.
    ``--runner.postScriptGC false``); returns once its health check answers."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *options,
    ]
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited; see {log_path}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("streamlit did not answer its health check within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def rss_mb(pid: int) -> float | None:
    """Resident memory of ``pid`` in MB, from /proc (psutil is not installed)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of ``pid`` so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine have used (non-idle time from /proc/stat)."""
    user, nice, system, idle, iowait, irq, softirq, steal = (
        int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def total_rss_mb(pids: list[int]) -> float | None:
    values = [rss_mb(pid) for pid in pids]
    return None if not pids or None in values else sum(values)


def total_cpu_seconds(pids: list[int]) -> float | None:
    values = [cpu_seconds(pid) for pid in pids]
    return None if not pids or None in values else sum(values)


async def sample_memory(pids: list[int], samples: list[tuple[float, float]], stop: asyncio.Event) -> None:
    """RSS of the server processes (summed over replicas) every half second."""
    start = time.monotonic()
    while not stop.is_set():
        if (value := total_rss_mb(pids)) is not None:
            samples.append((time.monotonic() - start, value))
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except TimeoutError:
            pass


# ---- the run and its report -------------------------------------------------------------------


@dataclass
class LoadReport:
    sessions: int
    duration: float
    interactions: int
    errors: list[str]
    leaks: list[str]
    rerun_seconds: list[float]
    page_load_seconds: list[float]
    rss_samples: list[tuple[float, float]]
    rss_end: float | None
    server_cpu_seconds: float | None
    client_cpu_seconds: float
    machine_cpu_seconds: float
    load_average: str
    rerun_actions: list[str] = field(default_factory=list)
    rerun_bytes: list[int] = field(default_factory=list)
    replicas: int = 1
    players: list[PlayerLog] = field(default_factory=list)

    def percentile(self, values: list[float], fraction: float) -> float:
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]

    def memory_trend(self) -> str:
        """RSS in the first, middle and last third of the run (levelling off = last ≈ middle)."""
        if len(self.rss_samples) < 6:
            return "not measured"
        values = [value for _, value in self.rss_samples]
        third = len(values) // 3
        parts = [max(values[:third]), max(values[third : 2 * third]), max(values[2 * third :])]
        return " → ".join(f"{value:.0f}" for value in parts) + " MB (peak of each third of the run)"

    def text(self) -> str:
        reruns, loads = self.rerun_seconds, self.page_load_seconds
        rss = [value for _, value in self.rss_samples]
        lines = [
            f"sessions           {self.sessions} (for {self.duration:.0f} s, {self.replicas} server process"
            f"{'es' if self.replicas > 1 else ''})",
            f"interactions       {self.interactions} reruns ({self.interactions / self.duration:.1f}/s)",
            f"errors             {len(self.errors)}",
            f"leakage            {'none seen' if not self.leaks else f'{len(self.leaks)} mismatches'}",
            f"rerun latency      p50 {self.percentile(reruns, 0.5) * 1000:.0f} ms, "
            f"p95 {self.percentile(reruns, 0.95) * 1000:.0f} ms, max {max(reruns, default=float('nan')) * 1000:.0f} ms",
            f"rerun payload      median {statistics.median(self.rerun_bytes or [0]) / 1000:.0f} kB sent per rerun",
            f"page loads         {len(loads)}, p50 {self.percentile(loads, 0.5) * 1000:.0f} ms, "
            f"p95 {self.percentile(loads, 0.95) * 1000:.0f} ms, max {max(loads, default=float('nan')) * 1000:.0f} ms",
        ]
        if rss:
            lines.append(
                f"server RSS         start {rss[0]:.0f} MB, peak {max(rss):.0f} MB, "
                f"end {self.rss_end if self.rss_end is not None else float('nan'):.0f} MB (after the sessions closed)"
            )
            lines.append(f"RSS trend          {self.memory_trend()}")
        if self.server_cpu_seconds is not None:
            lines.append(
                f"server CPU         {self.server_cpu_seconds:.0f} s over the run "
                f"({self.server_cpu_seconds / self.duration:.2f} cores on average)"
            )
        lines.append(f"load client CPU    {self.client_cpu_seconds:.0f} s (this script, on the same machine)")
        for action in sorted(set(self.rerun_actions)):
            times = [t for t, a in zip(self.rerun_seconds, self.rerun_actions) if a == action]
            lines.append(
                f"  {action:<16} {len(times):>5} reruns, p50 {self.percentile(times, 0.5) * 1000:.0f} ms, "
                f"p95 {self.percentile(times, 0.95) * 1000:.0f} ms"
            )
        others = self.machine_cpu_seconds - (self.server_cpu_seconds or 0.0) - self.client_cpu_seconds
        lines.append(
            f"machine CPU        {self.machine_cpu_seconds / self.duration:.2f} of {os.cpu_count()} cores busy on average; "
            f"other work (not server, not client) {max(0.0, others) / self.duration:.2f} cores"
        )
        if self.players:
            rates = sorted(p.frames / p.play_seconds for p in self.players if p.play_seconds)
            epochs = sorted(p.epochs / p.play_seconds for p in self.players if p.play_seconds)
            frames = [seconds for p in self.players for seconds in p.frame_seconds]
            controls = [seconds for p in self.players for seconds in p.control_seconds]
            lines.append(
                f"players (Train)    {len(self.players)} playing 2-8-8-1 XOR: frames/s per player median "
                f"{statistics.median(rates or [0]):.2f} (min {min(rates, default=0):.2f}), epochs/s median "
                f"{statistics.median(epochs or [0]):.1f}; frame p50 {self.percentile(frames, 0.5) * 1000:.0f} ms, "
                f"p95 {self.percentile(frames, 0.95) * 1000:.0f} ms; Play/Pause/Reset p95 "
                f"{self.percentile(controls, 0.95) * 1000:.0f} ms"
            )
        lines.append(f"machine load avg   {self.load_average}")
        for label, items in (("error", self.errors), ("leak", self.leaks)):
            for item in items[:10]:
                lines.append(f"  {label}: {item}")
        return "\n".join(lines)


async def run_load(
    url: str | list[str],
    sessions: int,
    duration: float,
    ramp: float,
    think: tuple[float, float],
    server_pid: int | list[int] | None = None,
    seed: int = 0,
    reload_every: int = 0,
    players: int = 0,
) -> LoadReport:
    """Learner i talks to ``url[i % len(url)]`` (replicas behind a sticky proxy do the same), and
    so does player i (``players`` more sessions that play on the Train page); memory and CPU are
    summed over ``server_pid``. Errors and leaks are the editors' and the players' together;
    rerun latencies are the editors' (the Simulator's interactive reruns)."""
    urls = [url] if isinstance(url, str) else list(url)
    pids = [] if server_pid is None else [server_pid] if isinstance(server_pid, int) else list(server_pid)
    samples: list[tuple[float, float]] = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_memory(pids, samples, stop))
    cpu_before = total_cpu_seconds(pids)
    client_cpu_before = time.process_time()
    machine_before = machine_busy_seconds()
    started = time.monotonic()
    deadline = started + ramp + duration

    async def join(index: int) -> LearnerLog:
        await asyncio.sleep(ramp * index / max(1, sessions))
        return await Learner(index, urls[index % len(urls)], deadline, think, seed, reload_every).run()

    async def join_player(index: int) -> PlayerLog:
        await asyncio.sleep(ramp * index / max(1, players))
        return await Player(index, urls[index % len(urls)], deadline, seed).run()

    logs, player_logs = await asyncio.gather(
        asyncio.gather(*(join(index) for index in range(sessions))),
        asyncio.gather(*(join_player(index) for index in range(players))),
    )
    elapsed = time.monotonic() - started
    cpu_after = total_cpu_seconds(pids)
    client_cpu = time.process_time() - client_cpu_before
    machine_cpu = machine_busy_seconds() - machine_before
    await asyncio.sleep(3)  # closed sessions release their script threads
    stop.set()
    await sampler
    return LoadReport(
        sessions=sessions,
        duration=elapsed,
        interactions=sum(len(log.reruns) for log in logs),
        errors=[f"session {log.index}: {error}" for log in logs for error in log.errors]
        + [f"player {log.index}: {error}" for log in player_logs for error in log.errors],
        leaks=[f"session {log.index}: {leak}" for log in logs for leak in log.leaks]
        + [f"player {log.index}: {leak}" for log in player_logs for leak in log.leaks],
        rerun_seconds=[seconds for log in logs for seconds in log.reruns],
        page_load_seconds=[seconds for log in logs for seconds in log.page_loads],
        rss_samples=samples,
        rss_end=total_rss_mb(pids),
        server_cpu_seconds=None if cpu_before is None or cpu_after is None else cpu_after - cpu_before,
        client_cpu_seconds=client_cpu,
        machine_cpu_seconds=machine_cpu,
        rerun_actions=[action for log in logs for action in log.actions],
        rerun_bytes=[size for log in logs for size in log.rerun_bytes],
        load_average=Path("/proc/loadavg").read_text().strip(),
        replicas=len(urls),
        players=list(player_logs),
    )


def run_against_fresh_server(
    sessions: int,
    duration: float,
    ramp: float,
    think: tuple[float, float],
    options: list[str] = (),
    reload_every: int = 0,
    replicas: int = 1,
    players: int = 0,
) -> LoadReport:
    """Start ``replicas`` servers (each a process of its own, as behind a sticky proxy), run, stop."""
    with tempfile.TemporaryDirectory() as folder:
        servers = []
        try:
            for replica in range(replicas):
                servers.append(start_server(Path(folder) / f"streamlit-{replica}.log", options))
            return asyncio.run(
                run_load(
                    [url for _, url in servers],
                    sessions,
                    duration,
                    ramp,
                    think,
                    server_pid=[process.pid for process, _ in servers],
                    reload_every=reload_every,
                    players=players,
                )
            )
        finally:
            for process, _ in servers:
                stop_server(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of activity after the ramp")
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds over which the sessions join")
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 6.0), help="seconds between a learner's actions")
    parser.add_argument("--url", help="use a running server instead of starting one")
    parser.add_argument(
        "--reload-every",
        type=int,
        default=0,
        metavar="K",
        help="each learner reloads the page (a new session) after every K interactions; 0 = never",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="start this many server processes; learners are spread over them as a sticky proxy would",
    )
    parser.add_argument(
        "--players",
        type=int,
        default=0,
        help="training mode: this many more sessions play on the Train page (2-8-8-1 XOR) meanwhile",
    )
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument(
        "--server-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra `streamlit run` option for an A/B run, e.g. runner.postScriptGC=false",
    )
    args = parser.parse_args()
    print(f"load before the run: {Path('/proc/loadavg').read_text().strip()} on {os.cpu_count()} cores")
    think = (args.think[0], args.think[1])
    if args.url:
        report = asyncio.run(
            run_load(
                args.url,
                args.sessions,
                args.duration,
                args.ramp,
                think,
                reload_every=args.reload_every,
                players=args.players,
            )
        )
    else:
        options = [
            part for option in args.server_option for part in ("--" + option.split("=", 1)[0], option.split("=", 1)[1])
        ]
        report = run_against_fresh_server(
            args.sessions,
            args.duration,
            args.ramp,
            think,
            options,
            reload_every=args.reload_every,
            replicas=args.replicas,
            players=args.players,
        )
    print(report.text())
    if args.json:
        figures = {
            "sessions": report.sessions,
            "interactions": report.interactions,
            "errors": len(report.errors),
            "leaks": len(report.leaks),
            "rerun_p50_s": report.percentile(report.rerun_seconds, 0.5),
            "rerun_p95_s": report.percentile(report.rerun_seconds, 0.95),
            "rerun_max_s": max(report.rerun_seconds, default=None),
            "rss_mb": [value for _, value in report.rss_samples],
            "rss_end_mb": report.rss_end,
        }
        Path(args.json).write_text(json.dumps(figures))
    return 0 if not report.errors and not report.leaks else 1


if __name__ == "__main__":
    sys.exit(main())
