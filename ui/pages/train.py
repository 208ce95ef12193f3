"""The Train page: pick data, press Play, watch the network learn; pause and see every number.

The network trained is the session's current network (ui/session/state.py's NETWORK), the one the
Simulator edits: each step stores the trained network there, and an edit made on the Simulator
starts a new run from the edited network. The run itself (mlpsim.training_run.Run) is a value in
session state, so it survives a switch to another page and back.

Live play: the views are an ``st.fragment`` that reruns on a timer (FRAME_SECONDS) while
playing. Each frame waits for its session's turn in the process's play lane
(training_run.PLAY_LANE: one playing session's frame at a time), trains up to "epochs per
frame" epochs but starts no new epoch once its budget has passed (TRAINING_BUDGET_SECONDS,
divided among the sessions waiting behind it), then draws: the pictures (boundary, neuron maps,
curves) as small inline images and SVG, the diagram at most every DIAGRAM_SECONDS. So a frame
holds the server for a bounded time, many players share one thread's worth of it, and the
Simulator's reruns are never queued behind them. Pause is a full rerun that turns the timer
off; it takes effect at the frame's next Streamlit call, also while the frame waits its turn. A
frame checks for it once more after training and drawing, before it stores or sends anything,
so a Pause pressed mid-frame drops that frame: the page stops at the epoch on the screen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from mlpsim import training_run, trainlink
from mlpsim.core.errors import MlpsimError, ValidationError
from mlpsim.core.forward import ForwardResult, forward
from mlpsim.core.losses import LOSSES, default_loss, get_loss, losses_for
from mlpsim.core.network import Network, neuron_name, weight_name
from mlpsim.core.optimizers import OPTIMIZERS
from mlpsim.data import datafile
from mlpsim.data.datasets import DATASETS, Dataset, DatasetSpec
from mlpsim.explain.gradient_working import layer_gradient, neuron_gradient
from mlpsim.render import train_views
from mlpsim.render.figure import network_figure
from mlpsim.training_run import DataChoice, Prepared, Run, Settings, Stopped
from ui.common import cache
from ui.common.literal import escaped
from ui.parts import results, share, train_address, train_tables
from ui.session import state, workspace

FRAME_SECONDS = 0.15
TRAINING_BUDGET_SECONDS = 0.04
DIAGRAM_SECONDS = 1.0
UNDO_DEPTH = 50
TABLE_MAX_COLUMNS = 10
"""Layers at most this wide get plain tables (text a reader and a test can read); wider ones a grid."""
UPLOAD = "upload"
UPLOAD_TITLE = "Your CSV file"


def _dataset_title(name: str) -> str:
    return UPLOAD_TITLE if name == UPLOAD else DATASETS[name].title


def _shows_digit_images(dataset: Dataset) -> bool:
    """A built-in set whose rows are 8×8 images (an upload never is)."""
    spec = DATASETS.get(dataset.name)
    return spec is not None and spec.images


# ---- state ---------------------------------------------------------------------------------------


def _ensure_defaults() -> None:
    state.ensure_defaults()  # the Train page's defaults are in the state table with the others
    # A session that has not touched the Simulator's network (its first preset, which fits no
    # built-in data) opens on a network built for the chosen data, ready to Play; it becomes the
    # session's network, so the Simulator shows what is trained here.
    if state.is_first_preset(state.current_network()) and _choice().name in DATASETS:
        _start_small(_choice().name, notify=False)


def _start_small(name: str, notify: bool = True) -> None:
    """Make the dataset's own small network (its DatasetSpec's, seeded with the data seed) the
    session's network, and take its declared settings: the pair that learns it."""
    spec = DATASETS[name]
    network = spec.default_network(_choice().seed)
    workspace.replace_network(network, label=f"Train page: {network.name}")
    st.session_state[state.TRAIN_OWN_NETWORK] = network
    # A new start, not an edit made elsewhere: no run to continue, nothing to say about it.
    st.session_state[state.TRAIN_RUN] = None
    st.session_state[state.TRAIN_PLAYING] = False
    _apply_defaults(name)
    if notify:
        workspace.notify("success", f"Training starts from {network.name}, with this dataset's settings.")


def _apply_defaults(name: str) -> None:
    """The dataset's declared loss, optimiser, η, batch size and test rows, into the settings and
    the widgets that show them (called before they are drawn: a callback, or ahead of the sidebar)."""
    st.session_state[state.TRAIN_ADDRESS_STALE] = True
    defaults = DATASETS[name].training
    settings = _settings().with_defaults(defaults)
    st.session_state[state.TRAIN_SETTINGS] = settings
    test_percent = int(round(defaults.test_fraction * 100))
    st.session_state[state.TRAIN_DATA] = replace(_choice(), test_percent=test_percent)
    state.fill_settings_widgets(settings)
    st.session_state[state.TRAIN_TEST_PERCENT] = test_percent


def _on_dataset_change() -> None:
    """Another dataset was picked: its declared settings apply, and the network the page built
    for the last data, still untrained, gives way to this data's own."""
    name = st.session_state[state.TRAIN_DATASET_SELECT]
    st.session_state[state.TRAIN_ADDRESS_STALE] = True
    st.session_state[state.TRAIN_DATA] = replace(_choice(), name=name)
    if name not in DATASETS:
        return  # an upload: its shape is known only once it is loaded
    network = state.current_network()
    if state.is_first_preset(network) or network is state.value(state.TRAIN_OWN_NETWORK):
        _start_small(name, notify=False)
    else:
        _apply_defaults(name)


def _settings() -> Settings:
    return state.value(state.TRAIN_SETTINGS)


def _choice() -> DataChoice:
    return state.value(state.TRAIN_DATA)


