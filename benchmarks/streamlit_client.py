"""A small client speaking Streamlit's own protocol, for load tests (tooling, not part of mlpsim).

A browser tab talks to a Streamlit server over one websocket, ``/_stcore/stream`` (subprotocol
``streamlit``): it sends ``BackMsg`` protobufs (a rerun is ``rerun_script`` carrying the
``ClientState``: query string and every widget's value) and receives ``ForwardMsg`` protobufs:
``new_session`` when a run starts, ``delta``s that place elements at a ``delta_path`` in the page,
and ``script_finished``. This client does the same, keeps the page as a map path → element, and
finds widgets by their type and label — never by the ids Streamlit derives from them — so it
keeps working while the app's layout changes.

No message cache is declared (``cached_message_hashes`` stays empty), so the server always sends
whole messages and no HTTP side channel is needed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FULL_RUN_DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
FRAGMENT_RUN_DONE = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY


class ProtocolError(RuntimeError):
    """The server closed the stream, timed out, or the app raised (an exception element)."""


@dataclass
class Element:
    """One element of the page: its place, its type (``Element.WhichOneof('type')``) and proto."""

    path: tuple[int, ...]
    kind: str
    proto: Any
    _frame: Any = field(default=None, repr=False)

    @property
    def body(self) -> Any:
        """The typed message, e.g. the ``NumberInput`` of a number_input element."""
        return getattr(self.proto, self.kind)

    @property
    def label(self) -> str:
        return getattr(self.body, "label", "")

    @property
    def widget_id(self) -> str:
        return getattr(self.body, "id", "")

    def text(self) -> str:
        """Readable text of markdown/text/heading/alert/code/exception elements ('' otherwise)."""
        body = self.body
        for name in ("body", "text", "message", "code_text"):
            value = getattr(body, name, None)
            if isinstance(value, str):
                return value
        return ""

    def frame(self):
        """The pandas DataFrame of a dataframe/table element (data_editor included), decoded once."""
        if self._frame is None:
            import pyarrow as pa

            with pa.ipc.open_stream(io.BytesIO(self.body.arrow_data.data)) as reader:
                self._frame = reader.read_pandas()
        return self._frame


@dataclass
class RunRecord:
    """One rerun as the client saw it: seconds from request to ``script_finished``."""

    seconds: float
    status: int
    exceptions: list[str] = field(default_factory=list)
    received_bytes: int = 0
    """Size of every ForwardMsg of the run, as sent over the websocket."""


class StreamlitSession:
    """One browser tab's worth of Streamlit: connect, rerun with widget values, read the page."""

    def __init__(self, base_url: str, query_string: str = "", timeout: float = 60.0, page_name: str = ""):
        self.base_url = base_url.rstrip("/")
        self.query_string = query_string
        self.page_name = page_name
        """The page's URL path ('train' for /train), as the browser sends it; '' = the default page."""
        self.timeout = timeout
        self.auto_reruns: dict[str, float] = {}
        """fragment id → seconds: the fragments the app asked to rerun on a timer (st.fragment(run_every=…))."""
        self.page: dict[tuple[int, ...], Element] = {}
        self.widget_values: dict[str, WidgetState] = {}
        self.runs: list[RunRecord] = []
        self._socket = None
        self._touched: set[tuple[int, ...]] = set()

    # ---- connection ---------------------------------------------------------------------

    async def connect(self) -> RunRecord:
        """Open the websocket and run the script once, as a page load does."""
        websocket_url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self._socket = await websockets.connect(
            websocket_url,
            subprotocols=["streamlit"],
            origin=self.base_url,
            max_size=64 * 2**20,
            open_timeout=self.timeout,
            ping_interval=None,
        )
        return await self.rerun()

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    async def __aenter__(self) -> StreamlitSession:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()

    # ---- reruns -----------------------------------------------------------------------------

    async def rerun(self, **changes: WidgetState) -> RunRecord:
        """Send every widget's value (with ``changes`` by widget id) and wait for the run to end.

        Returns the run's timing; the page is updated in place.
        """
        # Values of widgets no longer on the page (an editor renewed after an edit) are dropped,
        # as the browser drops unmounted widgets; otherwise every request would keep growing.
        present = {element.widget_id for element in self.page.values() if element.widget_id}
        self.widget_values = {key: value for key, value in self.widget_values.items() if key in present}
        self.widget_values.update(changes)
        return await self._send_rerun()

    async def rerun_fragment(self, fragment_id: str) -> RunRecord:
        """What the browser's timer sends for an ``st.fragment(run_every=…)``: a rerun of that
        fragment alone, with every widget's value; waits for the fragment run to end."""
        return await self._send_rerun(fragment_id)

    async def _send_rerun(self, fragment_id: str = "") -> RunRecord:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = ""
        state.page_name = self.page_name
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = True
        for value in self.widget_values.values():
            state.widget_states.widgets.append(value)
        # A button's trigger is sent once, as the browser does: the next rerun must not click again.
        self.widget_values = {
            key: value for key, value in self.widget_values.items() if value.WhichOneof("value") != "trigger_value"
        }
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        record = await self._read_until_finished(started)
        self.runs.append(record)
        return record

    async def _read_until_finished(self, started: float) -> RunRecord:
        exceptions: list[str] = []
        received = 0
        deadline = started + self.timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise ProtocolError(f"no script_finished within {self.timeout:.0f} s")
            try:
                raw = await asyncio.wait_for(self._socket.recv(), remaining)
            except TimeoutError:
                raise ProtocolError(f"no script_finished within {self.timeout:.0f} s") from None
            except websockets.ConnectionClosed as error:
                raise ProtocolError(f"server closed the stream: {error}") from None
            received += len(raw)
            message = ForwardMsg()
            message.ParseFromString(raw)
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self._touched = set()
                if not message.metadata.run.fragment_ids:  # a full run: the browser stops its timers
                    self.auto_reruns.clear()
            elif kind == "delta":
                self._apply(message, exceptions)
            elif kind == "session_event" and message.session_event.WhichOneof("type") == "script_compilation_exception":
                exceptions.append(message.session_event.script_compilation_exception.message)
            elif kind == "auto_rerun":
                self.auto_reruns[message.auto_rerun.fragment_id] = message.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                for fragment_id in message.stop_auto_rerun.fragment_ids:
                    self.auto_reruns.pop(fragment_id, None)
            elif kind == "script_finished":
                status = message.script_finished
                if status in FULL_RUN_DONE:
                    self.page = {path: element for path, element in self.page.items() if path in self._touched}
                if status in FULL_RUN_DONE or status == FRAGMENT_RUN_DONE:
                    return RunRecord(time.perf_counter() - started, status, exceptions, received)

    def _apply(self, message: ForwardMsg, exceptions: list[str]) -> None:
        path = tuple(message.metadata.delta_path)
        delta = message.delta
        self._touched.add(path)
        if delta.WhichOneof("type") != "new_element":
            self.page.pop(path, None)
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        self.page[path] = Element(path, kind, element)
        if kind == "exception":
            exceptions.append(f"{element.exception.type}: {element.exception.message}")
        self._adopt_server_value(self.page[path])

    def _adopt_server_value(self, element: Element) -> None:
        """When the script sets a widget's value (``set_value``), the browser takes it; so do we."""
        body = element.body
        if not getattr(body, "set_value", False) or element.widget_id not in self.widget_values:
            return
        del self.widget_values[element.widget_id]

    # ---- reading the page ---------------------------------------------------------------------

    def elements(self, kind: str | None = None) -> Iterator[Element]:
        """Elements in page order (delta paths sort as the page reads top to bottom)."""
        for path in sorted(self.page):
            element = self.page[path]
            if kind is None or element.kind == kind:
                yield element

    def widget(self, kind: str, label_contains: str) -> Element:
        """The first widget of ``kind`` whose label contains ``label_contains`` (case-insensitive),
        or else the first one whose nearest text above it (heading, markdown) contains it — the
        way a reader finds the 'neurons' box under the 'Hidden 1' heading."""
        wanted = label_contains.lower()
        for element in self.elements(kind):
            if wanted in element.label.lower():
                return element
        text_above = ""
        for element in self.elements():
            if element.kind == kind and wanted in text_above.lower():
                return element
            if element.kind in ("markdown", "heading", "text"):
                text_above = element.text()
        labels = [f"{e.kind}:{e.label!r}" for e in self.elements() if e.label]
        raise LookupError(f"no {kind} labelled like {label_contains!r}; the page has {labels}")

    def texts(self) -> list[str]:
        return [element.text() for element in self.elements() if element.text()]


def run_coroutine(coroutine):
    """``asyncio.run(coroutine)`` in a thread of its own: works even where an event loop is already
    running in this thread (Playwright's sync API keeps one in pytest sessions with browser tests)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


# ---- widget values, as the browser encodes them -------------------------------------------------


def int_value(widget_id: str, value: int) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.int_value = value
    return state


def double_value(widget_id: str, value: float) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.double_value = value
    return state


def string_value(widget_id: str, value: str) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.string_value = value
    return state


def trigger(widget_id: str) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.trigger_value = True
    return state


def editor_edits(widget_id: str, edited_rows: dict[int, dict[str, Any]]) -> WidgetState:
    """A data_editor's value: the edits JSON the grid sends ({"edited_rows": {row: {col: v}}})."""
    edits = {
        "edited_rows": {str(row): cells for row, cells in edited_rows.items()},
        "added_rows": [],
        "deleted_rows": [],
    }
    return string_value(widget_id, json.dumps(edits))
