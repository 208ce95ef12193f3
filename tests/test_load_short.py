"""The workshop load test, short: 10 learners for ~30 s over Streamlit's real websocket protocol.

Asserts what must hold at any load — no errors, and no session ever shown another session's
numbers. Latency and memory are printed (see benchmarks/load.py for the 50-session figures);
timing goals live in the benchmark, not here.
"""

from __future__ import annotations

import time

import pytest

from benchmarks.load import Learner, Player, run_load, start_server, stop_server
from benchmarks.streamlit_client import run_coroutine


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process, url = start_server(tmp_path_factory.mktemp("load") / "streamlit.log")
    yield process, url
    stop_server(process)


@pytest.mark.browser
def test_ten_learners_for_thirty_seconds(server):
    process, url = server
    report = run_coroutine(run_load(url, sessions=10, duration=25, ramp=5, think=(1.0, 3.0), server_pid=process.pid))
    print("\n" + report.text())
    assert report.errors == []
    assert report.leaks == []
    assert report.interactions >= 10 * 5  # every learner really acted (about 12 times each)
    assert len(report.page_load_seconds) == 10


@pytest.mark.browser
def test_the_leak_check_notices_numbers_that_are_not_the_sessions_own(server):
    """A learner whose own record of W1 differs from what the server holds for it must report a
    mismatch: the check that proves 'no leakage' above can fail."""
    _, url = server

    async def one_learner():
        learner = Learner(0, url, deadline=0.0, think=(0.0, 0.0), seed=1)
        learner.own.w1[1][1] = 9.5  # the seed article's W1[2,2] is 9
        return await learner.run()

    log = run_coroutine(one_learner())
    assert log.errors == []
    assert any("W1 shown" in leak and "9.5" in leak for leak in log.leaks)
    assert any("output shown" in leak for leak in log.leaks)


@pytest.mark.browser
def test_three_players_train_while_three_learners_edit(server):
    """Training mode, short: the players' frames arrive and advance, nobody sees another's numbers."""
    process, url = server
    report = run_coroutine(
        run_load(url, sessions=3, duration=20, ramp=2, think=(1.0, 3.0), server_pid=process.pid, players=3)
    )
    print("\n" + report.text())
    assert report.errors == []
    assert report.leaks == []
    assert len(report.players) == 3
    assert all(player.frames >= 10 and player.epochs > 0 for player in report.players)


@pytest.mark.browser
def test_the_players_check_notices_starting_weights_that_are_not_its_own(server):
    _, url = server

    async def one_player():
        player = Player(0, url, deadline=time.monotonic() + 3, seed=1, play=(1.0, 1.0))
        player.weights[0][0][1][2] += 0.5  # what it expects differs from the network it opened
        return await player.run()

    log = run_coroutine(one_player())
    assert log.errors == []
    assert any("W1 shown" in leak for leak in log.leaks)