def _fill(key: str, value) -> None:
    """Give a widget its stored value when it is drawn again after a visit to another page."""
    if key not in st.session_state:
        st.session_state[key] = value


def _store_run(run: Run) -> None:
    st.session_state[state.TRAIN_RUN] = run
    state.set_network(run.network)


def _push_undo(run: Run) -> None:
    undo = state.value(state.TRAIN_UNDO)
    undo.append(run)
    del undo[:-UNDO_DEPTH]


# ---- data --------------------------------------------------------------------------------------


def _on_upload() -> None:
    """Parse an uploaded CSV once per file, against the current network's shape; a refused file
    leaves the data the page had."""
    uploaded = st.session_state.get(state.TRAIN_UPLOAD)
    if uploaded is None:
        return
    try:
        dataset = datafile.load_csv(uploaded.getvalue(), uploaded.name, state.current_network())
    except ValidationError as error:
        workspace.notify("error", f"The file was not loaded: {error}. The data you had is unchanged.")
        return
    st.session_state[state.TRAIN_UPLOADED] = (uploaded.file_id, dataset)
    workspace.notify("success", f"Loaded {len(dataset)} rows from {uploaded.name}.")


def _render_data_controls() -> None:
    choice = _choice()
    uploaded = state.value(state.TRAIN_UPLOADED)
    _fill(state.TRAIN_DATASET_SELECT, UPLOAD if uploaded is not None and choice.name == UPLOAD else choice.name)
    name = st.selectbox(
        "Dataset",
        [*DATASETS, UPLOAD],
        key=state.TRAIN_DATASET_SELECT,
        format_func=_dataset_title,
        on_change=_on_dataset_change,
        help="Picking a dataset applies its own settings (loss, optimiser, η, batch size, test rows).",
    )
    if name == UPLOAD:
        st.file_uploader(
            "CSV: inputs, then a 'label' column or one target column per output",
            type=["csv"],
            key=state.TRAIN_UPLOAD,
            on_change=_on_upload,
        )
    fixed = name == UPLOAD or not DATASETS[name].sized
    _fill(state.TRAIN_POINTS, choice.points)
    _fill(state.TRAIN_NOISE, int(round(choice.noise * 100)))
    _fill(state.TRAIN_TEST_PERCENT, choice.test_percent)
    _fill(state.TRAIN_SEED, choice.seed)
    points = st.slider("Points", 20, 1200, step=10, key=state.TRAIN_POINTS, disabled=fixed)
    noise = st.slider("Noise (%)", 0, 50, key=state.TRAIN_NOISE, disabled=fixed)
    test_percent = st.slider("Test rows (%)", 0, 90, step=5, key=state.TRAIN_TEST_PERCENT)
    seed = st.number_input("Data seed", 0, 2**31 - 1, step=1, key=state.TRAIN_SEED)
    st.session_state[state.TRAIN_DATA] = DataChoice(name, int(points), noise / 100, int(test_percent), int(seed))


def _dataset_parts() -> tuple[Dataset, Dataset, Dataset | None] | str:
    """The chosen dataset and its split, or why there is none yet."""
    choice = _choice()
    if choice.name == UPLOAD:
        uploaded = state.value(state.TRAIN_UPLOADED)
        if uploaded is None:
            return "Upload a CSV file in the sidebar: a header row, the inputs, then a 'label' column (classes 0, 1, …) or one column per output."
        dataset = uploaded[1]
        return (dataset, *training_run.split(dataset, choice.test_percent, choice.seed))
    return _built_in(choice)


@cache.shared(cache.DATASET)
def _built_in(choice: DataChoice) -> tuple[Dataset, Dataset, Dataset | None]:
    """training_run.built_in, shared by every session (its datasets are never modified)."""
    return training_run.built_in(choice)


def _prepared(network: Network) -> Prepared | tuple[Dataset | None, str]:
    """The data as rows for ``network``: cached while the data and the network's input and
    output shape stay the same; (dataset, why not) when it does not fit."""
    parts = _dataset_parts()
    if isinstance(parts, str):
        return None, parts
    dataset, train_part, test_part = parts
    key = (_choice(), id(dataset), network.input_size, network.layers[-1].size, network.layers[-1].activation)
    cached = state.value(state.TRAIN_PREPARED)
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        prepared = training_run.prepare(dataset, train_part, test_part, network)
    except ValidationError as error:
        return dataset, str(error)
    st.session_state[state.TRAIN_PREPARED] = (key, prepared)
    return prepared


def _on_reshape(dataset: Dataset) -> None:
    network = state.current_network()
    reshape = training_run.reshape_for(network, dataset)
    workspace.replace_network(reshape.network)
    settings = _settings()
    st.session_state[state.TRAIN_SETTINGS] = Settings(
        reshape.loss,
        settings.optimizer,
        settings.learning_rate,
        settings.batch_size,
        settings.l1,
        settings.l2,
        settings.epochs_per_frame,
    )
    st.session_state.pop(state.TRAIN_LOSS, None)
    workspace.notify("success", "The network was reshaped to fit the data: " + "; ".join(reshape.changes) + ".")


def _render_fit_choices(network: Network, dataset: Dataset) -> None:
    """The two ways on when the data does not fit the network: reshape this network (its hidden
    layers kept), or, for a built-in dataset, start from the small network declared for it."""
    reshape = training_run.reshape_for(network, dataset)
    spec = DATASETS.get(_choice().name)
    with st.container(horizontal=True):
        st.button(
            "Reshape it",
            type="primary",
            on_click=_on_reshape,
            args=(dataset,),
            help="; ".join(reshape.changes),
        )
        if spec is not None:
            st.button(
                "Start from a small network for this data",
                on_click=_start_small,
                args=(spec.name,),
                help=f"{spec.short_title}'s own network, {'-'.join(map(str, spec.network.layer_sizes))}, "
                "with its own settings",
            )
    st.caption("Reshaping would change: " + escaped("; ".join(reshape.changes)) + ".")
    if spec is not None:
        sizes = "-".join(map(str, spec.network.layer_sizes))
        activations = ", ".join(spec.network.activations)
        st.caption(
            f"The small network for this data: {sizes} ({escaped(activations)}), seeded Xavier weights, "
            "trained with this dataset's settings."
        )


