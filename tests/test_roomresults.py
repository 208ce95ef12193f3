"""The room results store: secrets, retention with an injected clock, concurrent writers from
threads, hostile names, and CSV that a spreadsheet cannot run as formulas."""

from __future__ import annotations

import csv
import io
import threading

import pytest

from mlpsim.core.errors import ValidationError
from mlpsim.workshop.links import ROOM_ID_PATTERN
from mlpsim.workshop.roomresults import (
    MAX_NAME_CHARS,
    RoomStore,
    RoomStoreError,
    clean_name,
    csv_cell,
    results_csv,
    retention_hours_from,
    store_from_environment,
    table_rows,
)
from mlpsim.workshop.scoring import QuestionResult

HOUR = 3600.0
PARAMS = {"seed": "42", "difficulty": "hard", "ask": "z1.2,out", "lock": "1"}


class Clock:
    """Seconds since the epoch, moved by hand."""

    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def result(code: str = "z1.2", blanks: int = 1, right: int = 1, after: int = 0, hints: int = 0, shown: bool = False):
    return QuestionResult(
        question=code, blanks=blanks, right=right, right_after_solution=after, hints=hints, solution_shown=shown
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock) -> RoomStore:
    return RoomStore(tmp_path / "rooms.sqlite3", retention_seconds=24 * HOUR, clock=clock)


def test_a_room_keeps_its_exercise_and_only_its_secret_reads_it(store):
    made = store.create_room(PARAMS)
    assert ROOM_ID_PATTERN.fullmatch(made.room_id)
    assert len(made.secret) >= 32 and made.secret != made.room_id
    assert dict(store.room(made.room_id).link_params) == PARAMS
    assert store.record(made.room_id, "learner-a", "Ana", [result("z1.2", right=1), result("out", blanks=2, right=0)])
    seen = store.results(made.room_id, made.secret)
    assert seen.learners == 1
    assert [(r.learner, r.name, r.result.question, r.result.right, r.result.blanks) for r in seen.rows] == [
        (1, "Ana", "z1.2", 1, 1),
        (1, "Ana", "out", 0, 2),
    ]
    for wrong in ("", made.room_id, made.secret[:-1], made.secret + "x", made.secret.upper()):
        assert store.results(made.room_id, wrong) is None
    other = store.create_room(PARAMS)
    assert store.results(other.room_id, made.secret) is None  # one room's secret opens only that room
    assert store.results("no-such-room-000", made.secret) is None


def test_the_secret_itself_is_not_in_the_file(store, tmp_path):
    made = store.create_room(PARAMS)
    raw = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert made.room_id.encode() in raw
    assert made.secret.encode() not in raw


def test_a_learner_sending_again_replaces_their_results(store):
    made = store.create_room(PARAMS)
    store.record(made.room_id, "a", "", [result("z1.2", right=0, hints=1)])
    store.record(made.room_id, "b", "Bo", [result("z1.2", right=1)])
    store.record(made.room_id, "a", "Ana", [result("z1.2", right=0, after=1, hints=3, shown=True), result("out", 2, 2)])
    rows = store.results(made.room_id, made.secret).rows
    assert [(r.learner, r.name, r.result) for r in rows] == [
        (1, "Ana", result("z1.2", right=0, after=1, hints=3, shown=True)),
        (1, "Ana", result("out", 2, 2)),
        (2, "Bo", result("z1.2", right=1)),
    ]


def test_nothing_outlives_the_retention(store, clock):
    old = store.create_room(PARAMS)
    store.record(old.room_id, "a", "Ana", [result()])
    clock.now += 20 * HOUR
    young = store.create_room(PARAMS)
    store.record(young.room_id, "b", "Bo", [result()])
    clock.now += 4 * HOUR - 1  # old room: 1 s short of 24 h
    assert store.results(old.room_id, old.secret).rows
    clock.now += 1  # exactly 24 h: gone on read, with everything sent to it
    assert store.results(old.room_id, old.secret) is None
    assert store.room(old.room_id) is None
    assert store.record(old.room_id, "a", "Ana", [result()]) is False  # a late learner is told, nothing is kept
    assert store.results(young.room_id, young.secret).rows  # the younger room (4 h old) stays
    with store._transaction() as connection:  # the purge deleted the rows, not just hid them
        assert connection.execute("SELECT count(*) FROM learners WHERE room_id = ?", (old.room_id,)).fetchone()[0] == 0
        assert connection.execute("SELECT count(*) FROM answers WHERE room_id = ?", (old.room_id,)).fetchone()[0] == 0
        assert connection.execute("SELECT count(*) FROM answers").fetchone()[0] == 1


