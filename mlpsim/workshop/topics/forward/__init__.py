"""The forward-pass topic (mlpsim.workshop.topics.forward.topic.FORWARD_TOPIC)."""
