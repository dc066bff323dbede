"""Tables of the reference geography (schema owned by migration 0001)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cesp.storage.base import Base


def _geometry() -> Geometry:
    # spatial_index=False: the migration creates the index itself, per backend.
    return Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)


class Region(Base):
    """A region (REG of the COG); ARS regions are these."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    chef_lieu: Mapped[str | None] = mapped_column(String(5))
    geom = mapped_column(_geometry(), nullable=True)


class Departement(Base):
    """A département (DEP of the COG)."""

    __tablename__ = "departements"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(3), ForeignKey("regions.code"))
    name: Mapped[str] = mapped_column(String(100))
    chef_lieu: Mapped[str | None] = mapped_column(String(5))
    geom = mapped_column(_geometry(), nullable=True)


class CommuneUnitRow(Base):
    """A commune, municipal arrondissement or former state of a commune.

    Current communes have ``valid_to`` NULL. A former state ends on ``valid_to``
    (exclusive) and names its ``successor_codes``. ``geometry_code`` is the code whose
    polygon the row carries: its own, or the absorbing/parent commune's when
    ``approximate`` is set (with ``approximate_reason`` and ``candidate_codes``).
    """

    __tablename__ = "commune_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(5), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), index=True)
    departement_code: Mapped[str] = mapped_column(String(3), index=True)
    region_code: Mapped[str] = mapped_column(String(3))
    parent_code: Mapped[str | None] = mapped_column(String(5))
    population: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    successor_codes: Mapped[str | None] = mapped_column(String(200))
    end_event: Mapped[str | None] = mapped_column(String(40))
    geometry_code: Mapped[str | None] = mapped_column(String(5))
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    approximate_reason: Mapped[str | None] = mapped_column(Text)
    candidate_codes: Mapped[str | None] = mapped_column(String(200))
    geom = mapped_column(_geometry(), nullable=True)


class ReferenceLoad(Base):
    """Journal of reference geography loads (what ``/healthz`` reports)."""

    __tablename__ = "reference_loads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data_dir: Mapped[str] = mapped_column(Text)
    departements: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    communes: Mapped[int] = mapped_column(Integer)
    former_units: Mapped[int] = mapped_column(Integer)
    approximate_units: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)


# Core table (migration 0008_qpv_complementary): the ANCT's QPV contours, one row per QPV.
qpv_contours = sa.Table(
    "qpv_contours",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(12), nullable=False, unique=True),
    sa.Column("generation", sa.String(4), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("departement_code", sa.String(3), nullable=False),
    sa.Column("commune_codes", sa.String(400)),
    sa.Column("source_filename", sa.Text, nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("geom", _geometry()),
    sa.CheckConstraint("generation IN ('2015', '2024')", name="generation"),
)
