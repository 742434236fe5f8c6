"""Domain errors. Each maps to one kind of answer at the edges (CLI message, HTTP status)."""


class DomainError(Exception):
    """A command was refused by a business rule."""


class NotFound(DomainError):
    """The thing addressed does not exist (unknown company, customer, supply, bill, case)."""


class Conflict(DomainError):
    """The same key was sent again with different content, or state changed under us."""


class InvalidCommand(DomainError):
    """The command's data break an invariant (e.g. due date before issue date)."""


class NotAllowed(DomainError):
    """The command is valid but not allowed now (locked, wrong state, level too low)."""
