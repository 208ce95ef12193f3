"""Worked arithmetic for people: a neuron's sum, a layer's matrix form, the forward step-through, the backward pass worked. Imports only mlpsim.core."""
