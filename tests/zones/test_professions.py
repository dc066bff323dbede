"""Professions as users type them."""

from __future__ import annotations

import pytest

from cesp.errors import InvalidInputError
from cesp.zones.professions import Profession, parse_profession


@pytest.mark.parametrize(
    "typed", ["dentiste", "Dentiste", "chirurgien-dentiste", "Chirurgien dentiste"]
)
def test_a_dentist_is_read_whatever_the_user_calls_the_profession(typed: str):
    assert parse_profession(typed) is Profession.CHIRURGIEN_DENTISTE


def test_an_unknown_profession_lists_the_known_ones_in_french():
    with pytest.raises(InvalidInputError) as caught:
        parse_profession("infirmier")
    assert "Profession inconnue « infirmier »" in (caught.value.message_fr or "")
    assert "chirurgien-dentiste" in (caught.value.message_fr or "")