def _render_preview(dataset: Dataset) -> None:
    st.caption(escaped(dataset.description))
    if dataset.inputs.shape[1] == 2:
        st.plotly_chart(
            train_views.preview_figure(dataset), key="train_preview", theme=None, config={"displaylogo": False}
        )
    elif _shows_digit_images(dataset) and dataset.labels is not None:
        st.image(
            [train_views.digit_png(dataset.inputs[i]) for i in range(12)],
            caption=[f"label {dataset.labels[i]}" for i in range(12)],
        )
    else:
        st.table(train_tables.preview_frame(dataset))


# ---- settings ----------------------------------------------------------------------------------


def _render_settings(network: Network) -> None:
    settings = _settings()
    output = network.layers[-1].activation
    losses = losses_for(output)
    loss = default_loss(output, preferred=settings.loss)
    _fill(state.TRAIN_LOSS, loss)
    if st.session_state[state.TRAIN_LOSS] not in losses:
        st.session_state[state.TRAIN_LOSS] = loss
    _fill(state.TRAIN_OPTIMIZER, settings.optimizer)
    _fill(state.TRAIN_LEARNING_RATE, settings.learning_rate)
    _fill(state.TRAIN_BATCH_SIZE, settings.batch_size)
    _fill(state.TRAIN_L1, settings.l1)
    _fill(state.TRAIN_L2, settings.l2)
    _fill(state.TRAIN_EPOCHS_PER_FRAME, settings.epochs_per_frame)
    loss = st.selectbox(
        "Loss",
        losses,
        key=state.TRAIN_LOSS,
        format_func=lambda n: LOSSES[n].title,
        help=f"Losses that fit the {output} output layer.",
    )
    optimizer = st.selectbox(
        "Optimiser", list(OPTIMIZERS), key=state.TRAIN_OPTIMIZER, format_func=lambda n: OPTIMIZERS[n].title
    )
    # Up to 1e6: "turn the rate up and watch it blow up" is a workshop demo the page must survive.
    rate = st.number_input("Learning rate η", min_value=1e-6, max_value=1e6, format="%g", key=state.TRAIN_LEARNING_RATE)
    batch = st.number_input("Batch size", 1, 10_000, step=1, key=state.TRAIN_BATCH_SIZE)
    left, right = st.columns(2)
    l1 = left.number_input("L1 λ₁", 0.0, 10.0, format="%g", key=state.TRAIN_L1)
    l2 = right.number_input("L2 λ₂", 0.0, 10.0, format="%g", key=state.TRAIN_L2)
    per_frame = st.slider("Epochs per frame (Play)", 1, 100, key=state.TRAIN_EPOCHS_PER_FRAME)
    settings = Settings(loss, optimizer, float(rate), int(batch), float(l1), float(l2), int(per_frame))
    st.session_state[state.TRAIN_SETTINGS] = settings
    spec = DATASETS.get(_choice().name)
    if spec is not None:
        caption = _defaults_caption(spec, settings, _choice().test_percent)
        st.caption(escaped(caption))
        if not caption.endswith("in use."):
            st.button("Use this dataset's defaults", on_click=_apply_defaults, args=(spec.name,))


def _defaults_caption(spec: DatasetSpec, settings: Settings, test_percent: int) -> str:
    """Which settings are the dataset's own: 'Circle's defaults: squared error, SGD, η 0.03, batch
    10, 50 % test rows — in use.'"""
    defaults = spec.training
    declared_percent = int(round(defaults.test_fraction * 100))
    text = (
        f"{spec.short_title}'s defaults: {LOSSES[defaults.loss].title}, {OPTIMIZERS[defaults.optimizer].title}, "
        f"η {defaults.learning_rate:g}, batch {defaults.batch_size}, {declared_percent} % test rows"
    )
    changed = list(settings.differences(defaults))
    if test_percent != declared_percent:
        changed.append("test rows")
    if not changed:
        return text + " — in use."
    return text + " — you changed " + ", ".join(changed) + "."


# ---- the run and its controls ------------------------------------------------------------------


def _current_run(network: Network, data: Prepared) -> Run:
    """The run for this network and data; a new one when the network was replaced elsewhere
    (an edit on the Simulator) or the data changed."""
    run = state.value(state.TRAIN_RUN)
    data_key = state.value(state.TRAIN_PREPARED)[0]
    if run is not None and run.network is network and state.value(state.TRAIN_RUN_DATA) == data_key:
        return run
    if run is not None and run.network is not network:
        st.info("The network changed since the last step: training starts from it now (Reset returns to it).")
        st.session_state[state.TRAIN_PLAYING] = False
    run = training_run.new_run(network, _settings(), _choice().seed)
    st.session_state[state.TRAIN_RUN_DATA] = data_key
    st.session_state[state.TRAIN_RUN] = run
    st.session_state[state.TRAIN_UNDO] = []
    return run


def _apply(outcome: Run | Stopped) -> None:
    if isinstance(outcome, Stopped):
        st.session_state[state.TRAIN_STOP] = outcome.message
        st.session_state[state.TRAIN_PLAYING] = False
        _store_run(outcome.run)
    else:
        _store_run(outcome)


def _on_action(action: str) -> None:
    st.session_state[state.TRAIN_ACTION] = action


