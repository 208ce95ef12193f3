"""Scoring with the honesty rules: an answer checked after its question's solution was shown
does not count; the score and each question's standing as the teacher sees it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mlpsim.workshop.topic import Question

AFTER_SOLUTION_NOTE = "Checked after this question's solution was shown: not counted in the score."


@dataclass(frozen=True)
class ScoredAnswer:
    """The last scored check of one answer box (a check of something that is not a number is not
    scored)."""

    correct: bool
    after_solution: bool
    """The question's solution had been shown when this answer was checked."""

    @property
    def counts(self) -> bool:
        """Right, and given before the solution was shown: only these count toward the score."""
        return self.correct and not self.after_solution


def rescored(previous: ScoredAnswer | None, correct: bool, solution_shown: bool) -> ScoredAnswer:
    """The box's record after a check. An answer checked once its question's solution is shown
    does not count; re-checking a right answer that already counted keeps it counted."""
    if previous is not None and previous.counts and correct:
        return previous
    return ScoredAnswer(correct=correct, after_solution=solution_shown)


@dataclass(frozen=True)
class Score:
    right: int
    """Answers right and given before their solution was shown."""
    checked: int
    right_after_solution: int
    """Answers right, but checked after their solution was shown (not in ``right``)."""

    def text(self) -> str:
        text = f"Score this session: {self.right} of {self.checked} checked answers right"
        if self.right_after_solution:
            text += f" ({self.right_after_solution} more right after the solution was shown: not counted)"
        return text


def score(records: Mapping[str, ScoredAnswer]) -> Score:
    """The score over answer boxes (blank key → its record)."""
    return Score(
        right=sum(1 for record in records.values() if record.counts),
        checked=len(records),
        right_after_solution=sum(1 for record in records.values() if record.correct and record.after_solution),
    )


@dataclass(frozen=True)
class QuestionResult:
    """One learner's standing on one question, as the teacher sees it."""

    question: str
    """The question's code (z1.2, out, ...)."""
    blanks: int
    right: int
    """Answer boxes right before the solution was shown (these count)."""
    right_after_solution: int
    hints: int
    """Hint rungs the learner revealed."""
    solution_shown: bool

    @property
    def solved(self) -> bool:
        return self.right == self.blanks

    @property
    def solved_after_solution(self) -> bool:
        """Every box right, but some only after the solution was shown."""
        return not self.solved and self.right + self.right_after_solution == self.blanks


def question_result(
    question: Question,
    blank_ids: tuple[str, ...],
    records: Mapping[str, ScoredAnswer],
    hints: int,
    solution_shown: bool,
) -> QuestionResult:
    """``records`` maps a blank id of this question to its record (boxes never checked are absent)."""
    mine = [records[blank_id] for blank_id in blank_ids if blank_id in records]
    return QuestionResult(
        question=question.code,
        blanks=len(blank_ids),
        right=sum(1 for record in mine if record.counts),
        right_after_solution=sum(1 for record in mine if record.correct and record.after_solution),
        hints=hints,
        solution_shown=solution_shown,
    )
