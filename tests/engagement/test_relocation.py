"""A beneficiary's change of practice site, as the CNG asks for it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.api.eligibility_schemas import RelocationOut
from cesp.audit import Actor
from cesp.eligibility.index import build_index
from cesp.eligibility.sites import Site, make_site
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.engagement.relocation import decide, load_decision
from cesp.engagement.relocation_file import RelocationFiling, file_decision
from cesp.errors import InvalidInputError, NotFoundError
from tests.zones.helpers import across_boundary, publish_codes, site_at, zone_metric

BOBIGNY = make_site(lon=2.4397, lat=48.9086)
COURNEUVE = make_site(lon=2.389, lat=48.9236)
PARIS_CENTRE = make_site(lon=2.3522, lat=48.8566)
SEA = make_site(lon=-5.0, lat=46.0)
VENISSIEUX = make_site(lon=4.8870, lat=45.6970)
LYON = make_site(lon=4.8357, lat=45.7640)
CHANGE = date(2015, 6, 1)
END = date(2020, 6, 30)


@pytest.fixture
def index(idf_engine: sa.Engine, decree_2012) -> ZoningIndex:
    return build_index(idf_engine)


def _decide(engine: sa.Engine, index: ZoningIndex, new: Site, **overrides):
    fields = {
        "profession": "medecin",
        "current_site": BOBIGNY,
        "new_site": new,
        "change_date": CHANGE,
        "engagement_end": END,
    }
    fields.update(overrides)
    with engine.connect() as conn:
        return decide(index, conn, **fields)


def test_move_within_the_region_to_a_zone_is_allowed_by_the_ars(idf_engine, index):
    decision = _decide(idf_engine, index, COURNEUVE)
    assert decision.decision == "allowed"
    assert (decision.reasons, decision.warnings) == ((), ())
    assert (decision.authority, decision.authority_region) == ("ARS", "11")
    assert decision.new.eligible and decision.new.commune.code == "93027"
    assert decision.current.commune.code == "93008"
    assert [d.reference for d in decision.new.decrees] == ["12-209"]


@pytest.mark.parametrize(
    "new, overrides, code",
    [
        (PARIS_CENTRE, {}, "new_site_not_eligible"),
        (COURNEUVE, {"engagement_end": date(2015, 5, 31)}, "after_engagement_end"),
        (COURNEUVE, {"change_date": date(2011, 6, 1)}, "new_site_no_zoning"),
        (SEA, {}, "new_site_outside_territory"),
        (make_site(insee="75056"), {}, "new_site_partial"),
    ],
    ids=["not-eligible", "after-end", "no-zoning", "outside", "partial-insee"],
)
def test_each_rule_refuses_with_its_reason(idf_engine, index, new, overrides, code):
    decision = _decide(idf_engine, index, new, **overrides)
    assert decision.decision == "refused"
    assert [r.code for r in decision.reasons] == [code]
    reason = decision.reasons[0]
    assert reason.message and reason.message_fr and reason.message != reason.message_fr


def test_every_failed_rule_is_listed(idf_engine, index):
    decision = _decide(idf_engine, index, PARIS_CENTRE, engagement_end=date(2014, 1, 1))
    assert decision.decision == "refused"
    assert {r.code for r in decision.reasons} == {"after_engagement_end", "new_site_not_eligible"}


def test_borderline_new_site_inside_is_allowed_with_a_warning(idf_engine, index):
    with idf_engine.connect() as conn:
        middle, out = across_boundary(zone_metric(conn, "Bobigny"), zone_metric(conn, "ZUS 18ème"))
    just_inside = site_at(*(middle - 20 * out))
    just_outside = site_at(*(middle + 20 * out))

    inside = _decide(idf_engine, index, just_inside, current_site=COURNEUVE)
    assert inside.new.status == "borderline"
    assert inside.decision == "allowed"
    assert [w.code for w in inside.warnings] == ["new_site_borderline"]

    outside = _decide(idf_engine, index, just_outside, current_site=COURNEUVE)
    assert outside.new.status == "borderline"
    assert outside.decision == "refused"
    assert [r.code for r in outside.reasons] == ["new_site_not_eligible"]


def test_approximate_zone_gives_a_warning(idf_engine, tmp_path: Path):
    """ZUS 18ème is approximated by the whole arrondissement (authored decree's choice)."""
    text = (
        "code_insee;nom_zone;categorie;approximation\n"
        "93008;Bobigny;zone déficitaire;\n"
        "75118;ZUS 18ème;zone déficitaire;Périmètre de la ZUS approché par l'arrondissement\n"
    )
    publish_codes(idf_engine, tmp_path / "approx.csv", text)
    index = build_index(idf_engine)
    decision = _decide(idf_engine, index, make_site(lon=2.3440, lat=48.8925))
    assert decision.new.status == "eligible"
    assert decision.decision == "allowed"
    assert [w.code for w in decision.warnings] == ["approximate_boundaries"]


def test_current_site_outside_france_is_an_input_error(idf_engine, index):
    with pytest.raises(InvalidInputError) as caught:
        _decide(idf_engine, index, COURNEUVE, current_site=SEA)
    assert caught.value.field == "current_site"


def test_profession_not_yet_open_on_the_change_date(idf_engine, index):
    with pytest.raises(InvalidInputError) as caught:
        _decide(idf_engine, index, COURNEUVE, profession="sage-femme")
    assert caught.value.field == "profession"


def test_move_to_another_region_is_for_the_cng(two_regions_engine, tmp_path: Path):
    publish_codes(two_regions_engine, tmp_path / "12-209.csv")
    rhone = "code_insee;nom_zone\n69259;Vénissieux\n"
    publish_codes(two_regions_engine, tmp_path / "84.csv", rhone, region="84", reference="84-1")
    index = build_index(two_regions_engine)

    allowed = _decide(two_regions_engine, index, VENISSIEUX)
    assert allowed.new.commune.code == "69259" and allowed.new.commune.region == "84"
    assert allowed.decision == "allowed"
    assert (allowed.authority, allowed.authority_region) == ("CNG", None)
    assert [d.reference for d in allowed.new.decrees] == ["84-1"]

    refused = _decide(two_regions_engine, index, LYON)
    assert refused.decision == "refused"
    assert refused.authority == "CNG"
    assert [r.code for r in refused.reasons] == ["new_site_not_eligible"]

    back = _decide(two_regions_engine, index, BOBIGNY, current_site=VENISSIEUX)
    assert (back.decision, back.authority, back.authority_region) == ("allowed", "CNG", None)


def test_stored_decision_reads_back_as_answered(idf_engine, index):
    decision = _decide(idf_engine, index, PARIS_CENTRE, engagement_end=date(2014, 1, 1))
    body = RelocationOut.of(decision).model_dump(mode="json")
    with idf_engine.begin() as conn:
        file_decision(conn, decision, body, RelocationFiling(), PARIS_CENTRE, Actor("t", "cng"))
    with idf_engine.connect() as conn:
        assert load_decision(conn, decision.id) == body
        with pytest.raises(NotFoundError):
            load_decision(conn, "00000000-0000-0000-0000-000000000000")
    assert RelocationOut.model_validate(body) == RelocationOut.of(decision)


def test_a_move_to_another_region_in_2026_is_for_the_asp(two_regions_engine, tmp_path: Path):
    publish_codes(two_regions_engine, tmp_path / "12-209.csv")
    rhone = "code_insee;nom_zone\n69259;Vénissieux\n"
    publish_codes(two_regions_engine, tmp_path / "84.csv", rhone, region="84", reference="84-1")
    index = build_index(two_regions_engine)
    before = _decide(two_regions_engine, index, VENISSIEUX, change_date=date(2025, 12, 31))
    after = _decide(two_regions_engine, index, VENISSIEUX, change_date=date(2026, 1, 1))
    assert (before.authority, after.authority) == ("CNG", "ASP")
    assert after.authority_name_fr == "Agence de services et de paiement"
    body = RelocationOut.of(after).model_dump(mode="json")
    assert body["authority"] == "ASP"


def test_a_move_to_another_region_records_both_ars_opinions(two_regions_engine, tmp_path: Path):
    from cesp.engagement.relocation_file import with_opinions

    publish_codes(two_regions_engine, tmp_path / "12-209.csv")
    rhone = "code_insee;nom_zone\n69259;Vénissieux\n"
    publish_codes(two_regions_engine, tmp_path / "84.csv", rhone, region="84", reference="84-1")
    index = build_index(two_regions_engine)
    decision = _decide(two_regions_engine, index, VENISSIEUX)
    with pytest.raises(InvalidInputError) as missing:
        with_opinions(decision, "favorable", None)
    assert missing.value.field == "destination_ars_opinion" and "art. 8" in missing.value.message_fr
    warned = with_opinions(decision, "favorable", "defavorable")
    assert [w.code for w in warned.warnings] == ["ars_opinion_unfavourable"]
    assert warned.decision == "allowed"
    within = _decide(two_regions_engine, index, COURNEUVE)
    assert with_opinions(within, None, None) is within


def test_the_manager_of_a_move_between_regions_follows_the_signature_date(
    two_regions_engine, tmp_path: Path
):
    # Décret n°2025-270: from 2025-03-26 the ASP manages the contracts signed from that
    # day; an older contract stays with the CNG until 2025-12-31.
    publish_codes(two_regions_engine, tmp_path / "12-209.csv")
    rhone = "code_insee;nom_zone\n69259;Vénissieux\n"
    publish_codes(two_regions_engine, tmp_path / "84.csv", rhone, region="84", reference="84-1")
    index = build_index(two_regions_engine)
    on = date(2025, 9, 1)
    recent = _decide(
        two_regions_engine, index, VENISSIEUX, change_date=on, signed_on=date(2025, 4, 1)
    )
    older = _decide(
        two_regions_engine, index, VENISSIEUX, change_date=on, signed_on=date(2020, 10, 1)
    )
    assert (recent.authority, older.authority) == ("ASP", "CNG")
    assert recent.authority_name_fr == "Agence de services et de paiement"


def test_no_dental_relocation_before_the_dental_cesp(idf_engine, index):
    # Same rule as the beneficiary import and the contract terms (décret n°2013-735).
    with pytest.raises(InvalidInputError) as caught:
        _decide(
            idf_engine,
            index,
            COURNEUVE,
            profession="chirurgien-dentiste",
            change_date=date(2012, 6, 1),
        )
    assert caught.value.field == "profession" and "16/08/2013" in caught.value.message_fr


def test_the_opinions_cite_the_text_in_force_on_the_change_date(two_regions_engine, tmp_path: Path):
    from cesp.engagement.relocation_file import with_opinions

    publish_codes(two_regions_engine, tmp_path / "12-209.csv")
    rhone = "code_insee;nom_zone\n69259;Vénissieux\n"
    publish_codes(two_regions_engine, tmp_path / "84.csv", rhone, region="84", reference="84-1")
    index = build_index(two_regions_engine)
    old = _decide(two_regions_engine, index, VENISSIEUX)  # 2015: décret n°2010-735 art. 8
    new = _decide(two_regions_engine, index, VENISSIEUX, change_date=date(2021, 6, 1))
    for decision, expected in ((old, "décret n°2010-735, art. 8"), (new, "code de l'éducation")):
        with pytest.raises(InvalidInputError) as missing:
            with_opinions(decision, "favorable", None)
        assert expected in missing.value.message_fr