def _perform_action(run: Run, data: Prepared) -> str | None:
    """Carry out the control pressed (its callback only named it), before the controls are
    drawn; return which it was."""
    action = st.session_state.pop(state.TRAIN_ACTION, None)
    if action is None:
        return None
    playing = state.value(state.TRAIN_PLAYING)
    settings = _settings()
    if action in ("step", "epoch", "reset") or (action == "play" and not playing):
        st.session_state[state.TRAIN_STOP] = None
        _push_undo(run)
    if action == "step":
        _apply(training_run.step(run, settings, data))
    elif action == "epoch":
        _apply(training_run.finish_epoch(run, settings, data))
    elif action == "play":
        st.session_state[state.TRAIN_PLAYING] = not playing
    elif action == "reset":
        _apply(training_run.reset(run, settings))
    elif action == "undo" and state.value(state.TRAIN_UNDO):
        st.session_state[state.TRAIN_STOP] = None
        _store_run(state.value(state.TRAIN_UNDO).pop())
    return action


def _render_play_button(problem: str | None) -> None:
    playing = state.value(state.TRAIN_PLAYING)
    st.button(
        "Pause" if playing else "Play",
        shortcut="P",
        type="primary",
        disabled=problem is not None and not playing,
        help="Play or pause (key P)",
        on_click=_on_action,
        args=("play",),
    )


def _render_step_controls(problem: str | None) -> None:
    blocked = state.value(state.TRAIN_PLAYING) or problem is not None
    columns = st.columns(4)
    columns[0].button(
        "Step",
        shortcut="S",
        disabled=blocked,
        width="stretch",
        help="One mini-batch (key S)",
        on_click=_on_action,
        args=("step",),
    )
    columns[1].button(
        "Epoch",
        shortcut="E",
        disabled=blocked,
        width="stretch",
        help="The rest of this epoch, or one whole epoch (key E)",
        on_click=_on_action,
        args=("epoch",),
    )
    columns[2].button(
        "Reset",
        width="stretch",
        help="Back to the weights training started from, same seed",
        on_click=_on_action,
        args=("reset",),
    )
    columns[3].button(
        "Undo",
        width="stretch",
        disabled=not state.value(state.TRAIN_UNDO),
        help="Undo the last Step, Epoch, Play or Reset",
        on_click=_on_action,
        args=("undo",),
    )


def _workbench() -> None:
    """Step, Epoch, Reset and Undo, the live views and the one-step panel: a fragment, so that a
    Step reruns these and not the sidebar and the page's head (~0.07 s less per Step in the
    browser). Play and Pause stay outside it: they set the live views' frame timer, which a
    full rerun does, and a full rerun also stops a playing frame at once."""
    data: Prepared = state.value(state.TRAIN_PREPARED)[1]
    problem = training_run.check_fits(_settings(), state.current_network())
    action = _perform_action(state.value(state.TRAIN_RUN), data)
    if action is not None and st.session_state.get(state.TRAIN_SAVE_OPEN):
        st.rerun(scope="app")  # the open Save popover, outside this fragment, shows the network
    # Written here, after the control's change: a Step or an Epoch reruns only this fragment.
    # Play's frames are the inner fragment, which never writes (a history entry per frame).
    train_address.follow()
    _render_step_controls(problem)
    if state.value(state.TRAIN_STOP):
        st.error(escaped(state.value(state.TRAIN_STOP)))
    playing = state.value(state.TRAIN_PLAYING)
    st.fragment(_live, run_every=FRAME_SECONDS if playing else None)()
    if playing:
        st.caption("Pause to see one step with every number.")
    else:
        _render_step_panel(state.value(state.TRAIN_RUN), data)


# ---- live views --------------------------------------------------------------------------------


def _sample_input(run: Run, data: Prepared):
    """The training row the diagram is coloured for: the one the one-step panel works out, a
    row of the next Step's batch (its first, once the batch no longer holds the one chosen)."""
    numbers = [int(r) + 1 for r in training_run.next_batch(run, _settings(), data)]
    if numbers and state.value(state.TRAIN_SAMPLE) not in numbers:
        st.session_state[state.TRAIN_SAMPLE] = numbers[0]
    row = min(state.value(state.TRAIN_SAMPLE), len(data.train_rows)) - 1
    return data.train_rows.inputs[row], data.train_rows.targets[row]


def _loss_text(loss: float) -> str:
    """Four decimals, as a learning loss reads best; a diverging one (1e246 has 247 digits
    before the point) in powers of ten."""
    return f"{loss:.4f}" if abs(loss) < 1e6 else f"{loss:.4g}"


def _counter_text(run: Run, data: Prepared) -> str:
    batches = training_run.batch_count(data.train_rows, _settings())
    within = f" · batch {run.batches_done} of {batches} of the next epoch" if run.batches_done else ""
    last = run.history[-1] if run.history else None
    figures = ""
    if last is not None:
        figures = f" · train loss {_loss_text(last.train_loss)}"
        if last.test_loss is not None:
            figures += f" · test loss {_loss_text(last.test_loss)}"
        if last.test_accuracy is not None:
            figures += f" · test accuracy {100 * last.test_accuracy:.1f} %"
    if within:
        return f"### Epoch {run.epoch}\n{within.lstrip(' ·')}{figures}"
    return f"### Epoch {run.epoch}\n{figures.lstrip(' ·')}"


