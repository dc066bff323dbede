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


class ConflictError(CespError):
    """The request is well formed but the state forbids it now (not your turn, no place
    left, campaign closed...); ``code`` says which, for clients to react."""

    code = "conflict"

    def __init__(self, code: str, message: str, *, message_fr: str, field: str | None = None):
        super().__init__(message, message_fr=message_fr, field=field)
        self.code = code


class OutsideTerritoryError(CespError):
    """A point lies outside every loaded commune."""

    code = "outside_territory"


class ReferenceDataError(CespError):
    """Reference files are missing, unreadable or inconsistent."""

    code = "reference_data"


class StorageError(CespError):
    """The database cannot be used (not initialised, missing extension...)."""

    code = "storage"


class Problem:
    """One problem in an input file, located by row (line or feature number)."""

    def __init__(self, row: int | None, message: str, message_fr: str, field: str | None = None):
        self.row = row
        self.message = message
        self.message_fr = message_fr
        self.field = field

    def as_dict(self) -> dict[str, object]:
        """Serialisable form, for API bodies and CLI listings."""
        return {
            "row": self.row,
            "field": self.field,
            "detail": self.message,
            "detail_fr": self.message_fr,
        }

    def __str__(self) -> str:
        where = f"row {self.row}: " if self.row is not None else ""
        return where + self.message


class ValidationFailedError(InvalidInputError):
    """An input file has problems, listed line by line; nothing was written."""

    code = "validation_failed"

    def __init__(self, problems: list[Problem], *, field: str = "file"):
        count = len(problems)
        summary = "; ".join(str(p) for p in problems[:5]) + ("; ..." if count > 5 else "")
        super().__init__(
            f"{count} problem(s) in the file: {summary}",
            message_fr=f"{count} problème(s) dans le fichier : "
            + "; ".join(
                (f"ligne {p.row} : " if p.row is not None else "") + p.message_fr
                for p in problems[:5]
            ),
            field=field,
        )
        self.problems = problems

    def as_dict(self) -> dict[str, object]:  # type: ignore[override]
        """Body with every problem listed."""
        body: dict[str, object] = dict(super().as_dict())
        body["problems"] = [p.as_dict() for p in self.problems]
        return body


class UnauthorizedError(CespError):
    """No valid credentials where they are required."""

    code = "unauthorized"


class ForbiddenError(CespError):
    """Valid credentials, but outside the key's role or region."""

    code = "forbidden"


class RateLimitedError(CespError):
    """Too many anonymous requests from one client."""

    code = "rate_limited"

    def __init__(self, retry_after: int):
        super().__init__(
            f"too many requests: retry in {retry_after} s, or use an API key",
            message_fr=f"Trop de requêtes : réessayez dans {retry_after} s.",
        )
        self.retry_after = retry_after
