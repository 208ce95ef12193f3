"""The editable tables: input values, and the weights and biases of one layer at a time.

Each st.data_editor shows a DataFrame built from the network's arrays. Its recorded edits are
folded into a new network once, in its on_change callback, and that editor's key changes (its
fold count is part of the key), so the next run draws it afresh from the new arrays: an edit is
never applied twice. Any other replacement of the network (preset, file, resize) renews every
editor's key (the generation), so no recorded edit is carried over to another network of the
same shape.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mlpsim.core.errors import ValidationError
from mlpsim.core.network import Network
from mlpsim.io.assignment import EXAMPLES, parse_assignment
from ui.common.literal import escaped
from ui.common.tables import Table, fold_edits, text_frame
from ui.session import state, workspace

CELL_WIDTH_PX = 80
"""Wide enough for '-0.0523457' (6 significant digits); fixed, so cells sit on a known grid."""
INDEX_WIDTH_PX = 48
"""The narrowest index column: 'IN128', 'N1024'."""
HEADER_CHAR_PX = 7
HEADER_PADDING_PX = 42
"""The grid's header font is ~7 px a character (Source Sans, 14 px); plus the cell's padding and
the pencil icon the grid draws before the header of an editor's columns."""
INDEX_HEADER_CHARS = 20
"""An index header ('from Hidden 1 ↓') is cut to this many characters, so a long layer name
does not make the index column wider than a few cells."""


def index_header(label: str) -> str:
    return label if len(label) <= INDEX_HEADER_CHARS else label[: INDEX_HEADER_CHARS - 1].rstrip() + "…"


def index_width_px(label: str) -> int:
    """The index column's width for header ``label``: the whole label is shown."""
    return max(INDEX_WIDTH_PX, round(HEADER_PADDING_PX + HEADER_CHAR_PX * len(index_header(label))))


def editor_key(table: Table, network: Network) -> str:
    rows, columns = table.shape(network)
    renewals = f"g{workspace.generation()}f{workspace.table_folds(table)}"
    return f"{state.EDITOR_PREFIX}{table.kind}{table.layer}:{rows}x{columns}:{renewals}"


def _on_edit(table: Table, key: str) -> None:
    network = state.current_network()
    fold = fold_edits(network, table, st.session_state[key].get("edited_rows", {}))
    for error in fold.errors:
        workspace.notify("error", error)
    for note in fold.notes:
        workspace.notify("info", note)
    workspace.replace_network(fold.network, folded_table=table)


def render_editor(table: Table, network: Network, read_only: pd.DataFrame | None = None) -> None:
    """One table under its heading: a column per target neuron (or one 'b'/'x' column),
    followed by the ``read_only`` columns (same rows) if given — the bias table shows z and a
    beside b. The index column's header says which layer the rows are ('from Hidden 1 ↓'), and
    a weight matrix says which its columns are ('to Output →') above it.

    The editable cells are text columns, not number columns: the grid's number editor silently
    drops characters it does not expect ('1e-5' arrives as -15, '1,5' as 15), whereas text
    arrives as typed and ui.common.tables.parse_cell accepts it or names the cell."""
    frame = text_frame(table, network)
    editable = list(frame.columns)
    if read_only is not None:
        frame = pd.concat([frame, read_only], axis=1)
    _render_heading(
        table.heading(network) + ("" if read_only is None else f" · {', '.join(read_only.columns)} computed"),
        table.column_header(network),
    )
    key = editor_key(table, network)
    row_header = table.row_header(network) + (" ↓" if table.kind == "weights" else "")
    st.data_editor(
        frame,
        key=key,
        num_rows="fixed",
        height="auto",
        width="content",
        column_config={
            "_index": st.column_config.TextColumn(index_header(row_header), width=index_width_px(row_header)),
            **{
                column: st.column_config.TextColumn(
                    label=str(column), required=True, width=CELL_WIDTH_PX, alignment="right", max_chars=60
                )
                for column in editable
            },
            **_number_columns([] if read_only is None else read_only.columns),
        },
        disabled=[] if read_only is None else list(read_only.columns),
        on_change=_on_edit,
        args=(table, key),
    )


def render_values(heading: str, row_header: str, values: pd.DataFrame) -> None:
    """A read-only table of computed values under its heading (a layer's input: the a before it)."""
    _render_heading(heading + " · computed", None)
    st.dataframe(
        values,
        width="content",
        column_config={
            "_index": st.column_config.TextColumn(index_header(row_header), width=index_width_px(row_header)),
            **_number_columns(values.columns),
        },
    )


def _number_columns(columns) -> dict:
    return {
        column: st.column_config.NumberColumn(label=str(column), format="%.6g", width=CELL_WIDTH_PX)
        for column in columns
    }


def _render_heading(heading: str, column_header: str | None) -> None:
    st.markdown(f"**{escaped(heading)}**")
    if column_header is not None:
        st.caption(escaped(f"{column_header} →"))


def _on_keyboard_edit() -> None:
    """Apply the box's 'W1[2,3] = 0.5' as if typed into that cell; on success the box is
    emptied for the next one, on a refusal it keeps the text so it can be corrected."""
    text = st.session_state[state.KEYBOARD_EDIT]
    if not text.strip():
        return
    network = state.current_network()
    try:
        assignment = parse_assignment(text, network)
    except ValidationError as error:
        st.session_state[state.KEYBOARD_EDIT_OUTCOME] = ("error", str(error))
        return
    table = Table(assignment.kind, assignment.position)
    column = table.frame(network).columns[assignment.column]
    fold = fold_edits(network, table, {assignment.row: {column: assignment.value_text}})
    if fold.errors:
        st.session_state[state.KEYBOARD_EDIT_OUTCOME] = ("error", fold.errors[0])
        return
    value = table.array(fold.network)[assignment.row, assignment.column]
    name = table.cell_name(network, assignment.row, assignment.column)
    st.session_state[state.KEYBOARD_EDIT_OUTCOME] = ("success", f"{name} = {value:.6g}")
    st.session_state[state.KEYBOARD_EDIT] = ""
    st.session_state[state.TABLE_LAYER] = max(assignment.position, 1)  # the edited cell is in view
    if fold.changed:
        workspace.replace_network(fold.network, folded_table=table)


def render_keyboard_edit() -> None:
    """The keyboard path to every cell: a box that takes 'W1[2,3] = 0.5' and Enter."""
    st.text_input(
        "Set a cell (type it and press Enter)",
        key=state.KEYBOARD_EDIT,
        on_change=_on_keyboard_edit,
        placeholder="W1[2,3] = 0.5",
        help=f"As the article writes them, counted from 1: {EXAMPLES}. Wk[i,j] is the weight from "
        "neuron i of the layer before to neuron j of layer k.",
    )
    outcome = st.session_state.pop(state.KEYBOARD_EDIT_OUTCOME, None)
    if outcome is not None:
        kind, text = outcome
        (st.success if kind == "success" else st.error)(escaped(text))
