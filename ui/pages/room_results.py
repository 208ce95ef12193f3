"""The teacher's results page for one room (hidden in the navigation; app.py serves it at
/results): opened only by the room's teacher link, ?room=<id>&secret=<secret>. It lists what the
learners of the room link sent (mlpsim.workshop.roomresults), refreshes itself while the room works, and
offers the table as CSV. A learner's link (room id, no secret) opens nothing here.
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from mlpsim.core.errors import MlpsimError, ValidationError
from mlpsim.workshop.exercise import exercise_title, make_exercise
from mlpsim.workshop.links import spec_from_params
from mlpsim.workshop.roomresults import (
    COLUMNS,
    ROOM_PARAMETER,
    SECRET_PARAMETER,
    SUMMARY_COLUMNS,
    RoomResults,
    RoomStore,
    RoomStoreError,
    question_summary,
    results_csv,
    store_from_environment,
    table_rows,
)
from ui.common.literal import escaped
from ui.session import state

REFRESH_SECONDS = 5
"""The results refresh this often while the page is open."""
NOT_OPEN = (
    "This link opens no room's results. Results open only with the teacher's results link of a room "
    "that is still open (the one with secret= in it); a learner's link cannot open them."
)


def _utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


def _exercise_line(results: RoomResults) -> tuple[str, tuple[str, ...]]:
    """A heading for the room's exercise and its question codes in the exercise's order (in the
    order the learners sent them if this server can no longer make the exercise)."""
    try:
        spec = spec_from_params(results.room.link_params)
        if spec is None:
            raise ValidationError("the room's link has no seed")
        exercise = make_exercise(spec)
    except MlpsimError as error:
        sent = tuple(dict.fromkeys(row.result.question for row in results.rows))
        return f"Exercise of the room (this server cannot make it again: {error})", sent
    flags = [
        word for word, on in (("locked", spec.locked), ("solutions released", spec.locked and spec.solutions)) if on
    ]
    heading = exercise_title(spec) + "".join(f" · {flag}" for flag in flags)
    return heading, tuple(question.code for question in exercise.questions)


def render() -> None:
    """The results page, for app.py's st.navigation."""
    st.title("Room results")
    room_id = str(st.query_params.get(ROOM_PARAMETER, ""))
    secret = str(st.query_params.get(SECRET_PARAMETER, ""))
    try:
        store = store_from_environment()
        results = store.results(room_id, secret) if room_id and secret else None
    except (RoomStoreError, MlpsimError) as error:
        st.error(escaped(f"The room results cannot be read on this server: {error}"))
        return
    if results is None:
        st.error(NOT_OPEN)
        return
    _live_results(store, room_id, secret)


@st.fragment(run_every=REFRESH_SECONDS)
def _live_results(store: RoomStore, room_id: str, secret: str) -> None:
    try:
        results = store.results(room_id, secret)
    except RoomStoreError as error:
        st.error(escaped(f"The room results cannot be read on this server: {error}"))
        return
    if results is None:
        st.error("This room has closed: its results were deleted at the end of its retention.")
        return
    heading, questions = _exercise_line(results)
    st.subheader(escaped(heading))
    answered = len({row.learner for row in results.rows})
    st.markdown(
        f"Learners who opened the room link: **{results.learners}**; who worked on a question: **{answered}**. "
        f"The room was made at {_utc(results.room.created_at)} and is deleted with its results at "
        f"{_utc(results.room.expires_at)}."
    )
    st.markdown("**Per question**: *solved* counts only answers given before the question's solution was shown.")
    st.dataframe(pd.DataFrame(question_summary(results, questions), columns=SUMMARY_COLUMNS), hide_index=True)
    st.markdown("**Per learner** (names as typed; learners without a name are numbered):")
    st.dataframe(pd.DataFrame(table_rows(results), columns=COLUMNS), hide_index=True)
    st.download_button(
        "Download CSV",
        results_csv(results),
        file_name=f"room-{room_id}-results.csv",
        mime="text/csv",
        key=state.ROOM_RESULTS_DOWNLOAD,
        on_click="ignore",
    )
    st.caption(f"Updated {_utc(time.time())}; refreshes every {REFRESH_SECONDS} s.")