def _plane_html(run: Run, data: Prepared) -> tuple[str, str]:
    """The decision boundary picture and every neuron's map (from the same grid pass), as HTML."""
    plane = train_views.plane_for(data.dataset.inputs)
    result = train_views.plane_pass(run.network, plane)
    if isinstance(result, str):  # a diverged run's weights overflow over the plane: say so instead
        return train_views.no_picture_html(result), train_views.caption_html(
            "What each neuron responds to over the same plane:"
        ) + train_views.no_picture_html(result)
    png = train_views.boundary_png(run.network, plane, result, data.train, data.test)
    boundary = train_views.boundary_html(png, plane) + train_views.caption_html(
        "Output over the input plane: blue high, orange low; train points white-ringed, test points black-ringed."
    )
    maps = train_views.caption_html("What each neuron responds to over the same plane:") + (
        train_views.neuron_maps_html(run.network, train_views.neuron_maps(run.network, result))
    )
    return boundary, maps


def _classes_html(run: Run, data: Prepared) -> tuple[str, str | None]:
    """The test rows' confusion matrix and, for digits, the worst-classified images, as HTML."""
    part, rows = (data.train, data.train_rows)
    if data.test is not None and data.test_rows is not None:
        part, rows = data.test, data.test_rows
    assert part.labels is not None  # drawn for classification sets only
    try:
        outputs = forward(run.network, rows.inputs).output
    except MlpsimError:  # a diverged run's weights overflow on these rows
        return train_views.caption_html("Confusion matrix of the test rows") + train_views.no_picture_html(
            "No matrix: the network's values leave the floating-point range on these rows. "
            "Reset returns to the starting weights."
        ), None
    predicted = rows.predicted_labels(outputs)
    k = max(data.dataset.class_count, 2)
    confusion = train_views.caption_html("Confusion matrix of the test rows") + train_views.confusion_html(
        train_views.confusion(part.labels, predicted, k)
    )
    if not _shows_digit_images(data.dataset):
        return confusion, None
    worst = train_views.worst_classified(part.labels, outputs)
    return confusion, train_views.caption_html(
        "Worst-classified test images (the true class's output is lowest)"
    ) + train_views.images_html(
        [(train_views.digit_png(part.inputs[r]), f"{t} → {p} ({s:.2f})") for r, t, p, s in worst], 56
    )


def _diagram_figure(run: Run, data: Prepared, playing: bool) -> tuple[go.Figure, bool, str | None]:
    """The diagram for the run's network, whether it is newly drawn, and a note on the layers
    it cannot compute (a diverged run's); while playing, the one drawn last unless it is
    DIAGRAM_SECONDS old (the same figure again costs the browser nothing: plotly compares its
    data revision and draws nothing)."""
    shown = st.session_state.get(state.TRAIN_DIAGRAM_SHOWN)
    if playing and shown is not None and time.monotonic() - shown[0] < DIAGRAM_SECONDS:
        return shown[2], False, None
    x, _ = _sample_input(run, data)
    result, computed = _computable_pass(run.network, x)
    pending = [
        (position, index)
        for position, size in enumerate(run.network.layer_sizes)
        if position > computed
        for index in range(size)
    ]
    figure = network_figure(run.network, result, selected=state.value(state.TRAIN_NEURON), pending=pending or None)
    figure.update_layout(clickmode="event+select", dragmode="pan")
    if not pending:
        return figure, True, None
    return (
        figure,
        True,
        f"Layer {computed + 1} on cannot be computed for this sample: its values leave the "
        "floating-point range (drawn grey, without values).",
    )


def _computable_pass(network: Network, x) -> tuple[ForwardResult, int]:
    """The sample's pass through as many layers as stay in the floating-point range (all of
    them but for a diverged run's huge weights), the rest as zeros the diagram draws pending;
    and how many layers were computed."""
    for through in range(len(network.layers), 0, -1):
        try:
            result = forward(network, x, through=through)
        except MlpsimError:
            continue
        if all(np.isfinite(a).all() for a in result.a):
            break
    else:
        through, result = 0, forward(network, x, through=0)  # the input alone: nothing to overflow
    zeros = tuple(np.zeros(layer.size) for layer in network.layers[through:])
    return ForwardResult(result.inputs, result.z + zeros, result.a + zeros), through


@dataclass(frozen=True)
class _Frame:
    """What one frame of the live views shows, computed before any of it is sent."""

    run: Run
    counter: str
    curves: str
    views: str | None
    extra: str | None
    figure: go.Figure
    figure_is_new: bool
    figure_note: str | None


def _frame(run: Run, data: Prepared, playing: bool) -> _Frame:
    # A stopped run holds the last finite state, inside the epoch it stopped in: the next one.
    diverged_at = run.epoch + 1 if state.value(state.TRAIN_STOP) else None
    curves = train_views.svg_image_html(
        train_views.curves_svg(run.history, diverged_at=diverged_at), "Loss and accuracy per epoch"
    )
    views = extra = None
    if run.network.input_size == 2:
        views, extra = _plane_html(run, data)
    elif data.dataset.is_classification and data.dataset.class_count > 2:
        views, extra = _classes_html(run, data)
    figure, figure_is_new, figure_note = _diagram_figure(run, data, playing)
    return _Frame(run, _counter_text(run, data), curves, views, extra, figure, figure_is_new, figure_note)


def _act_on_requests() -> None:
    """A point where Streamlit acts on a request that arrived meanwhile (a Pause click reruns
    the page from here): reading session state is one, as sending an element is."""
    st.session_state.get(state.TRAIN_PLAYING)


