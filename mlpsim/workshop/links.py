"""The link codec: an ExerciseSpec as the Workshop page's query parameters and back, every
parameter checked with a message naming it."""

from __future__ import annotations

import re
from collections.abc import Mapping

from mlpsim.core.errors import ValidationError
from mlpsim.workshop.exercise import ExerciseSpec
from mlpsim.workshop.topic import MAX_QUESTIONS, MAX_SEED
from mlpsim.workshop.topics import DEFAULT_TOPIC, TOPICS

LINK_KEYS = ("topic", "seed", "difficulty", "ask", "lock", "solutions", "room")
ROOM_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{16}")
"""A room id: 16 URL-safe characters (secrets.token_urlsafe(12))."""


def spec_to_params(spec: ExerciseSpec) -> dict[str, str]:
    """Query parameters for the Workshop page: topic (only when not the default topic, the
    forward pass), seed, difficulty, ask (comma-separated codes), lock, solutions, room (each of
    the last three only when set). A forward link reads as it did before topics existed."""
    params = {} if spec.topic == DEFAULT_TOPIC else {"topic": spec.topic}
    params |= {"seed": str(spec.seed), "difficulty": spec.difficulty}
    if spec.questions:
        params["ask"] = ",".join(spec.questions)
    if spec.locked:
        params["lock"] = "1"
    if spec.solutions:
        params["solutions"] = "1"
    if spec.room:
        params["room"] = spec.room
    return params


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = str(params.get(name, "0")).strip().lower()
    if value not in ("0", "1", "true", "false", ""):
        raise ValidationError(f"link parameter {name}={value[:20]!r}: expected 1 or 0")
    return value in ("1", "true")


def spec_from_params(params: Mapping[str, str]) -> ExerciseSpec | None:
    """The exercise a link describes; None when the link has no exercise (no ``seed``).
    Raises ValidationError naming the bad parameter; the questions are checked against the
    generated network."""
    if "seed" not in params:
        return None
    raw_seed = str(params["seed"]).strip()
    if not re.fullmatch(r"[0-9]{1,10}", raw_seed) or int(raw_seed) > MAX_SEED:
        raise ValidationError(f"link parameter seed={raw_seed[:20]!r}: expected a whole number from 0 to {MAX_SEED}")
    topic = str(params.get("topic", DEFAULT_TOPIC)).strip().lower() or DEFAULT_TOPIC
    if topic not in TOPICS:
        raise ValidationError(f"link parameter topic={topic[:20]!r}: expected one of {', '.join(TOPICS)}")
    difficulty = str(params.get("difficulty", "easy")).strip().lower()
    TOPICS[topic].checked_difficulty(difficulty)
    raw_ask = str(params.get("ask", "")).strip()
    codes = [code.strip() for code in raw_ask.split(",") if code.strip()]
    if len(codes) > MAX_QUESTIONS:
        raise ValidationError(f"link parameter ask: at most {MAX_QUESTIONS} questions, got {len(codes)}")
    locked, solutions = _flag(params, "lock"), _flag(params, "solutions")
    room = str(params.get("room", "")).strip()
    if room and not ROOM_ID_PATTERN.fullmatch(room):
        raise ValidationError(
            f"link parameter room={room[:20]!r}: expected the 16-character room id of the teacher's link"
        )
    # canonical codes ("z01.1" → "z1.1"), each once, so the link and the page agree on them
    network = TOPICS[topic].network(int(raw_seed), difficulty)
    canonical = tuple(dict.fromkeys(TOPICS[topic].parse_question(code[:40], network).code for code in codes))
    return ExerciseSpec(
        seed=int(raw_seed),
        difficulty=difficulty,
        questions=canonical,
        locked=locked,
        solutions=solutions,
        room=room,
        topic=topic,
    )
