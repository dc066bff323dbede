"""Spreadsheet formula neutralisation of text cells written to CSV or XLSX.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is run as
a formula by spreadsheet programs (CSV injection, OWASP): such a cell gets a leading
quote, unless it is a plain number such as -4.48. Kept apart from the exports so that
the bulk check can use it without importing geopandas.

C0 control characters are removed first: they are refused at input (``cesp.text``), and
stripping them here keeps one row stored before that check from making every XLSX
export answer 500 (openpyxl refuses them).
"""

from __future__ import annotations

import re
from typing import Any

from cesp.text import strip_control_characters

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?([eE][+-]?\d+)?$")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: a text cell starting with = + - @ (or a tab or
    carriage return) gets a leading quote, unless it is a plain number such as -4.48;
    control characters are removed."""
    value = strip_control_characters(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not NUMBER.match(value):
        return "'" + value
    return value
