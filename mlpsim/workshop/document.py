"""An exercise as a JSON-ready document, so that anyone can check its key with another tool: the
network in the mlpsim.network file format, the input, (for backprop) the target, the loss and the
learning rate, and each question with its code, its text and its exact answers."""

from __future__ import annotations

from typing import Any

from mlpsim.io.fileformat import network_to_dict
from mlpsim.workshop.answers import display_answer, tolerance
from mlpsim.workshop.topic import Exercise
from mlpsim.workshop.topics import TOPICS


def exercise_document(exercise: Exercise[Any]) -> dict[str, Any]:
    """topic, seed, difficulty, network (mlpsim.network), input, target, loss, learning_rate
    (the last three None unless the topic has them: a backprop task), then the topic's own
    fields (exercise.document_fields(); a topic may fill those three), answers_to, questions:
    [{code, text, answers: [{id, label, exact, write, tolerance}]}]."""
    spec = exercise.spec
    return {
        "topic": spec.topic,
        "seed": spec.seed,
        "difficulty": spec.difficulty,
        "network": network_to_dict(exercise.network),
        "input": exercise.network.input_values.tolist(),
        "target": None,
        "loss": None,
        "learning_rate": None,
        **exercise.document_fields(),
        "answers_to": TOPICS[spec.topic].answers_to,
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