def test_the_purge_runs_on_write_too(store, clock, tmp_path):
    old = store.create_room(PARAMS)
    store.record(old.room_id, "a", "Ana", [result()])
    clock.now += 25 * HOUR
    store.create_room(PARAMS)  # a write, no read of the old room
    reader = RoomStore(tmp_path / "rooms.sqlite3", retention_seconds=1e9, clock=clock)  # would keep anything
    assert reader.room(old.room_id) is None


def test_a_shorter_retention_from_the_environment(tmp_path, clock):
    assert retention_hours_from({}) == 24.0
    assert retention_hours_from({"MLPSIM_ROOM_RETENTION_HOURS": "0.5"}) == 0.5
    for bad in ("0", "-3", "abc", "nan", "inf"):
        with pytest.raises(ValidationError, match="MLPSIM_ROOM_RETENTION_HOURS"):
            retention_hours_from({"MLPSIM_ROOM_RETENTION_HOURS": bad})
    store = store_from_environment(
        {"MLPSIM_ROOM_DB": str(tmp_path / "env.sqlite3"), "MLPSIM_ROOM_RETENTION_HOURS": "2"}
    )
    assert store.path == tmp_path / "env.sqlite3" and store.retention_seconds == 2 * HOUR
    assert (tmp_path / "env.sqlite3").stat().st_mode & 0o077 == 0  # readable by this user only


def test_an_unusable_path_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RoomStoreError, match="cannot be used"):
        RoomStore(blocker / "rooms.sqlite3", retention_seconds=HOUR)