def _live() -> None:
    if st.session_state.pop(state.TRAIN_NEURON_CLICKED, False):
        st.rerun(scope="app")  # the one-step panel, outside this fragment, shows the clicked neuron
    run = state.value(state.TRAIN_RUN)
    data: Prepared = state.value(state.TRAIN_PREPARED)[1]
    playing = state.value(state.TRAIN_PLAYING)
    if not playing:
        _show_frame(_frame(run, data, playing), playing)
        return
    if state.current_network() is not run.network:
        st.rerun(scope="app")  # edited elsewhere in the meantime: the page starts a new run
    with training_run.PLAY_LANE.turn(poll=_act_on_requests) as waiting_behind:
        settings = _settings()
        budget = TRAINING_BUDGET_SECONDS / (1 + waiting_behind)
        outcome = training_run.epochs(run, settings, data, settings.epochs_per_frame, budget)
        frame = None if isinstance(outcome, Stopped) else _frame(outcome, data, playing)
        # A Pause pressed while this frame trained and drew is acted on here, before anything
        # is stored or sent: the frame is dropped, and the paused page shows the epoch already
        # on the screen instead of one more that arrives after the press.
        _act_on_requests()
        _apply(outcome)
        if frame is None:
            st.rerun(scope="app")  # diverged: the page says where, with playing stopped
        _show_frame(frame, playing)


def _show_frame(frame: _Frame, playing: bool) -> None:
    # Everything is computed before the first element is sent: the browser renders the page
    # again for each batch of elements that arrive together, so a frame whose elements trickle
    # in between computations costs it several renders instead of one.
    if not playing:
        st.session_state[state.TRAIN_DIAGRAM_SHOWN] = None
    elif frame.figure_is_new:
        st.session_state[state.TRAIN_DIAGRAM_SHOWN] = (time.monotonic(), frame.run.network, frame.figure)
    st.markdown(frame.counter)
    left, right = st.columns(2)
    left.html(frame.curves)
    if frame.views is not None:
        right.html(frame.views)
    # The diagram has a row of its own, the neurons' maps (or the worst digits) under it: in a
    # column beside them it was squeezed to ~290 px at 820 px with the sidebar open, where its
    # layer headings ran into each other, and drawn twice wherever it was wider than its column.
    st.plotly_chart(
        frame.figure,
        key=state.TRAIN_DIAGRAM,
        on_select=_on_diagram_select,
        selection_mode="points",
        config={"displaylogo": False},
        **results.DIAGRAM_DISPLAY,
    )
    st.caption(
        f"Neurons coloured for training sample {state.value(state.TRAIN_SAMPLE)}; click one for its δ below."
        + (f" While playing, the diagram is redrawn every {DIAGRAM_SECONDS:g} s." if playing else "")
        + (f" {frame.figure_note}" if frame.figure_note else "")
    )
    if frame.extra is not None:
        st.html(frame.extra)


def _on_diagram_select() -> None:
    for point in st.session_state[state.TRAIN_DIAGRAM].selection.points:
        neuron = results.neuron_from_customdata(point.get("customdata"))
        if neuron is not None and neuron[0] > 0:
            st.session_state[state.TRAIN_NEURON] = neuron
            st.session_state[state.TRAIN_STEP_LAYER] = st.session_state[state.TRAIN_LAYER_INPUT] = neuron[0]
            st.session_state[state.TRAIN_NEURON_INPUT] = neuron[1]
            st.session_state[state.TRAIN_NEURON_CLICKED] = True
            return


# ---- one step, every number --------------------------------------------------------------------


def _highlighted(frame: pd.DataFrame, changed) -> pd.io.formats.style.Styler:
    css = [["background-color: rgba(242,169,0,0.35); font-weight: 600" if c else "" for c in row] for row in changed]
    return frame.style.apply(lambda _: pd.DataFrame(css, index=frame.index, columns=frame.columns), axis=None)


ROWS_LISTED = 12
"""The next Step's rows are listed by number up to this many; a bigger batch lists its first
ROWS_LISTED and says how many rows it has."""
ROW_GRADIENTS_SHOWN = 8
"""Per-row ∂L/∂W tables shown on request, at most this many (the batch's first rows)."""


def _rows_text(rows) -> str:
    """1-based training-row numbers, the first ROWS_LISTED of them."""
    listed = ", ".join(str(int(r) + 1) for r in rows[:ROWS_LISTED])
    return listed + (f", … ({len(rows)} rows)" if len(rows) > ROWS_LISTED else "")


def _update_caption(batch: train_views.BatchStep, settings: Settings, size: int) -> str:
    """What the W′ table is, truthfully: the update Step makes, by which rule."""
    gradient = "this one row's ∂L/∂W" if size == 1 else f"the mean ∂L/∂W over the batch's {size} rows"
    if batch.is_plain_descent:
        return (
            f"W′ = W − η·∂L/∂W with η = {settings.learning_rate:g} and {gradient}: plain gradient descent, "
            "exactly the update the next Step makes."
        )
    rule = OPTIMIZERS[settings.optimizer]
    extras = (" + λ₁·sign(W)" if settings.l1 else "") + (" + λ₂·W" if settings.l2 else "")
    return (
        f"Step does not update by plain W − η·∂L/∂W here: it uses {rule.title} ({rule.formula_text}) "
        f"with η = {settings.learning_rate:g} and g = {gradient}{extras}. "
        "W′ below is that update, made with what the optimiser remembers from the steps before: "
        "exactly what the next Step leaves."
    )


