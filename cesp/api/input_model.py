"""The base of every request body: no C0 control character in any text it carries.

A ``mode="before"`` validator sees the raw JSON, so the error names the field by its
path in the body (``sites.3.id``), before pydantic spends time on the rest. The rule
itself (which characters, why) is ``cesp.text``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, model_validator

from cesp.text import refuse_in_values


class InputModel(BaseModel):
    """A request body; refuses control characters in every string, nested ones included."""

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        refuse_in_values(data, "")
        return data
