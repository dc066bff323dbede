"""Base of the response models: read a domain object's attributes, derive the rest.

A response model names the fields it shows; pydantic copies those from the domain
object's attributes of the same name (``from_attributes``), a ``validation_alias``
(``AliasChoices(field, attribute)``) naming the attribute when the public name
differs. What is computed rather than copied (a sentence, a nested dict, a flag from a
number) is written once, in ``derived``, and applies wherever the model is built from
an object: by ``of``, or nested in another model (``PointAnswer.commune`` from a
``CommuneUnit``). Dicts (stored answers read back) and models are validated as they are.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import AliasChoices, BaseModel, ConfigDict, model_validator

_MISSING = object()

# Per model: (key of the field in a dict, attributes to read it from, in order).
_SOURCES: dict[type[BaseModel], tuple[tuple[str, tuple[str, ...]], ...]] = {}


def _sources(model: type[BaseModel]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    known = _SOURCES.get(model)
    if known is None:
        rows = []
        for name, info in model.model_fields.items():
            alias = info.validation_alias
            if isinstance(alias, AliasChoices):
                names = tuple(c for c in alias.choices if isinstance(c, str))
            elif isinstance(alias, str):
                names = (alias,)
            else:
                names = (name,)
            key = name if name in names else names[0]
            rows.append((key, names if name in names else (*names, name)))
        known = _SOURCES[model] = tuple(rows)
    return known


class OutputModel(BaseModel):
    """A response model built from a domain object's attributes."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def derived(cls, obj: Any) -> dict[str, Any]:
        """Fields computed from ``obj`` rather than copied (none by default)."""
        return {}

    @classmethod
    def of(cls, obj: Any, **values: Any) -> Self:
        """The model of ``obj``: its attributes, then ``derived(obj)``, then ``values``."""
        return cls.model_validate(cls._merged(obj, values))

    @classmethod
    def _merged(cls, obj: Any, values: dict[str, Any]) -> Any:
        given = cls.derived(obj)
        given.update(values)
        if not given:  # a plain copy: pydantic reads the attributes itself
            return obj
        # A dict, not a proxy object: pydantic reads a dict's keys faster than it
        # calls a Python ``__getattr__``, and the eligibility answer is the hot path.
        merged = {}
        for key, names in _sources(cls):
            if key in given:
                continue
            for name in names:
                value = getattr(obj, name, _MISSING)
                if value is not _MISSING:
                    merged[key] = value
                    break
        merged.update(given)
        return merged

    @model_validator(mode="before")
    @classmethod
    def _derive(cls, data: Any) -> Any:
        if isinstance(data, dict | BaseModel):
            return data
        return cls._merged(data, {})
