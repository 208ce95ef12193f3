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

from mlpsim.network import Network
from ui import state, workspace
from ui.tables import Table, fold_edits, text_frame

CELL_WIDTH_PX = 80
"""Wide enough for '-0.0523457' (6 significant digits); fixed, so cells sit on a known grid."""
INDEX_WIDTH_PX = 48


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
    """One table: a column per target neuron (or one 'b'/'x' column), followed by the
    ``read_only`` columns (same rows) if given — the bias table shows z and a beside b.

    The editable cells are text columns, not number columns: the grid's number editor silently
    drops characters it does not expect ('1e-5' arrives as -15, '1,5' as 15), whereas text
    arrives as typed and ui.tables.parse_cell accepts it or names the cell."""
    frame = text_frame(table, network)
    editable = list(frame.columns)
    if read_only is not None:
        frame = pd.concat([frame, read_only], axis=1)
    key = editor_key(table, network)
    st.data_editor(
        frame,
        key=key,
        num_rows="fixed",
        height="auto",
        width="stretch" if table.kind == "weights" else "content",
        column_config={
            "_index": st.column_config.TextColumn(width=INDEX_WIDTH_PX),
            **{
                column: st.column_config.TextColumn(
                    label=str(column), required=True, width=CELL_WIDTH_PX, alignment="right", max_chars=60
                )
                for column in editable
            },
            **{
                column: st.column_config.NumberColumn(label=str(column), format="%.6g", width=CELL_WIDTH_PX)
                for column in ([] if read_only is None else read_only.columns)
            },
        },
        disabled=[] if read_only is None else list(read_only.columns),
        on_change=_on_edit,
        args=(table, key),
    )
    st.caption(table.title(network) + ("" if read_only is None else f" · {', '.join(read_only.columns)} computed"))
