"""Room results: what the learners of one room link send to their teacher, kept by this server
in SQLite (the standard library's ``sqlite3``), readable only with the room's teacher secret,
and deleted once the room is older than the retention (default 24 h).

A teacher makes a room for one exercise: a random room id, which goes into the learners' link,
and a random secret, which goes only into the teacher's results link. The database keeps the
secret's SHA-256, never the secret, and compares digests with ``hmac.compare_digest``. Learners
are anonymous (a random id per browser session) with an optional name they type; names are
untrusted text, cleaned of control and format characters and capped here, and written literally
wherever they are shown.

Retention: a room and everything its learners sent are deleted ``retention`` after the room was
made, so nothing collected is older than that. Expired rooms are purged on every write and on
every read. The file path and the retention come from ``MLPSIM_ROOM_DB`` and
``MLPSIM_ROOM_RETENTION_HOURS``.

Thread safety: each operation opens its own connection inside a lock held by the store, and
runs as one ``BEGIN IMMEDIATE`` transaction; SQLite's file locking (with a busy timeout) keeps
several processes on the same file consistent. No Streamlit here.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import math
import os
import secrets
import sqlite3
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mlpsim.core.errors import LimitError, ValidationError
from mlpsim.workshop.links import ROOM_ID_PATTERN
from mlpsim.workshop.scoring import QuestionResult
from mlpsim.workshop.topic import MAX_QUESTIONS

ENV_PATH = "MLPSIM_ROOM_DB"
ENV_RETENTION_HOURS = "MLPSIM_ROOM_RETENTION_HOURS"
DEFAULT_RETENTION_HOURS = 24.0
DEFAULT_PATH = Path(tempfile.gettempdir()) / "mlpsim-rooms" / "rooms.sqlite3"
"""Outside the repository, in the system's temporary folder (created readable by this user only)."""
MAX_NAME_CHARS = 40
MAX_OPEN_ROOMS = 10_000
MAX_LEARNERS_PER_ROOM = 1_000
MAX_LINK_PARAMS_CHARS = 2_000
BUSY_TIMEOUT_SECONDS = 10.0
ROOM_PARAMETER, SECRET_PARAMETER = "room", "secret"
"""The teacher's results link: ?room=<room id>&secret=<secret>."""
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Cells a spreadsheet would run as a formula (OWASP's CSV injection list): written with a
leading apostrophe."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    room_id TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL,
    link_params TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS learners (
    room_id TEXT NOT NULL,
    learner_id TEXT NOT NULL,
    name TEXT NOT NULL,
    joined_at REAL NOT NULL,
    PRIMARY KEY (room_id, learner_id)
);
CREATE TABLE IF NOT EXISTS answers (
    room_id TEXT NOT NULL,
    learner_id TEXT NOT NULL,
    question TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    blanks INTEGER NOT NULL,
    right_answers INTEGER NOT NULL,
    right_after_solution INTEGER NOT NULL,
    hints INTEGER NOT NULL,
    solution_shown INTEGER NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (room_id, learner_id, question)
);
"""


_UPSERT_ANSWER = """
INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (room_id, learner_id, question) DO UPDATE SET
    ordinal = excluded.ordinal, blanks = excluded.blanks, right_answers = excluded.right_answers,
    right_after_solution = excluded.right_after_solution, hints = excluded.hints,
    solution_shown = excluded.solution_shown, updated_at = excluded.updated_at
WHERE blanks != excluded.blanks OR right_answers != excluded.right_answers
    OR right_after_solution != excluded.right_after_solution OR hints != excluded.hints
    OR solution_shown != excluded.solution_shown OR ordinal != excluded.ordinal
"""
"""A question's row keeps the time it last changed: an unchanged one is left as it is."""


class RoomStoreError(Exception):
    """The results database cannot be used (unwritable path, corrupt file, locked too long)."""


@dataclass(frozen=True)
class TeacherRoom:
    """A new room: its id (for the learners' link) and its secret (for the teacher's link only)."""

    room_id: str
    secret: str


@dataclass(frozen=True)
class Room:
    room_id: str
    link_params: Mapping[str, str]
    """The exercise's link parameters as the teacher made the room (mlpsim.workshop.links codec)."""
    created_at: float
    expires_at: float
    """Seconds since the epoch; the room and its results are deleted then."""


@dataclass(frozen=True)
class LearnerResult:
    """One row of the teacher's table: one learner's standing on one question."""

    learner: int
    """1-based, in the order the learners joined the room."""
    name: str
    """The name the learner typed, cleaned (may be '')."""
    result: QuestionResult
    updated_at: float


@dataclass(frozen=True)
class RoomResults:
    room: Room
    learners: int
    """Learners who opened the room link (some may not have answered yet)."""
    rows: tuple[LearnerResult, ...]


def clean_name(text: str) -> str:
    """A typed name made safe to keep: control, format (bidi overrides, zero-width) and other
    non-printing characters dropped, whitespace collapsed, at most MAX_NAME_CHARS characters."""
    kept = "".join(
        " " if ch.isspace() else ch for ch in str(text) if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    return " ".join(kept.split())[:MAX_NAME_CHARS].strip()


def _secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class RoomStore:
    """The rooms and results of this server, in one SQLite file.

    ``clock`` returns seconds since the epoch (injected in tests to step through the retention)."""

    def __init__(self, path: str | os.PathLike, retention_seconds: float, clock: Callable[[], float] = time.time):
        if not (math.isfinite(retention_seconds) and retention_seconds > 0):
            raise ValidationError(f"room retention {retention_seconds!r} s: expected a positive number")
        self.path = Path(path)
        self.retention_seconds = float(retention_seconds)
        self._clock = clock
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with self._lock:
                connection = self._connect()
                try:
                    connection.execute("PRAGMA journal_mode=WAL")
                    connection.executescript(_SCHEMA)
                finally:
                    connection.close()
            os.chmod(self.path, 0o600)
        except (OSError, sqlite3.Error) as error:
            raise RoomStoreError(f"the room results file {self.path} cannot be used: {error}") from error

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        connection.row_factory = sqlite3.Row
        return connection

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One connection, one write transaction, under the store's lock; expired rooms go first."""
        with self._lock:
            try:
                connection = self._connect()
            except sqlite3.Error as error:
                raise RoomStoreError(f"the room results file {self.path} cannot be opened: {error}") from error
            try:
                connection.execute("BEGIN IMMEDIATE")
                self._purge(connection)
                yield connection
                connection.execute("COMMIT")
            except sqlite3.Error as error:
                connection.rollback()
                raise RoomStoreError(f"the room results file {self.path} cannot be used: {error}") from error
            except BaseException:
                connection.rollback()
                raise
            finally:
                connection.close()

    def _purge(self, connection: sqlite3.Connection) -> None:
        cutoff = self._clock() - self.retention_seconds
        stale = "SELECT room_id FROM rooms WHERE created_at <= ?"
        connection.execute(f"DELETE FROM answers WHERE room_id IN ({stale})", (cutoff,))
        connection.execute(f"DELETE FROM learners WHERE room_id IN ({stale})", (cutoff,))
        connection.execute("DELETE FROM rooms WHERE created_at <= ?", (cutoff,))

    def _room(self, connection: sqlite3.Connection, room_id: str) -> sqlite3.Row | None:
        return connection.execute("SELECT * FROM rooms WHERE room_id = ?", (room_id,)).fetchone()

    def _as_room(self, row: sqlite3.Row) -> Room:
        return Room(
            room_id=row["room_id"],
            link_params=json.loads(row["link_params"]),
            created_at=row["created_at"],
            expires_at=row["created_at"] + self.retention_seconds,
        )

    # ---- the teacher -------------------------------------------------------------------------

    def create_room(self, link_params: Mapping[str, str]) -> TeacherRoom:
        """A new room for the exercise these link parameters describe."""
        text = json.dumps({str(k): str(v) for k, v in link_params.items()}, sort_keys=True)
        if len(text) > MAX_LINK_PARAMS_CHARS:
            raise ValidationError(
                f"room: the exercise's link has {len(text)} characters, at most {MAX_LINK_PARAMS_CHARS}"
            )
        room = TeacherRoom(room_id=secrets.token_urlsafe(12), secret=secrets.token_urlsafe(24))
        assert ROOM_ID_PATTERN.fullmatch(room.room_id)
        with self._transaction() as connection:
            (open_rooms,) = connection.execute("SELECT count(*) FROM rooms").fetchone()
            if open_rooms >= MAX_OPEN_ROOMS:
                raise LimitError(f"this server has {open_rooms} open rooms, the most it keeps; try again later")
            connection.execute(
                "INSERT INTO rooms VALUES (?, ?, ?, ?)",
                (room.room_id, _secret_digest(room.secret), text, self._clock()),
            )
        return room

    def results(self, room_id: str, secret: str) -> RoomResults | None:
        """Everything the room's learners sent, for the holder of the room's secret; None when
        the room is unknown or expired or the secret is not the room's (one answer for all three,
        so a wrong link learns nothing)."""
        with self._transaction() as connection:
            row = self._room(connection, str(room_id))
            given = _secret_digest(str(secret))
            if row is None or not hmac.compare_digest(given, row["secret_sha256"]):
                return None
            learners = connection.execute(
                "SELECT learner_id, name FROM learners WHERE room_id = ? ORDER BY joined_at, learner_id", (room_id,)
            ).fetchall()
            numbers = {learner["learner_id"]: n for n, learner in enumerate(learners, start=1)}
            names = {learner["learner_id"]: learner["name"] for learner in learners}
            answers = connection.execute(
                "SELECT * FROM answers WHERE room_id = ? ORDER BY ordinal", (room_id,)
            ).fetchall()
        rows = [
            LearnerResult(
                learner=numbers[answer["learner_id"]],
                name=names[answer["learner_id"]],
                result=QuestionResult(
                    question=answer["question"],
                    blanks=answer["blanks"],
                    right=answer["right_answers"],
                    right_after_solution=answer["right_after_solution"],
                    hints=answer["hints"],
                    solution_shown=bool(answer["solution_shown"]),
                ),
                updated_at=answer["updated_at"],
            )
            for answer in answers
        ]
        rows.sort(key=lambda result: result.learner)  # stable: each learner's questions stay in order
        return RoomResults(room=self._as_room(row), learners=len(learners), rows=tuple(rows))

    # ---- the learners ------------------------------------------------------------------------

    def room(self, room_id: str) -> Room | None:
        """The open room with this id (what its exercise is), or None."""
        with self._transaction() as connection:
            row = self._room(connection, str(room_id))
            return None if row is None else self._as_room(row)

    def record(self, room_id: str, learner_id: str, name: str, results: Sequence[QuestionResult]) -> bool:
        """Keep one learner's standing (their name and one result per question they worked on,
        in the exercise's order), replacing what they sent before; each question's row keeps the
        time its result last changed. False when the room is not open (unknown or expired) or
        full, and nothing is kept."""
        if len(results) > MAX_QUESTIONS:
            raise ValidationError(f"room results: at most {MAX_QUESTIONS} questions, got {len(results)}")
        now = self._clock()
        with self._transaction() as connection:
            if self._room(connection, room_id) is None:
                return False
            known = connection.execute(
                "SELECT 1 FROM learners WHERE room_id = ? AND learner_id = ?", (room_id, learner_id)
            ).fetchone()
            if known is None:
                (count,) = connection.execute("SELECT count(*) FROM learners WHERE room_id = ?", (room_id,)).fetchone()
                if count >= MAX_LEARNERS_PER_ROOM:
                    return False
                connection.execute(
                    "INSERT INTO learners VALUES (?, ?, ?, ?)", (room_id, learner_id, clean_name(name), now)
                )
            else:
                connection.execute(
                    "UPDATE learners SET name = ? WHERE room_id = ? AND learner_id = ?",
                    (clean_name(name), room_id, learner_id),
                )
            codes = [r.question for r in results]
            connection.execute(
                f"DELETE FROM answers WHERE room_id = ? AND learner_id = ? AND question NOT IN ({','.join('?' * len(codes))})",
                (room_id, learner_id, *codes),
            )
            connection.executemany(
                _UPSERT_ANSWER,
                [
                    (
                        room_id,
                        learner_id,
                        r.question,
                        ordinal,
                        r.blanks,
                        r.right,
                        r.right_after_solution,
                        r.hints,
                        int(r.solution_shown),
                        now,
                    )
                    for ordinal, r in enumerate(results)
                ],
            )
        return True


# ---- what the teacher reads ------------------------------------------------------------------

COLUMNS = (
    "learner",
    "name",
    "question",
    "right",
    "of",
    "hints",
    "solution shown",
    "solved after the solution",
    "last change (UTC)",
)


def table_rows(results: RoomResults) -> list[dict[str, str | int]]:
    """The teacher's table, one dict per (learner, question), keys COLUMNS."""
    return [
        {
            "learner": row.learner,
            "name": row.name,
            "question": row.result.question,
            "right": row.result.right,
            "of": row.result.blanks,
            "hints": row.result.hints,
            "solution shown": "yes" if row.result.solution_shown else "no",
            "solved after the solution": "yes" if row.result.solved_after_solution else "no",
            "last change (UTC)": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(row.updated_at)),
        }
        for row in results.rows
    ]


SUMMARY_COLUMNS = ("question", "learners", "solved", "solved after the solution", "solution shown", "hints used")


def question_summary(results: RoomResults, questions: Sequence[str]) -> list[dict[str, str | int]]:
    """One row per question (in the exercise's order): how many learners worked on it, solved
    it on their own, solved it only after its solution, looked at the solution, and the hints
    they took in all. Keys SUMMARY_COLUMNS."""
    rows: list[dict[str, str | int]] = []
    for code in questions:
        mine = [row.result for row in results.rows if row.result.question == code]
        rows.append(
            {
                "question": code,
                "learners": len(mine),
                "solved": sum(1 for r in mine if r.solved),
                "solved after the solution": sum(1 for r in mine if r.solved_after_solution),
                "solution shown": sum(1 for r in mine if r.solution_shown),
                "hints used": sum(r.hints for r in mine),
            }
        )
    return rows


def teacher_params(room: TeacherRoom) -> dict[str, str]:
    """The query parameters of the teacher's results link."""
    return {ROOM_PARAMETER: room.room_id, SECRET_PARAMETER: room.secret}


def csv_cell(value: str | int) -> str | int:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or a tab or carriage
    return) gets a leading apostrophe, so it is never run as a formula."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS):
        return "'" + value
    return value


