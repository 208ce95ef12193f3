"""The Workshop's backward step-through: the current network's loss for a target the learner
chooses, then each neuron's δ (output layer first) and each neuron's incoming weight gradients and
updates, one step at a time, with the diagram showing the neuron, the edges whose numbers the
step uses, and the hidden neurons whose δ is still to come.

The steps and their numbers come from mlpsim.explain.backward_stepper; this module lays them out.
Callbacks only set state.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from mlpsim.core.backward import backward
from mlpsim.core.errors import MlpsimError
from mlpsim.core.forward import ForwardResult
from mlpsim.core.losses import LOSSES, default_loss, losses_for
from mlpsim.core.network import Network, neuron_name
from mlpsim.core.numbertext import number
from mlpsim.explain.backward_stepper import (
    DELTA_STEP,
    LOSS_STEP,
    BackwardStepWorking,
    backward_step_at,
    backward_step_count,
    backward_step_working,
    first_weights_step,
    known_deltas,
)
from mlpsim.render.figure import NARROW_CAPTION_LINE_CHARS, network_figure
from mlpsim.workshop.topics.backprop.generation import LOSS_NAME as EXERCISE_LOSS
from ui.common.literal import escaped
from ui.parts import results
from ui.session import state

TERMS_AS_TABLE = 12
"""A step's table shows this many rows in full; longer ones scroll."""
TARGETS_PER_ROW = 5
TARGETS_INLINE = 3
WRITTEN_OUT_WEIGHTS = 2
"""A weights step writes out every line up to this many weights (and bias); more: the first one."""


def _move_step(delta: int, total: int) -> None:
    current = state.value(state.WORKSHOP_BACKWARD_STEP)
    st.session_state[state.WORKSHOP_BACKWARD_STEP] = min(max(current + delta, 0), total)


def _reset_step() -> None:
    st.session_state[state.WORKSHOP_BACKWARD_STEP] = 0


def _target_key(network: Network, index: int) -> str:
    return f"{state.WORKSHOP_TARGET_PREFIX}{network.layer_sizes[-1]}:{index}"


def _render_choices(network: Network) -> tuple[np.ndarray, str, float]:
    """The target (one number per output neuron), the loss and the learning rate, as chosen."""
    output = network.layers[-1]
    fitting = losses_for(output.activation)
    if state.value(state.WORKSHOP_LOSS) not in fitting:
        # The loss the backpropagation exercises teach (squared error, the easiest to redo by
        # hand) where it fits, not the loss made for the output as on the Train page.
        st.session_state[state.WORKSHOP_LOSS] = default_loss(output.activation, preferred=EXERCISE_LOSS)
    # One row when the output is small (targets, loss, η); more targets get rows of their own.
    inline = output.size <= TARGETS_INLINE
    if inline:
        *target_columns, loss_column, rate_column = st.columns(
            [1] * output.size + [3, 1.5], vertical_alignment="bottom"
        )
    else:
        target_columns = [
            column
            for start in range(0, output.size, TARGETS_PER_ROW)
            for column in st.columns(TARGETS_PER_ROW)[: min(TARGETS_PER_ROW, output.size - start)]
        ]
    targets = []
    for k, column in enumerate(target_columns):
        key = _target_key(network, k)
        st.session_state.setdefault(key, 1.0 if k == 0 else 0.0)  # one-hot: a target every loss takes
        targets.append(column.number_input(f"target y of {neuron_name(len(network.layers), k)}", format="%g", key=key))
    if not inline:
        loss_column, rate_column, _ = st.columns([3, 1.5, 1.5])
    loss_column.selectbox(
        "Loss",
        fitting,
        **state.bound(state.WORKSHOP_LOSS),
        format_func=lambda name: f"{LOSSES[name].title}: {LOSSES[name].formula_text}",
        help=f"The losses that fit a {output.activation} output layer.",
    )
    rate_column.number_input(
        "Learning rate η", min_value=1e-6, max_value=100.0, format="%g", **state.bound(state.WORKSHOP_LEARNING_RATE)
    )
    return (
        np.array(targets, dtype=float),
        state.value(state.WORKSHOP_LOSS),
        float(state.value(state.WORKSHOP_LEARNING_RATE)),
    )