def test_concurrent_writers_from_threads_lose_nothing(store, tmp_path, clock):
    """Streamlit runs each session's script in its own thread: 8 learners × 25 sends at once,
    through this store and a second store on the same file (as a second process would be)."""
    made = store.create_room(PARAMS)
    second = RoomStore(tmp_path / "rooms.sqlite3", retention_seconds=24 * HOUR, clock=clock)
    errors = []
    start = threading.Barrier(8)

    def learner(n: int) -> None:
        try:
            start.wait()
            target = store if n % 2 else second
            for hints in range(25):
                assert target.record(
                    made.room_id, f"learner-{n}", f"L{n}", [result("z1.2", hints=hints), result("out", 2, n % 3)]
                )
        except Exception as error:  # collected, so a failure in a thread fails the test
            errors.append(error)

    threads = [threading.Thread(target=learner, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seen = store.results(made.room_id, made.secret)
    assert seen.learners == 8
    by_name = {}
    for row in seen.rows:
        by_name.setdefault(row.name, []).append(row.result)
    assert by_name == {f"L{n}": [result("z1.2", hints=24), result("out", 2, n % 3)] for n in range(8)}


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("  Ana   María ", "Ana María"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # kept as text, shown literally
        ("Bo\x00b\x1b[31m", "Bob[31m"),  # NUL and ESC dropped
        ("line\nbreak\ttab", "line break tab"),
        ("\u202eevil\u200b", "evil"),  # bidi override and zero-width space dropped
        ("x" * 500, "x" * MAX_NAME_CHARS),
        ("", ""),
    ],
)
def test_names_are_cleaned_and_capped(typed, kept):
    assert clean_name(typed) == kept


def test_hostile_names_are_stored_clean(store):
    made = store.create_room(PARAMS)
    store.record(made.room_id, "a", '=HYPERLINK("http://x")\r\n' + "y" * 300, [result()])
    (row,) = store.results(made.room_id, made.secret).rows
    assert "\n" not in row.name and "\r" not in row.name and len(row.name) == MAX_NAME_CHARS


def test_csv_cells_that_would_run_as_formulas_get_an_apostrophe():
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("+1") == "'+1"
    assert csv_cell("-2") == "'-2"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("\t=1") == "'\t=1"
    assert csv_cell("Ana") == "Ana"
    assert csv_cell("a=b") == "a=b"
    assert csv_cell(3) == 3


def test_the_csv_download(store):
    made = store.create_room(PARAMS)
    store.record(made.room_id, "a", "=cmd|' /C calc'!A0", [result("z1.2", right=0, after=1, hints=2, shown=True)])
    store.record(made.room_id, "b", "", [result("out", blanks=2, right=2)])
    seen = store.results(made.room_id, made.secret)
    rows = list(csv.reader(io.StringIO(results_csv(seen))))
    assert rows[0] == [
        "learner",
        "name",
        "question",
        "right",
        "of",
        "hints",
        "solution shown",
        "solved after the solution",
        "last change (UTC)",
    ]
    assert rows[1][:8] == ["1", "'=cmd|' /C calc'!A0", "z1.2", "0", "1", "2", "yes", "yes"]
    assert rows[2][:8] == ["2", "", "out", "2", "2", "0", "no", "no"]
    assert rows[1][8] == "2027-01-15 08:00:00"  # the injected clock: 1,800,000,000 s after the epoch
    assert len(rows) == 3
    assert table_rows(seen)[0]["name"] == "=cmd|' /C calc'!A0"  # the on-screen table shows it as typed


def test_a_room_and_a_learner_have_limits(store, monkeypatch):
    import mlpsim.workshop.roomresults as roomresults

    with pytest.raises(ValidationError, match="at most"):
        store.create_room({"ask": "x" * 3000})
    made = store.create_room(PARAMS)
    with pytest.raises(ValidationError, match="at most 20 questions"):
        store.record(made.room_id, "a", "", [result()] * 21)
    monkeypatch.setattr(roomresults, "MAX_LEARNERS_PER_ROOM", 2)
    assert store.record(made.room_id, "a", "", [result()]) and store.record(made.room_id, "b", "", [result()])
    assert store.record(made.room_id, "c", "", [result()]) is False
    assert store.record(made.room_id, "a", "Ana", [result()])  # a learner already in still updates


def test_two_processes_on_one_file_lose_nothing(store, tmp_path, clock):
    """Replicas on one machine share the file: another process writes while this one does."""
    import subprocess
    import sys

    made = store.create_room(PARAMS)
    script = (
        "import sys; from mlpsim.workshop.roomresults import RoomStore; from mlpsim.workshop.scoring import QuestionResult\n"
        f"store = RoomStore(sys.argv[1], {24 * HOUR}, clock=lambda: {clock.now})\n"
        "for n in range(40):\n"
        f"    assert store.record({made.room_id!r}, f'other-{{n}}', 'P', [QuestionResult('z1.2', 1, 1, 0, n, False)])\n"
    )
    other = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "rooms.sqlite3")])
    for n in range(40):
        assert store.record(made.room_id, f"here-{n}", "T", [result("z1.2", hints=n)])
    assert other.wait(timeout=60) == 0
    seen = store.results(made.room_id, made.secret)
    assert seen.learners == 80
    assert sorted(row.result.hints for row in seen.rows if row.name == "P") == list(range(40))


def test_each_question_keeps_the_time_it_last_changed(store, clock):
    made = store.create_room(PARAMS)
    store.record(made.room_id, "a", "Ana", [result("z1.2", right=0), result("out", 2, 0)])
    first = clock.now
    clock.now += 60
    store.record(made.room_id, "a", "Ana", [result("z1.2", right=1), result("out", 2, 0)])
    times = {row.result.question: row.updated_at for row in store.results(made.room_id, made.secret).rows}
    assert times == {"z1.2": first + 60, "out": first}
    store.record(made.room_id, "a", "Ana", [])  # nothing worked on any more (e.g. a new exercise)
    assert store.results(made.room_id, made.secret).rows == ()
