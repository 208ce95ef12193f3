"""The registry of Workshop topics: name → Topic (mlpsim.workshop.topic). Every part of the
Workshop that differs by topic asks ``TOPICS[spec.topic]``; adding a topic is a subpackage here
with its Topic object and one entry below."""

from __future__ import annotations

from mlpsim.core.errors import ValidationError
from mlpsim.workshop.topic import Topic
from mlpsim.workshop.topics.backprop.topic import BACKPROP_TOPIC
from mlpsim.workshop.topics.forward.topic import FORWARD_TOPIC

TOPICS: dict[str, Topic] = {topic.name: topic for topic in (FORWARD_TOPIC, BACKPROP_TOPIC)}
"""Every topic by name, in the order the instructor's choice lists them."""
DEFAULT_TOPIC = FORWARD_TOPIC.name
"""What an exercise practises when its link names no topic (links made before topics existed)."""


def checked_topic(name: str) -> Topic:
    """The topic called ``name``; ValidationError listing the choices otherwise."""
    if name not in TOPICS:
        raise ValidationError(f"topic {name!r}: choose one of {', '.join(TOPICS)}")
    return TOPICS[name]


def topic_prefix(name: str) -> str:
    """'' for the default topic, else 'backprop-': what keys and file names of an exercise start
    with, so the default topic's read as they did before topics existed."""
    return "" if name == DEFAULT_TOPIC else f"{name}-"
