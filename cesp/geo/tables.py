"""Tables of the geography package written with SQLAlchemy Core (migration
0009_tvs_reference); the COG tables of migration 0001 keep their models in
``cesp.geo.models``.

``tvs_communes`` is the correspondence between territories of vie-santé (TVS, DREES) and
communes, as versioned reference data: each load is a vintage keyed by the date it is
valid from, and a decree by TVS expands with the vintage in force on its effective date
(``cesp.geo.tvs``).
"""

from __future__ import annotations

import sqlalchemy as sa

from cesp.storage.base import Base

tvs_communes = sa.Table(
    "tvs_communes",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("tvs_code", sa.String(10), nullable=False),
    sa.Column("tvs_name", sa.String(120), nullable=False),
    sa.Column("commune_code", sa.String(5), nullable=False),
    sa.Column("commune_name", sa.String(120)),
    sa.Column("region_code", sa.String(3)),
    sa.Column("source_filename", sa.String(255), nullable=False),
    sa.Column("source_sha256", sa.String(64), nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint(
        "valid_from", "commune_code", name="uq_tvs_communes_valid_from_commune_code"
    ),
    sa.Index("ix_tvs_communes_valid_from_tvs_code", "valid_from", "tvs_code"),
)
