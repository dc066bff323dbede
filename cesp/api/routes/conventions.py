"""What every route module of the API shares: the error answers it documents and the
patterns of its common parameters.

Kept apart from any one route module so that a route module imports no sibling.
"""

from __future__ import annotations

from cesp.api.schemas import ErrorBody

REGION_CODE = r"^\d{2}$"
"""A region code of the COG (two digits), as the ``region`` parameters take it."""

ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorBody},
    422: {"model": ErrorBody},
}
"""The error answers (French message, field) documented on every route."""
