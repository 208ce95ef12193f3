"""Exceptions raised by the core. Every message names the place that is wrong."""


class MlpsimError(ValueError):
    """Base class: anything the user can fix by changing their input."""


class ValidationError(MlpsimError):
    """A network, file, link or value is malformed."""


class LimitError(ValidationError):
    """A request exceeds a configured limit (layer size, layers, parameters, bytes)."""


class ForwardError(MlpsimError):
    """The forward pass produced a non-finite number in a named layer."""


class GradientError(MlpsimError):
    """The backward pass produced a non-finite δ or gradient in a named layer."""
