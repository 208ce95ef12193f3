"""A session's state: the declared keys (state), the network and its history (workspace)."""