def render_backward_step_through() -> None:
    network = state.current_network()
    result = results.forward_pass(network)  # memoised per network: shared with the Simulator page
    if not isinstance(result, ForwardResult):
        st.error(escaped(f"The forward pass cannot run: {result}. Fix the value on the Simulator page."))
        return
    sizes = "-".join(map(str, network.layer_sizes))
    total = backward_step_count(network)
    st.caption(
        f"{escaped(network.name) or 'Current network'} · {sizes}, with your edits from the Simulator page: the "
        f"loss for your target, each neuron's δ = ∂L/∂z from the output back, then each weight's gradient and "
        f"update — {total} steps. Keyboard: Tab to a button and press Enter or Space, or focus the Backward "
        "step slider and press ← / → (Home / End jump to the ends)."
    )
    targets, loss_name, rate = _render_choices(network)
    loss = LOSSES[loss_name]
    try:
        gradients = backward(network, targets, loss=loss, result=result)
    except MlpsimError as error:
        st.error(escaped(f"No backward pass for this target: {error}."))
        return
    if state.value(state.WORKSHOP_BACKWARD_STEP) > total:
        st.session_state[state.WORKSHOP_BACKWARD_STEP] = total
    previous, following, reset = st.columns(3)
    previous.button(
        "◀ Previous", key=state.WORKSHOP_BACKWARD_PREVIOUS, on_click=_move_step, args=(-1, total), width="stretch"
    )
    following.button("Next ▶", key=state.WORKSHOP_BACKWARD_NEXT, on_click=_move_step, args=(1, total), width="stretch")
    reset.button("↺ Reset", key=state.WORKSHOP_BACKWARD_RESET, on_click=_reset_step, width="stretch")
    index = st.slider("Backward step", min_value=0, max_value=total, **state.bound(state.WORKSHOP_BACKWARD_STEP))
    step = backward_step_at(network, index)
    working = backward_step_working(network, result, gradients, targets, loss, rate, step)

    diagram, panel = st.columns([3, 2])
    with diagram:
        figure = network_figure(
            network,
            result,
            selected=step.selected,
            pending=step.pending,
            emphasised_edges=step.edges,
            show_edge_values=network.weight_count <= results.STEP_EDGE_VALUES_MAX_EDGES,
            caption_line_chars=NARROW_CAPTION_LINE_CHARS,
        )
        st.plotly_chart(figure, config=results.DIAGRAM_CONFIG, **results.DIAGRAM_DISPLAY)
        st.caption(
            "Ringed: the neuron of this step; drawn strong: the edges whose weights it uses; grey: hidden "
            "neurons whose δ is still to come. The neurons show their forward values (x or a)."
        )
    with panel:
        st.subheader(escaped(working.title))
        if step.kind == LOSS_STEP:
            table = _render_loss(working)
        elif step.kind == DELTA_STEP:
            table = _render_delta(network, working)
        else:
            table = _render_weights(network, working)
    # Below the diagram and the working, at the page's width: in the working's column a table of
    # six columns hid some of them behind a scroll.
    if table is not None:
        heading, frame = table
        st.markdown(f"**{heading}**")
        st.dataframe(frame, hide_index=True, width="content", height="auto" if len(frame) <= TERMS_AS_TABLE else 300)
    with st.expander("Every neuron's δ so far"):
        rows = [
            {"layer": title, "neuron": name, "δ = ∂L/∂z": "pending" if value is None else number(value)}
            for title, name, value in known_deltas(network, gradients, step)
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="content")


StepTable = tuple[str, pd.DataFrame] | None
"""(heading, table) a step shows below the diagram, or None."""


def _render_loss(working: BackwardStepWorking) -> StepTable:
    loss = working.loss
    st.markdown(
        f"The forward pass is done. How far is the output from the target? **{escaped(loss.title)}**: "
        f"{escaped(loss.formula)}, one term per output neuron:"
    )
    st.code("\n".join(loss.lines()[1:]), language=None, wrap_lines=True)
    st.markdown("Press **Next ▶** for the first output neuron's δ = ∂L/∂z.")
    return (
        f"The loss's terms ({loss.title.lower()})",
        pd.DataFrame(
            {
                "neuron": [t.neuron_name for t in loss.terms],
                "a": [number(t.a) for t in loss.terms],
                "y": [number(t.y) for t in loss.terms],
                "term": [number(t.value) for t in loss.terms],
            }
        ),
    )


def _render_delta(network: Network, working: BackwardStepWorking) -> StepTable:
    step = working.step
    if not working.running:
        st.markdown(
            f"An output neuron: δ = ∂L/∂a · f′(z), from its a, its target y and its activation "
            f"({escaped(network.layers[step.position - 1].activation)}). L = {number(working.loss.total)}."
        )
        st.code("\n".join(working.lines()), language=None, wrap_lines=True)
        return None
    st.markdown(
        "A hidden neuron: its share of the error comes back along its outgoing edges, "
        "Σⱼ W[i,j]·δⱼ over the next layer, then × f′(z) (the terms one at a time below the diagram):"
    )
    st.code("\n".join(working.lines()[len(working.running) :]), language=None, wrap_lines=True)
    name = neuron_name(step.position, step.neuron)
    return (
        f"The terms W[i,j]·δⱼ of {name}'s outgoing edges, with their running sum",
        pd.DataFrame(
            {
                "weight": [t.weight_name for t in working.running],
                "W[i,j]": [number(t.weight) for t in working.running],
                "δ of": [t.delta_name for t in working.running],
                "δⱼ": [number(t.delta) for t in working.running],
                "W·δ": [number(t.product) for t in working.running],
                "running sum": [number(t.running_sum) for t in working.running],
            }
        ),
    )


def _render_weights(network: Network, working: BackwardStepWorking) -> StepTable:
    gradient = working.gradient
    assert gradient is not None, "only the loss step has no neuron gradient"
    rate = number(gradient.bias.learning_rate)
    st.markdown(
        f"Every weight into this neuron: its gradient ∂L/∂W[i,j] = xᵢ·δⱼ, and the update "
        f"w − η·g with η = {rate}. The bias's input is 1, so ∂L/∂b = δ."
    )
    rows = (*gradient.weights, gradient.bias)
    lines = working.lines()
    if len(rows) > WRITTEN_OUT_WEIGHTS:
        st.markdown("The first one written out (all of them below the diagram):")
        lines = lines[:3]
    st.code("\n".join(lines), language=None, wrap_lines=True)
    if working.step.is_last:
        st.markdown("**Every weight and bias has its gradient and its update**: one step of gradient descent.")
    elif working.step.index == first_weights_step(network):
        st.caption("Every δ is known now: each weight's gradient is its input times the δ of its target.")
    name = neuron_name(working.step.position, working.step.neuron)
    return (
        f"Gradients and updates of the weights into {name} and of its bias",
        pd.DataFrame(
            {
                "weight": [w.title for w in rows],
                "x": [number(w.x) for w in rows],
                "δ": [number(w.delta) for w in rows],
                "g = x·δ": [number(w.gradient) for w in rows],
                "w": [number(w.value) for w in rows],
                f"w − {rate}·g": [number(w.updated) for w in rows],
            }
        ),
    )
