"""``cesp.field_schema``: one definition of the fields, checked once for every artefact."""

from __future__ import annotations

from datetime import date

import pytest

from cesp.field_schema import (
    COMMUNE_FIELDS,
    ELIGIBLE_COMMUNE_FIELDS,
    LEDGER_FIELDS,
    POST_FIELDS,
    POST_LIST_FIELDS,
    ZONE_FIELDS,
    Field,
    FieldSchema,
    Kind,
)

EVERY = (
    ZONE_FIELDS,
    COMMUNE_FIELDS,
    ELIGIBLE_COMMUNE_FIELDS,
    POST_FIELDS,
    POST_LIST_FIELDS,
    LEDGER_FIELDS,
)


@pytest.mark.parametrize("schema", EVERY, ids=lambda s: s.kind)
def test_names_fit_a_dbf_are_lower_case_and_described_in_french(schema: FieldSchema):
    for field in schema:
        assert len(field.name) <= 10 and field.name == field.name.lower(), field.name
        assert field.description_fr[0].isupper() or field.description_fr[0].islower()
    assert len(set(schema.names)) == len(schema.names)


def test_the_codes_have_the_admin_express_names_in_every_kind():
    for schema in (ZONE_FIELDS, COMMUNE_FIELDS, ELIGIBLE_COMMUNE_FIELDS, POST_FIELDS):
        assert "insee_com" in schema.names and schema["insee_com"].kind is Kind.TEXT
    for schema in (ZONE_FIELDS, COMMUNE_FIELDS, POST_FIELDS):
        assert "insee_reg" in schema.names
    assert POST_LIST_FIELDS.names[: len(POST_FIELDS.names)] == POST_FIELDS.names


def test_a_schema_refuses_a_name_a_shapefile_would_cut():
    with pytest.raises(ValueError, match="too long"):
        FieldSchema("x", (Field("eligibilite", Kind.TEXT, "Trop long"),))


def test_records_follow_the_schema_order_and_refuse_unknown_fields():
    record = ZONE_FIELDS.record({"nom": "Zone", "zone_id": 1})
    assert list(record) == ZONE_FIELDS.names and record["categorie"] is None
    with pytest.raises(KeyError, match="name"):
        ZONE_FIELDS.record({"name": "Zone"})


def test_json_properties_write_dates_as_iso_8601():
    props = ZONE_FIELDS.json_properties({"debut": date(2026, 11, 15), "approx": False})
    assert props["debut"] == "2026-11-15" and props["approx"] is False


def test_csvt_and_json_schema_types():
    assert ELIGIBLE_COMMUNE_FIELDS.csvt() == (
        '"String","String","Integer","String","String","String","Integer","Real",'
        '"Integer(Boolean)","String"\r\n'
    )
    schema = ZONE_FIELDS.json_schema("zones", ["debut", "population"])
    assert schema["properties"] == {
        "debut": {"type": "string", "format": "date", "title": ZONE_FIELDS["debut"].description_fr},
        "population": {"type": "integer", "title": "Population municipale de la zone"},
    }