def _render_step_panel(run: Run, data: Prepared) -> None:
    network = run.network
    settings = _settings()
    st.subheader("One step, every number")
    rows = training_run.next_batch(run, settings, data)
    if rows.size == 0:
        st.info(
            f"The next Step trains no row: the batch size grew past the rows left in epoch {run.epoch + 1}, "
            f"so it only ends that epoch. The Step after it starts epoch {run.epoch + 2}."
        )
        return
    batches = training_run.batch_count(data.train_rows, settings)
    size = len(rows)
    which = "training row" if size == 1 else ("all training rows" if size == len(data.train_rows) else "training rows")
    st.markdown(
        f"**The next Step** trains batch {run.batches_done + 1} of {batches} of epoch {run.epoch + 1}: "
        f"{which} {_rows_text(rows)}" + ("" if size == 1 else ", in the order of the run's seeded shuffle") + "."
    )
    layers = list(range(1, len(network.layers) + 1))
    _fill(state.TRAIN_LAYER_INPUT, state.value(state.TRAIN_STEP_LAYER))
    if st.session_state[state.TRAIN_LAYER_INPUT] not in layers:
        st.session_state[state.TRAIN_LAYER_INPUT] = len(layers)
    chosen = st.segmented_control(
        "Layer",
        layers,
        key=state.TRAIN_LAYER_INPUT,
        required=True,
        format_func=lambda k: f"W{k} · {escaped(network.layer_title(k))}",
    )
    position = len(layers) if chosen is None else chosen  # required=True: never None in fact
    st.session_state[state.TRAIN_STEP_LAYER] = position
    loss = get_loss(settings.loss, network.layers[-1].activation)
    train_rows = data.train_rows
    try:
        batch = train_views.batch_step(
            network,
            rows,
            train_rows.inputs[rows],
            train_rows.targets[rows],
            loss,
            settings.optimizer_object(),
            training_run.optimizer_memory(run, settings),
        )
    except MlpsimError as error:
        st.error(f"This batch's pass cannot be worked out: {escaped(str(error))}")
        return
    mean = "" if size == 1 else f"mean over the {size} rows, "
    st.markdown(f"{escaped(loss.title)} L ({mean}as the network is now) = {batch.gradients.loss:.6g}")
    st.caption(_update_caption(batch, settings, size))
    weights, gradient, updated, changed = train_tables.step_tables(network, batch, position)
    as_grid = weights.shape[1] > TABLE_MAX_COLUMNS or weights.shape[0] > 40
    # Each table as wide as its numbers, in a row that wraps: side by side where the main column
    # has room, under each other where it has not (in three equal columns, W′'s last column was
    # cut off at 1024 px with the sidebar open, with no scrollbar to say so). A grid fills the
    # column, one under the other.
    tables = st.container() if as_grid else st.container(horizontal=True, gap="medium")
    for title, frame, marks in zip(
        (f"W{position}", f"∂L/∂W{position}" + (" (batch mean)" if size > 1 else ""), f"W{position} after the Step"),
        (weights, gradient, updated),
        (None, None, changed),
    ):
        with tables.container(width="stretch" if as_grid else "content"):
            st.markdown(f"**{title}**")
            shown = frame if marks is None else _highlighted(frame, marks)
            if as_grid:
                st.dataframe(shown)
            else:
                st.table(shown, width="content")
    st.caption(
        f"Rows are the source neurons, columns the targets (the article's N×M); numbers to "
        f"{train_tables.TABLE_DIGITS} significant digits; changed weights are highlighted."
    )
    if size > 1:
        _render_row_gradients(network, batch, loss, position)
    _render_sample_working(network, batch, loss, position, settings)


def _render_row_gradients(network: Network, batch: train_views.BatchStep, loss, position: int) -> None:
    """Each row's own ∂L/∂W of the layer, on request: the table above is their mean."""
    shown = min(len(batch.rows), ROW_GRADIENTS_SHOWN)
    more = f" (the first {shown})" if shown < len(batch.rows) else ""
    each = st.expander(
        f"Each row's ∂L/∂W{position}{more}: the batch mean above is their average",
        key=state.TRAIN_ROW_GRADIENTS_OPEN,
        on_change="rerun",
    )
    if not each.open:  # drawn only while open: every Step would send them otherwise
        return
    with each:
        for k in range(shown):
            # Only this row's gradient is read: the rate of the step it would make does not matter.
            own = train_views.sample_step(network, batch.inputs[k], batch.targets[k], loss, 1.0)
            st.markdown(f"**Training row {int(batch.rows[k]) + 1}**")
            frame = train_tables.matrix_frame(own.gradients.weights[position - 1], position)
            if frame.shape[1] <= TABLE_MAX_COLUMNS and frame.shape[0] <= 40:
                st.table(frame, width="content")
            else:
                st.dataframe(frame)


def _render_sample_working(
    network: Network, batch: train_views.BatchStep, loss, position: int, settings: Settings
) -> None:
    """One row of the batch worked out neuron by neuron (its own gradient, plain descent)."""
    size = len(batch.rows)
    numbers = [int(r) + 1 for r in batch.rows]
    _fill(state.TRAIN_SAMPLE_INPUT, state.value(state.TRAIN_SAMPLE))
    if st.session_state[state.TRAIN_SAMPLE_INPUT] not in numbers:
        st.session_state[state.TRAIN_SAMPLE_INPUT] = numbers[0]  # the panel moved on to a new batch
    st.markdown("**Neuron by neuron**")
    sample = st.selectbox(
        "Row of this batch to work out" if size > 1 else "Row of this Step",
        numbers,
        key=state.TRAIN_SAMPLE_INPUT,
        format_func=lambda r: f"training row {r}",
        disabled=size == 1,
    )
    st.session_state[state.TRAIN_SAMPLE] = int(sample)
    k = numbers.index(sample)
    x, y = batch.inputs[k], batch.targets[k]
    try:
        worked = train_views.sample_step(network, x, y, loss, settings.learning_rate)
    except MlpsimError as error:
        st.error(f"This sample's pass cannot be worked out: {escaped(str(error))}")
        return
    output = ", ".join(f"{v:.4g}" for v in worked.result.output)
    target = ", ".join(f"{v:g}" for v in y)
    st.markdown(
        f"x = ({', '.join(f'{v:.4g}' for v in x[:8])}{', …' if x.size > 8 else ''}) · "
        f"output a = ({output}) · target y = ({target}) · {escaped(loss.title)} L = {worked.gradients.loss:.6g}"
    )
    if size == 1 and batch.is_plain_descent:
        st.caption("This row is the whole batch and Step is plain gradient descent: w′ below is the table's W′.")
    else:
        rule = OPTIMIZERS[settings.optimizer].title + (" with L1/L2" if settings.l1 or settings.l2 else "")
        averages = f"averages ∂L/∂w over the batch's {size} rows" if size > 1 else ""
        updates = "" if batch.is_plain_descent else f"updates by {rule}"
        st.caption(
            "The working below is this one row's: its own ∂L/∂w and w′ = w − η·∂L/∂w. Step "
            + " and ".join(part for part in (averages, updates) if part)
            + ", so this w′ is not the table's W′."
        )
    _render_neuron_working(network, worked, loss, position, settings.learning_rate)
    matrix_form = st.expander(
        f"Matrix form of layer {position}'s backward step for training row {sample}",
        key=state.TRAIN_MATRIX_FORM_OPEN,
        on_change="rerun",
    )
    if matrix_form.open:  # drawn only while open: every Step would send it otherwise
        with matrix_form:
            st.text(layer_gradient(network, worked.result, worked.gradients, position).as_text())


