"""The backpropagation topic (mlpsim.workshop.topics.backprop.topic.BACKPROP_TOPIC)."""
