"""What a refused parameter or field is told in French: the reason and what is allowed.

pydantic words its errors in English; an ARS officer reading ``detail_fr`` must get the
same facts (why, and the accepted values or bounds), not just the field's name. One
function, used by every 422 (and the OGC 400s) built from a pydantic error.

Each error ``type`` of pydantic v2 (https://docs.pydantic.dev/latest/errors/validation_errors/)
that a JSON body, a query string or a form can produce gets a French sentence built
from the error's ``ctx`` (bounds, lengths, allowed values). The types only Python
callers can cause (``is_instance_of``, ``callable_type``...) fall to a French sentence
that names no English and points to the field's description in ``/docs``. Our own
validators raise :func:`refusal`, which carries both languages.

A body that is not JSON at all is a ``json_invalid`` error whose ``loc`` is a character
offset: :func:`json_syntax` says where (line, column) and why, in both languages.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic_core import PydanticCustomError

REFUSAL = "cesp_refusal"
SOURCES = ("query", "path", "header", "cookie", "body")
SHOWN_CHARACTERS = 60

KINDS_FR = {
    bool: "un booléen",
    int: "un nombre entier",
    float: "un nombre",
    str: "un texte",
    list: "une liste",
    dict: "un objet",
    type(None): "null",
    bytes: "un corps qui n'est pas du JSON",
}

# json's messages (Lib/json/decoder.py, Modules/_json.c) and what they mean in French.
JSON_REASONS_FR = {
    "Expecting value": "une valeur est attendue",
    "Expecting property name enclosed in double quotes": (
        "un nom de champ entre guillemets droits est attendu"
    ),
    "Expecting ':' delimiter": "« : » est attendu",
    "Expecting ',' delimiter": "une virgule est attendue",
    "Unterminated string starting at": "un texte n'est pas fermé (guillemet manquant)",
    "Invalid control character at": "un texte contient un caractère de contrôle",
    "Invalid \\escape": "une séquence d'échappement \\ est invalide",
    "Invalid \\uXXXX escape": "une séquence \\uXXXX est invalide",
    "Extra data": "des données suivent la fin du JSON",
    "Illegal trailing comma before end of object": "une virgule est en trop avant « } »",
    "Illegal trailing comma before end of array": "une virgule est en trop avant « ] »",
}

# pydantic's English that says what is wrong but not how to fix it.
HINTS_EN = {
    "extra_forbidden": "unknown field: remove it (the accepted fields are described in /docs)",
}

BOUNDS = {
    "greater_than_equal": ("au moins", "ge"),
    "greater_than": ("plus de", "gt"),
    "less_than_equal": ("au plus", "le"),
    "less_than": ("moins de", "lt"),
}
SIMPLE = {
    "missing": "obligatoire et absent : ajoutez-le",
    "missing_argument": "obligatoire et absent : ajoutez-le",
    "missing_keyword_only_argument": "obligatoire et absent : ajoutez-le",
    "missing_positional_only_argument": "obligatoire et absent : ajoutez-le",
    "extra_forbidden": "champ inconnu : retirez-le ; les champs acceptés sont décrits dans /docs",
    "unexpected_keyword_argument": "champ inconnu : retirez-le",
    "json_type": "un texte JSON est attendu",
    "recursion_loop": "la valeur se contient elle-même",
    "recursion_depth_exceeded": "imbrication trop profonde",
    "none_required": "doit être null",
    "string_unicode": "texte illisible : UTF-8 attendu",
    "string_not_ascii": "seuls les caractères ASCII sont acceptés",
    "bytes_invalid_encoding": "texte illisible : UTF-8 attendu",
    "date_past": "date passée attendue",
    "date_future": "date future attendue",
    "datetime_past": "instant passé attendu",
    "datetime_future": "instant futur attendu",
    "timezone_naive": "heure sans fuseau horaire attendue",
    "timezone_aware": "heure avec fuseau horaire attendue (2026-11-15T09:00:00+01:00)",
    "timezone_offset": "décalage horaire différent attendu",
    "url_type": "une adresse URL (texte) est attendue",
    "url_parsing": "adresse URL invalide",
    "url_syntax_violation": "adresse URL invalide",
    "url_too_long": "adresse URL trop longue",
    "url_scheme": "adresse URL au schéma non accepté",
    "uuid_type": "un identifiant UUID (texte) est attendu",
    "uuid_parsing": "identifiant UUID invalide",
    "uuid_version": "identifiant UUID de version non acceptée",
    "union_tag_not_found": "le champ qui indique la variante est absent",
}
OBJECT_TYPES = frozenset(
    {"model_type", "model_attributes_type", "dataclass_type", "dict_type", "mapping_type"}
    | {"ordered_dict_type", "frozen_dict_type", "counter_type"}
)
LIST_TYPES = frozenset(
    {"list_type", "tuple_type", "set_type", "frozen_set_type", "deque_type"}
    | {"iterable_type", "iteration_error"}
)
DATE_TYPES = frozenset(
    {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
)
DATETIME_TYPES = frozenset(
    {"datetime_type", "datetime_parsing", "datetime_object_invalid"}
    | {"datetime_from_date_parsing"}
)
TIME_TYPES = frozenset({"time_type", "time_parsing", "time_delta_type", "time_delta_parsing"})
DECIMAL_TYPES = frozenset({"decimal_type", "decimal_parsing", "fraction_type", "fraction_parsing"})


def refusal(message: str, message_fr: str) -> PydanticCustomError:
    """The error a validator of ours raises: pydantic shows ``message``, French readers
    get ``message_fr`` (a ``ValueError`` would reach them in English only)."""
    return PydanticCustomError(REFUSAL, message, {"message_fr": message_fr})


def shown(value: Any) -> str:
    """A received value as a French sentence shows it: « x » for a scalar (cut when long),
    its kind otherwise (« une liste »), never the raw structure."""
    if isinstance(value, bool):
        return "« true »" if value else "« false »"
    if isinstance(value, str | int | float):
        text = str(value)
        if len(text) > SHOWN_CHARACTERS:
            text = text[: SHOWN_CHARACTERS - 1] + "…"
        return f"« {text} »"
    return KINDS_FR.get(type(value), "une valeur d'un autre type")


def _received(error: dict[str, Any]) -> str:
    return f", reçu {shown(error['input'])}" if "input" in error else ""


def _values(expected: Any) -> str:
    return str(expected).replace(" or ", " ou ").replace("'", "")


def _plural(number: Any) -> str:
    return "s" if isinstance(number, int) and number > 1 else ""


def _count(number: Any, word: str) -> str:
    return f"{number} {word}{_plural(number)}"


def _lengths(kind: str, ctx: dict[str, Any], given: Any) -> str:
    """``too_short``/``too_long`` and the string and bytes variants: the bound and the count."""
    if kind.startswith("string"):
        unit = "caractère"
    elif kind.startswith("bytes"):
        unit = "octet"
    else:
        unit = "élément"
    actual = ctx.get("actual_length")
    if actual is None and isinstance(given, str | bytes | list | tuple | dict):
        actual = len(given)
    if kind.endswith("too_short"):
        bound, words = ctx.get("min_length"), ("trop court", "au moins")
    else:
        bound, words = ctx.get("max_length"), ("trop long", "au plus")
    expected = f"{words[0]} : {words[1]} {_count(bound, unit)} attendu{_plural(bound)}"
    return expected + (f", {actual} reçu{_plural(actual)}" if actual is not None else "")


def french_reason(error: dict[str, Any]) -> str:
    """The reason of one pydantic error, in French, with the allowed values or bounds.

    Parameters
    ----------
    error
        One item of ``ValidationError.errors()`` (``type``, ``ctx``, ``input``, ``msg``).

    Returns
    -------
    str
        A French clause without a final full stop; never English, whatever the type.

    Examples
    --------
    >>> french_reason({"type": "enum", "ctx": {"expected": "'csv' or 'xlsx'"}, "input": "x"})
    'valeur « x » inconnue ; valeurs possibles : csv ou xlsx'
    >>> french_reason({"type": "too_long", "ctx": {"max_length": 5, "actual_length": 6}})
    'trop long : au plus 5 éléments attendus, 6 reçus'
    """
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    given = shown(error.get("input"))
    if kind == REFUSAL and ctx.get("message_fr"):
        return str(ctx["message_fr"])
    if kind in SIMPLE:
        return SIMPLE[kind]
    if kind == "json_invalid":
        return f"JSON mal formé : {JSON_REASONS_FR.get(str(ctx.get('error')), 'syntaxe invalide')}"
    if kind in ("enum", "literal_error"):
        return f"valeur {given} inconnue ; valeurs possibles : {_values(ctx.get('expected'))}"
    if kind == "union_tag_invalid":
        return (
            f"valeur « {ctx.get('tag')} » de {ctx.get('discriminator')} inconnue ; valeurs "
            f"possibles : {_values(ctx.get('expected_tags'))}"
        )
    if kind == "string_pattern_mismatch":
        return f"{given} n'a pas la forme attendue (motif {ctx.get('pattern')})"
    if kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        return _lengths(kind, ctx, error.get("input"))
    if kind in ("bytes_too_short", "bytes_too_long"):
        return _lengths(kind, ctx, error.get("input"))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{given} n'est pas un nombre entier"
    if kind == "int_parsing_size":
        return f"{given} : nombre entier trop grand"
    if kind in ("float_parsing", "float_type"):
        return f"{given} n'est pas un nombre (point décimal : 2.44)"
    if kind == "finite_number":
        return f"{given} : nombre fini attendu (ni NaN ni infini)"
    if kind in ("bool_parsing", "bool_type"):
        return f"{given} n'est pas un booléen (true ou false)"
    if kind in BOUNDS:
        words, key = BOUNDS[kind]
        return f"{given} hors bornes : {words} {ctx.get(key)} attendu"
    if kind == "multiple_of":
        return f"{given} : multiple de {ctx.get('multiple_of')} attendu"
    if kind in OBJECT_TYPES:
        return "un objet JSON ({…}) est attendu" + _received(error)
    if kind in LIST_TYPES:
        return "une liste JSON ([…]) est attendue" + _received(error)
    if kind == "string_type":
        return "un texte (entre guillemets) est attendu" + _received(error)
    if kind == "bytes_type":
        return "un texte est attendu" + _received(error)
    if kind in DATE_TYPES:
        # pydantic's own date type reads ISO 8601 only; our ``Day`` says both forms.
        return f"{given} n'est pas une date ; écrivez-la AAAA-MM-JJ (2026-11-15)"
    if kind in DATETIME_TYPES:
        return f"{given} n'est pas un instant ; écrivez-le AAAA-MM-JJTHH:MM:SS"
    if kind in TIME_TYPES:
        return f"{given} n'est pas une durée ou une heure ; écrivez-la HH:MM:SS"
    if kind in DECIMAL_TYPES:
        return f"{given} n'est pas un nombre décimal"
    if kind.startswith("decimal_"):
        limits = ", ".join(f"{k} {v}" for k, v in ctx.items())
        return f"{given} : trop de chiffres ({limits})"
    return f"valeur {given} refusée : voyez la description du champ dans /docs"


def json_position(doc: Any, offset: Any) -> tuple[int, int] | None:
    """Line and column (from 1) of character ``offset`` in ``doc``, as ``json`` counts them."""
    if not isinstance(doc, str) or not isinstance(offset, int) or not 0 <= offset <= len(doc):
        return None
    line = doc.count("\n", 0, offset) + 1
    return line, offset - doc.rfind("\n", 0, offset)


def json_syntax(reason: str, where: tuple[int, int] | None) -> tuple[str, str]:
    """English and French messages for a body that is not JSON, saying where and why.

    Examples
    --------
    >>> json_syntax("Expecting value", (1, 14))[0]
    'body: malformed JSON at line 1, column 14 (Expecting value); correct it there'
    """
    at = f" at line {where[0]}, column {where[1]}" if where else ""
    at_fr = f" à la ligne {where[0]}, colonne {where[1]}" if where else ""
    why_fr = JSON_REASONS_FR.get(reason, "syntaxe invalide")
    return (
        f"body: malformed JSON{at} ({reason}); correct it there",
        f"Corps de requête : JSON mal formé{at_fr} ({why_fr}) ; corrigez-le à cet endroit.",
    )


def json_error_messages(error: json.JSONDecodeError) -> tuple[str, str]:
    """:func:`json_syntax` for an exception of ``json.loads``."""
    return json_syntax(error.msg, (error.lineno, error.colno))


def request_problem(error: dict[str, Any], body: Any = None) -> tuple[str | None, str, str]:
    """The field, English and French messages of one error of a request's validation.

    Parameters
    ----------
    error
        One item of ``RequestValidationError.errors()``; ``loc`` starts with where the
        value came from (``query``, ``path``, ``header``, ``cookie``, ``body``).
    body
        The request's body text, to place a ``json_invalid`` error (line, column)
        rather than name its character offset as if it were a field.

    Returns
    -------
    tuple
        ``(field, message, message_fr)``; ``field`` is None when nothing names one.
    """
    loc = list(error.get("loc", ()))
    source = loc.pop(0) if loc and loc[0] in SOURCES else None
    kind = error.get("type", "")
    if kind == "json_invalid":
        reason = str((error.get("ctx") or {}).get("error", ""))
        return ("body", *json_syntax(reason, json_position(body, loc[0] if loc else None)))
    field = ".".join(str(part) for part in loc)
    if not field and source == "body":
        if kind == "missing":
            return (
                "body",
                "body: the request body is missing: send a JSON object "
                "(Content-Type: application/json)",
                "Corps de requête absent : envoyez un objet JSON (Content-Type: application/json).",
            )
        return (
            "body",
            f"body: {error.get('msg', 'invalid value')} (send a JSON object, "
            "Content-Type: application/json)",
            f"Corps de requête invalide : {french_reason(error)} (Content-Type: application/json).",
        )
    if not field:
        return None, "invalid request", "Requête invalide."
    label = "Champ invalide" if source == "body" else "Paramètre invalide"
    message = HINTS_EN.get(kind) or error.get("msg", "invalid value")
    return field, f"{field}: {message}", f"{label} : {field} ({french_reason(error)})."