def _render_neuron_working(network: Network, worked, loss, position: int, learning_rate: float) -> None:
    size = network.layers[position - 1].size
    selected = state.value(state.TRAIN_NEURON)
    index = selected[1] if selected is not None and selected[0] == position and selected[1] < size else 0
    _fill(state.TRAIN_NEURON_INPUT, index)
    if st.session_state[state.TRAIN_NEURON_INPUT] not in range(size):
        st.session_state[state.TRAIN_NEURON_INPUT] = index
    left, right = st.columns(2)
    neuron = left.selectbox(
        "Neuron (or click one in the diagram)",
        list(range(size)),
        key=state.TRAIN_NEURON_INPUT,
        format_func=lambda j: neuron_name(position, j),
    )
    st.session_state[state.TRAIN_NEURON] = (position, neuron)
    n_in = network.layers[position - 1].n_in
    _fill(state.TRAIN_WEIGHT_INPUT, state.value(state.TRAIN_WEIGHT_ROW))
    if st.session_state[state.TRAIN_WEIGHT_INPUT] not in range(n_in):
        st.session_state[state.TRAIN_WEIGHT_INPUT] = 0
    row = right.selectbox(
        "Weight",
        list(range(n_in)),
        key=state.TRAIN_WEIGHT_INPUT,
        format_func=lambda i: (
            f"{weight_name(position, i, neuron)} ({neuron_name(position - 1, i)} → {neuron_name(position, neuron)})"
        ),
    )
    st.session_state[state.TRAIN_WEIGHT_ROW] = row
    working = neuron_gradient(network, worked.result, worked.gradients, worked.y, loss, position, neuron, learning_rate)
    # Each working is one text element, not one per line: a Step redraws every element.
    with left:
        st.markdown(f"**{escaped(working.delta.title)}**")
        st.text("\n".join(working.delta.text_lines()))
    with right:
        step = working.weights[row]
        st.markdown(f"**{escaped(step.title)}**")
        st.text("\n".join(step.text_lines()))
        st.markdown(f"**{escaped(working.bias.title)}**")
        st.text("\n".join(working.bias.text_lines()))


# ---- the page ----------------------------------------------------------------------------------


def render() -> None:
    """The Train page, for app.py's st.navigation."""
    workspace.ensure_defaults()
    opened = train_address.read()
    if opened is not None:
        # The data first: a session still on its first preset gets the network of the linked data.
        st.session_state[state.TRAIN_DATA] = opened.choice
        share.apply_link()
    _ensure_defaults()
    if opened is not None:
        train_address.apply(opened)  # after _ensure_defaults, whose dataset defaults it overrides
    network = state.current_network()
    with st.sidebar:
        st.header("Data")
        _render_data_controls()
        st.header("Settings")
        _render_settings(network)
    # As on the Simulator: the title and the popover each as wide as they need (in columns, the
    # popover's label was cut at 1024 px with the sidebar open).
    with st.container(horizontal=True, vertical_alignment="bottom", horizontal_alignment="distribute"):
        st.title("Train", width="content")
        popover = st.popover("Save and share", key=state.TRAIN_SAVE_OPEN, on_change="rerun", width="content")
    if popover.open:
        with popover:
            share.render(network, trainlink.encode(_choice(), _settings()))
    sizes = "-".join(map(str, network.layer_sizes))
    name = network.name or "Untitled network"
    # The page's own names end with the sizes ('Circle network (2-4-2-1)'): not said twice.
    label = escaped(name) if name.endswith(f"({sizes})") else f"{escaped(name)} · {sizes}"
    st.markdown(f"{label} — the network the Simulator shows; edits there are seen here.")
    workspace.render_notices()
    prepared = _prepared(network)
    if not isinstance(prepared, Prepared):
        dataset, why = prepared
        st.session_state[state.TRAIN_PLAYING] = False
        train_address.follow()
        if dataset is None:
            st.info(why)
            return
        st.warning(f"This data does not fit the network: {escaped(why)}.")
        _render_fit_choices(network, dataset)
        _render_preview(dataset)
        return
    preview = st.expander("Data preview", key=state.TRAIN_PREVIEW_OPEN, on_change="rerun")
    if preview.open:  # drawn only while open: every rerun (each Step) would send it otherwise
        with preview:
            _render_preview(prepared.dataset)
    run = _current_run(network, prepared)
    problem = training_run.check_fits(_settings(), network)
    if problem is not None:
        st.warning(escaped(problem))
    _perform_action(run, prepared)
    _render_play_button(problem)
    st.fragment(_workbench)()
