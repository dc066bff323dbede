import pytest

from cesp.geo.names import name_key, strip_accents


@pytest.mark.parametrize(
    "variant", ["La Courneuve", "LA COURNEUVE", "la-courneuve", "Courneuve", "  la   courneuve "]
)
def test_variants_of_a_name_share_one_key(variant: str) -> None:
    assert name_key(variant) == "courneuve"


def test_elided_article_and_diaeresis() -> None:
    assert name_key("L'Haÿ-les-Roses") == "hay les roses"
    assert name_key("l’Haÿ les Roses") == "hay les roses"


def test_saint_abbreviations_are_spelled_out() -> None:
    assert name_key("St-Denis") == name_key("Saint-Denis") == "saint denis"
    assert name_key("Ste-Geneviève-des-Bois") == "sainte genevieve des bois"


def test_article_alone_is_kept() -> None:
    # "Le" is a name on its own nowhere, but the key must never become empty.
    assert name_key("Les") == "les"


def test_ligatures_fold() -> None:
    assert strip_accents("Œuilly") == "OEuilly"
