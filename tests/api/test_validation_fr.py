"""``cesp.api.validation_fr``: every pydantic error a request can raise gets a French
sentence with the facts of its ``ctx``, and nothing falls back to English."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cesp.api.french_params import Day, Mode
from cesp.api.validation_fr import french_reason, json_error_messages, request_problem

# Words of pydantic's messages (and of the former fallback) that a French reader must
# never get.
ENGLISH = ("should", "Input", "valid", "error", "Field", "Extra", "List", "la valeur reçue")


class Sample(BaseModel):
    """One field per kind of value a body or a query carries."""

    model_config = ConfigDict(extra="forbid")

    wishes: list[int] = Field(default=[1], min_length=1, max_length=5)
    name: str = Field(default="x", min_length=1, max_length=3, pattern=r"^[a-z]+$")
    count: int = Field(default=1, ge=1, lt=10)
    ratio: float = Field(default=0.5, gt=0, le=1)
    flag: bool = False
    kind: Literal["exercice", "internat"] = "exercice"
    mode: Mode = "liberal"
    day: Day = date(2026, 1, 1)
    plain_day: date = date(2026, 1, 1)
    at: datetime = datetime(2026, 1, 1)
    required: int


def _error(**fields: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate({"required": 1, **fields})
    return dict(caught.value.errors()[0])


@pytest.mark.parametrize(
    ("fields", "kind", "french"),
    [
        (
            {"wishes": [1, 2, 3, 4, 5, 6]},
            "too_long",
            "trop long : au plus 5 éléments attendus, 6 reçus",
        ),
        ({"wishes": []}, "too_short", "trop court : au moins 1 élément attendu, 0 reçu"),
        ({"wishes": "1,2"}, "list_type", "une liste JSON ([…]) est attendue, reçu « 1,2 »"),
        ({"wishes": ["a"]}, "int_parsing", "« a » n'est pas un nombre entier"),
        ({"colour": "red"}, "extra_forbidden", "champ inconnu : retirez-le"),
        ({"name": 3}, "string_type", "un texte (entre guillemets) est attendu, reçu « 3 »"),
        ({"name": ""}, "string_too_short", "trop court : au moins 1 caractère attendu, 0 reçu"),
        ({"name": "abcd"}, "string_too_long", "trop long : au plus 3 caractères attendus, 4 reçus"),
        ({"name": "A"}, "string_pattern_mismatch", "« A » n'a pas la forme attendue (motif"),
        ({"count": 0}, "greater_than_equal", "« 0 » hors bornes : au moins 1 attendu"),
        ({"count": 10}, "less_than", "« 10 » hors bornes : moins de 10 attendu"),
        ({"ratio": 0}, "greater_than", "« 0 » hors bornes : plus de 0.0 attendu"),
        ({"ratio": "x"}, "float_parsing", "« x » n'est pas un nombre (point décimal : 2.44)"),
        ({"flag": "peut-être"}, "bool_parsing", "« peut-être » n'est pas un booléen"),
        ({"kind": "autre"}, "literal_error", "valeurs possibles : exercice ou internat"),
        ({"mode": "x"}, "literal_error", "valeurs possibles : liberal, salarie ou mixte"),
        ({"day": "2026-13-45"}, "cesp_refusal", "écrivez-la JJ/MM/AAAA ou AAAA-MM-JJ"),
        ({"plain_day": "15/11/2026"}, "date_from_datetime_parsing", "écrivez-la AAAA-MM-JJ"),
        ({"at": "hier"}, "datetime_from_date_parsing", "« hier » n'est pas un instant"),
        ({"required": None}, "int_type", "null n'est pas un nombre entier"),
    ],
)
def test_each_error_type_reads_in_french_with_its_facts(
    fields: dict[str, Any], kind: str, french: str
) -> None:
    error = _error(**fields)
    assert error["type"] == kind
    reason = french_reason(error)
    assert french in reason
    assert not any(word in reason for word in ENGLISH), reason


def test_a_missing_field_and_an_unknown_type_are_said_in_french() -> None:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate({})
    assert french_reason(dict(caught.value.errors()[0])) == "obligatoire et absent : ajoutez-le"
    # A type only Python callers cause: no English, no « la valeur reçue ».
    other = {"type": "is_instance_of", "msg": "Input should be an instance of X", "input": []}
    assert (
        french_reason(other)
        == "valeur une liste refusée : voyez la description du champ dans /docs"
    )


def test_enum_error_and_long_values_are_shown_cut() -> None:
    error = {"type": "enum", "ctx": {"expected": "'csv' or 'xlsx'"}, "input": "p" * 200}
    reason = french_reason(error)
    assert reason.startswith("valeur « " + "p" * 59 + "… » inconnue")
    assert reason.endswith("valeurs possibles : csv ou xlsx")


def test_a_malformed_json_body_is_placed_by_line_and_column() -> None:
    doc = '{\n  "wishes": [1,\n'
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(doc)
    error = {
        "type": "json_invalid",
        "loc": ("body", caught.value.pos),
        "msg": "JSON decode error",
        "input": {},
        "ctx": {"error": caught.value.msg},
    }
    field, message, message_fr = request_problem(error, doc)
    assert field == "body"
    assert message == "body: malformed JSON at line 3, column 1 (Expecting value); correct it there"
    assert message_fr == (
        "Corps de requête : JSON mal formé à la ligne 3, colonne 1 (une valeur est attendue) ; "
        "corrigez-le à cet endroit."
    )
    assert json_error_messages(caught.value) == (message, message_fr)
