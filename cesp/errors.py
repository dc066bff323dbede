"""Domain errors shared by every layer.

Each error carries a machine code, an English message for developers and logs, a French
message for ARS staff and interns, and optionally the input field at fault. The faces
(``api/``, ``cli/``) turn them into HTTP bodies or CLI messages; no domain module knows
about HTTP.
"""

from __future__ import annotations


class CespError(Exception):
    """Base class of every error the domain raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, message_fr: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_fr = message_fr or message
        self.field = field

    def as_dict(self) -> dict[str, str]:
        """Serialisable description used by the API and the CLI."""
        body = {"error": self.code, "detail": self.message, "detail_fr": self.message_fr}
        if self.field:
            body["field"] = self.field
        return body


class InvalidInputError(CespError):
    """A parameter is malformed or out of its domain."""

    code = "invalid_input"


class NotFoundError(CespError):
    """The requested object does not exist."""

    code = "not_found"


class OutsideTerritoryError(CespError):
    """A point lies outside every loaded commune."""

    code = "outside_territory"


class ReferenceDataError(CespError):
    """Reference files are missing, unreadable or inconsistent."""

    code = "reference_data"


class StorageError(CespError):
    """The database cannot be used (not initialised, missing extension...)."""

    code = "storage"
