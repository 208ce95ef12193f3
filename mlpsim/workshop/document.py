"""An exercise as a JSON-ready document, so that anyone can check its key with another tool: the
network in the mlpsim.network file format, the input, (for backprop) the target, the loss and the
learning rate, and each question with its code, its text and its exact answers."""

from __future__ import annotations

from typing import Any

from mlpsim.io.fileformat import network_to_dict
from mlpsim.workshop.answers import display_answer, tolerance
from mlpsim.workshop.backprop_generation import LOSS_TEXT
from mlpsim.workshop.exercise import AnyExercise, BackpropExercise


def exercise_document(exercise: AnyExercise) -> dict[str, Any]:
    """topic, seed, difficulty, network (mlpsim.network), input, target, loss, learning_rate
    (the last three None for a forward exercise), questions: [{code, text, answers: [{id, label,
    exact, write, tolerance}]}]."""
    spec = exercise.spec
    backprop = isinstance(exercise, BackpropExercise)
    task = exercise.task if isinstance(exercise, BackpropExercise) else None
    return {
        "topic": spec.topic,
        "seed": spec.seed,
        "difficulty": spec.difficulty,
        "network": network_to_dict(exercise.network),
        "input": exercise.network.input_values.tolist(),
        "target": None if task is None else task.target.tolist(),
        "loss": None if task is None else {"name": task.loss.name, "formula": LOSS_TEXT},
        "learning_rate": None if task is None else task.learning_rate,
        "answers_to": "3 significant figures"
        if backprop
        else "2 decimal places (sigmoid, tanh: 3 significant figures)",
        "questions": [
            {
                "code": question.code,
                "text": question.text,
                "answers": [
                    {
                        "id": blank.id,
                        "label": blank.label,
                        "exact": blank.expected,
                        "write": display_answer(blank),
                        "tolerance": tolerance(blank),
                    }
                    for blank in question.blanks
                ],
            }
            for question in exercise.asked()
        ],
    }
