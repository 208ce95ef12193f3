"""An exercise as a whole: the spec that defines it (and only it goes into a link), and the
exercise its topic builds from it: network, forward pass, questions, answer boxes, solutions and
hints.

An exercise is fully described by (topic, seed, difficulty, questions, lock), so one link gives a
whole room the same network. The topics are listed in mlpsim.workshop.topics.TOPICS; what an
exercise of any topic offers is the Exercise protocol (mlpsim.workshop.topic)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlpsim.core.errors import ValidationError
from mlpsim.workshop.topic import MAX_QUESTIONS, Asked, Exercise
from mlpsim.workshop.topics import DEFAULT_TOPIC, TOPICS, checked_topic, topic_prefix

__all__ = ["MAX_QUESTIONS", "Asked", "ExerciseSpec", "exercise_title", "make_exercise"]


@dataclass(frozen=True)
class ExerciseSpec:
    """Everything that defines an exercise; this, and only this, goes into a link."""

    seed: int
    difficulty: str
    questions: tuple[str, ...] = ()
    """Question codes; empty = the default questions for this seed."""
    locked: bool = False
    solutions: bool = False
    """The teacher releases *Show solution* in a locked room (an open room always has it)."""
    room: str = ""
    """The room id (ROOM_ID_PATTERN) whose teacher collects the learners' results; '' = none."""
    topic: str = DEFAULT_TOPIC
    """A name in mlpsim.workshop.topics.TOPICS."""

    @property
    def key(self) -> str:
        """Stable identity (used to key answer boxes): same exercise → same key."""
        return f"{topic_prefix(self.topic)}{self.seed}-{self.difficulty}-{'+'.join(self.questions)}"

    @property
    def shows_solutions(self) -> bool:
        """Whether *Show solution* is offered: always in an open room, in a locked one only when
        the teacher's link says ``solutions=1``."""
        return not self.locked or self.solutions


def make_exercise(spec: ExerciseSpec) -> Exercise[Any]:
    """Build the exercise a spec describes (of its topic). Raises ValidationError naming what is wrong."""
    if len(spec.questions) > MAX_QUESTIONS:
        raise ValidationError(f"questions: at most {MAX_QUESTIONS}, got {len(spec.questions)}")
    return checked_topic(spec.topic).make_exercise(spec)


def exercise_title(spec: ExerciseSpec) -> str:
    """'Exercise 3 · easy' (forward, as before topics) or 'Backpropagation exercise 3 · easy'."""
    return f"{TOPICS[spec.topic].exercise_noun} {spec.seed} · {spec.difficulty}"
