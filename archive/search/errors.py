"""The errors search raises to its callers, whichever engine runs it."""


class SearchUnavailable(RuntimeError):
    """The index cannot be read right now; pages say so instead of failing, the API answers 503.

    `str(error)` is the sentence for readers (translated); `problem` is "missing" (never built),
    "damaged" or "down" (an engine server that does not answer or is red), `reason` says what is
    wrong for the operator, `repairing` whether a rebuild from the database was started."""

    def __init__(self, message: str, *, problem: str, reason: str, repairing: bool = False):
        super().__init__(message)
        self.problem = problem
        self.reason = reason
        self.repairing = repairing


class IndexBusy(RuntimeError):
    """The writer lock could not be had in time; the change stays queued and is retried."""
