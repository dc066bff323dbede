"""Spreadsheet formula neutralisation of text cells written to CSV or XLSX.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is run as
a formula by spreadsheet programs (CSV injection, OWASP): such a cell gets a leading
quote, unless it is a plain number such as -4.48. Kept apart from the exports so that
the bulk check can use it without importing geopandas.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?([eE][+-]?\d+)?$")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: a text cell starting with = + - @ (or a tab or
    carriage return) gets a leading quote, unless it is a plain number such as -4.48."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not NUMBER.match(value):
        return "'" + value
    return value