def results_csv(results: RoomResults) -> str:
    """The teacher's table as CSV (a header row, then table_rows), formula cells defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in table_rows(results):
        writer.writerow([csv_cell(row[column]) for column in COLUMNS])
    return out.getvalue()


# ---- this server's store ---------------------------------------------------------------------


def retention_hours_from(environ: Mapping[str, str]) -> float:
    raw = environ.get(ENV_RETENTION_HOURS)
    if raw is None or not raw.strip():
        return DEFAULT_RETENTION_HOURS
    try:
        hours = float(raw)
    except ValueError:
        hours = math.nan
    if not (math.isfinite(hours) and hours > 0):
        raise ValidationError(f"{ENV_RETENTION_HOURS}={raw[:20]!r}: expected a number of hours greater than 0, e.g. 24")
    return hours


def store_from_environment(environ: Mapping[str, str] | None = None) -> RoomStore:
    """This server's store: the file ``MLPSIM_ROOM_DB`` (default DEFAULT_PATH), keeping rooms for
    ``MLPSIM_ROOM_RETENTION_HOURS`` (default 24). One store per (path, retention) per process."""
    environ = os.environ if environ is None else environ
    path = environ.get(ENV_PATH) or str(DEFAULT_PATH)
    return _store(path, retention_hours_from(environ) * 3600.0)


@lru_cache(maxsize=8)
def _store(path: str, retention_seconds: float) -> RoomStore:
    return RoomStore(path, retention_seconds)
