"""What a refused parameter or field is told in French: the reason and what is allowed.

pydantic words its errors in English; an ARS officer reading ``detail_fr`` must get the
same facts (why, and the accepted values or bounds), not just the field's name. One
function, used by every 422 (and the OGC 400s) built from a pydantic error.
"""

from __future__ import annotations

from typing import Any

from cesp.api.french_params import DATE_EXPECTED


def _values(expected: Any) -> str:
    return str(expected).replace(" or ", " ou ").replace("'", "")


def french_reason(error: dict[str, Any]) -> str:
    """The reason of one pydantic error, in French, with the allowed values or bounds.

    Examples
    --------
    >>> french_reason({"type": "enum", "ctx": {"expected": "'csv' or 'xlsx'"}, "input": "x"})
    'valeur « x » inconnue ; valeurs possibles : csv ou xlsx'
    """
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    given = error.get("input")
    shown = f"« {given} »" if isinstance(given, str | int | float) else "la valeur reçue"
    if kind == "missing":
        return "obligatoire et absent"
    if kind in ("enum", "literal_error"):
        return f"valeur {shown} inconnue ; valeurs possibles : {_values(ctx.get('expected'))}"
    if kind == "string_pattern_mismatch":
        return f"{shown} n'a pas la forme attendue (motif {ctx.get('pattern')})"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{shown} n'est pas un nombre entier"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{shown} n'est pas un nombre (point décimal : 2.44)"
    if kind in ("bool_parsing", "bool_type"):
        return f"{shown} n'est pas un booléen (true ou false)"
    bounds = {
        "greater_than_equal": ("au moins", "ge"),
        "greater_than": ("plus de", "gt"),
        "less_than_equal": ("au plus", "le"),
        "less_than": ("moins de", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"{shown} hors bornes : {words} {ctx.get(key)} attendu"
    if kind == "string_too_long":
        return f"trop long : au plus {ctx.get('max_length')} caractères"
    if kind == "string_too_short":
        return f"trop court : au moins {ctx.get('min_length')} caractère(s)"
    if kind.startswith(("date_", "datetime_")) or DATE_EXPECTED in str(error.get("msg")):
        return f"{shown} n'est pas une date ; écrivez-la JJ/MM/AAAA ou AAAA-MM-JJ (15/11/2026)"
    return f"{error.get('msg', 'valeur refusée')} (valeur reçue : {shown})"
