"""Tables of the reference geography, written with SQLAlchemy Core on the shared
metadata: the COG (regions, départements, commune units and the load journal, migration
0001), the ANCT's QPV contours (0008_qpv_complementary) and the DREES's TVS
correspondence (0009_tvs_reference).

``commune_units`` holds a commune, a municipal arrondissement or a former state of a
commune. Current communes have ``valid_to`` NULL. A former state ends on ``valid_to``
(exclusive) and names its ``successor_codes``. ``geometry_code`` is the code whose
polygon the row carries: its own, or the absorbing/parent commune's when
``approximate`` is set (with ``approximate_reason`` and ``candidate_codes``).

``tvs_communes`` is the correspondence between territories of vie-santé (TVS, DREES) and
communes, as versioned reference data: each load is a vintage keyed by the date it is
valid from, and a decree by TVS expands with the vintage in force on its effective date
(``cesp.geo.tvs``).

Geometry columns are created by the migrations with the backend's own functions, their
spatial index with them (``cesp.storage.ddl``): hence ``spatial_index=False`` here.
"""

from __future__ import annotations

import sqlalchemy as sa
from geoalchemy2 import Geometry

from cesp.storage.base import metadata
from cesp.storage.types import UTCDateTime


def area() -> Geometry:
    """The type of an area column: WGS84 multipolygons, indexed by the migration."""
    return Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)


regions = sa.Table(
    "regions",
    metadata,
    sa.Column("code", sa.String(3), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("chef_lieu", sa.String(5)),
    sa.Column("geom", area()),
)

departements = sa.Table(
    "departements",
    metadata,
    sa.Column("code", sa.String(3), primary_key=True),
    sa.Column("region_code", sa.String(3), sa.ForeignKey("regions.code"), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("chef_lieu", sa.String(5)),
    sa.Column("geom", area()),
)

commune_units = sa.Table(
    "commune_units",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(5), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("name_key", sa.String(120), nullable=False, index=True),
    sa.Column("departement_code", sa.String(3), nullable=False, index=True),
    sa.Column("region_code", sa.String(3), nullable=False),
    sa.Column("parent_code", sa.String(5)),
    sa.Column("population", sa.Integer),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_to", sa.Date),
    sa.Column("successor_codes", sa.String(200)),
    sa.Column("end_event", sa.String(40)),
    sa.Column("geometry_code", sa.String(5)),
    sa.Column("approximate", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("approximate_reason", sa.Text),
    sa.Column("candidate_codes", sa.String(200)),
    sa.Column("geom", area()),
)

reference_loads = sa.Table(
    "reference_loads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("loaded_at", UTCDateTime, nullable=False),
    sa.Column("data_dir", sa.Text, nullable=False),
    sa.Column("departements", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("communes", sa.Integer, nullable=False),
    sa.Column("former_units", sa.Integer, nullable=False),
    sa.Column("approximate_units", sa.Integer, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
)

qpv_contours = sa.Table(
    "qpv_contours",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(12), nullable=False, unique=True),
    sa.Column("generation", sa.String(4), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("departement_code", sa.String(3), nullable=False),
    sa.Column("commune_codes", sa.String(400)),
    sa.Column("source_filename", sa.Text, nullable=False),
    sa.Column("loaded_at", UTCDateTime, nullable=False),
    sa.Column("geom", area()),
    sa.CheckConstraint("generation IN ('2015', '2024')", name="generation"),
)

tvs_communes = sa.Table(
    "tvs_communes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("tvs_code", sa.String(10), nullable=False),
    sa.Column("tvs_name", sa.String(120), nullable=False),
    sa.Column("commune_code", sa.String(5), nullable=False),
    sa.Column("commune_name", sa.String(120)),
    sa.Column("region_code", sa.String(3)),
    sa.Column("source_filename", sa.String(255), nullable=False),
    sa.Column("source_sha256", sa.String(64), nullable=False),
    sa.Column("loaded_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint(
        "valid_from", "commune_code", name="uq_tvs_communes_valid_from_commune_code"
    ),
    sa.Index("ix_tvs_communes_valid_from_tvs_code", "valid_from", "tvs_code"),
)
