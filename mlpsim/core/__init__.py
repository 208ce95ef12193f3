"""The network and its arithmetic: errors, limits, numbers as text, activations, the network, forward and backward passes, losses, optimisers and training. Imports nothing else of mlpsim."""
