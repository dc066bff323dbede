"""Zoning decrees, their zones, the communes they cover, and the category table.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from cesp.storage.ddl import add_geometry_column, drop_spatial_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SROS = (
    "Art. L.1434-7 CSP (loi n°2009-879 du 21 juillet 2009) et arrêté du 21 décembre 2011 : "
    "zones déficitaires du volet ambulatoire du SROS ; ouvrent le CESP (art. L.632-6 du code "
    "de l'éducation, décret n°2010-735 du 29 juin 2010)"
)
MEDECIN_2017 = (
    "Arrêté du 13 novembre 2017 (méthodologie médecins, 1° de l'art. L.1434-4 CSP) : zones "
    "d'intervention prioritaire (ZIP) et zones d'action complémentaire (ZAC), éligibles aux "
    "aides de l'art. L.632-6 du code de l'éducation"
)
DENTISTE_2024 = (
    "Arrêté du 20 mars 2024 (méthodologie chirurgiens-dentistes, 1° de l'art. L.1434-4 CSP), "
    "annexe I : zones très sous dotées et sous dotées, éligibles aux aides de l'art. L.632-6 "
    "du code de l'éducation"
)
NOT_CESP = "Catégorie de zonage n'ouvrant pas les aides de l'art. L.632-6 du code de l'éducation"
NEW_PROFESSIONS = (
    "Décret n°2026-4 (CESP ouvert aux sages-femmes et pharmaciens pour les contrats demandés à "
    "compter du 16 janvier 2026) ; zones sous-dotées du zonage de la profession "
    "(1° de l'art. L.1434-4 CSP). À confirmer par l'administration avant usage."
)

CATEGORIES = [
    # profession, method, code, label, qualifies, legal basis, aliases
    (
        "medecin",
        "sros_2012",
        "zone_deficitaire",
        "Zone déficitaire",
        True,
        SROS,
        "zone deficitaire|deficitaire|zd",
    ),
    (
        "medecin",
        "arrete_2017",
        "ZIP",
        "Zone d'intervention prioritaire",
        True,
        MEDECIN_2017,
        "zip|zone d intervention prioritaire",
    ),
    (
        "medecin",
        "arrete_2017",
        "ZAC",
        "Zone d'action complémentaire",
        True,
        MEDECIN_2017,
        "zac|zone d action complementaire",
    ),
    ("medecin", "arrete_2017", "ZV", "Zone de vigilance", False, NOT_CESP, "zv|zone de vigilance"),
    (
        "chirurgien-dentiste",
        "arrete_2024",
        "tres_sous_dotee",
        "Zone très sous dotée",
        True,
        DENTISTE_2024,
        "tres sous dotee|tres sous-dotee|tsd",
    ),
    (
        "chirurgien-dentiste",
        "arrete_2024",
        "sous_dotee",
        "Zone sous dotée",
        True,
        DENTISTE_2024,
        "sous dotee|sous-dotee|sd",
    ),
    (
        "chirurgien-dentiste",
        "arrete_2024",
        "intermediaire",
        "Zone intermédiaire",
        False,
        NOT_CESP,
        "intermediaire",
    ),
    (
        "chirurgien-dentiste",
        "arrete_2024",
        "tres_dotee",
        "Zone très dotée",
        False,
        NOT_CESP,
        "tres dotee",
    ),
    (
        "chirurgien-dentiste",
        "arrete_2024",
        "sur_dotee",
        "Zone sur dotée",
        False,
        NOT_CESP,
        "sur dotee|surdotee",
    ),
    (
        "sage-femme",
        "decret_2026",
        "tres_sous_dotee",
        "Zone très sous dotée",
        True,
        NEW_PROFESSIONS,
        "tres sous dotee|tres sous-dotee|tsd",
    ),
    (
        "sage-femme",
        "decret_2026",
        "sous_dotee",
        "Zone sous dotée",
        True,
        NEW_PROFESSIONS,
        "sous dotee|sous-dotee|sd",
    ),
    (
        "pharmacien",
        "decret_2026",
        "tres_sous_dotee",
        "Zone très sous dotée",
        True,
        NEW_PROFESSIONS,
        "tres sous dotee|tres sous-dotee|tsd|territoire fragile",
    ),
    (
        "pharmacien",
        "decret_2026",
        "sous_dotee",
        "Zone sous dotée",
        True,
        NEW_PROFESSIONS,
        "sous dotee|sous-dotee|sd",
    ),
]


def upgrade() -> None:
    categories = op.create_table(
        "zone_categories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profession", sa.String(32), nullable=False),
        sa.Column("zoning_method", sa.String(32), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("qualifies_for_cesp", sa.Boolean, nullable=False),
        sa.Column("legal_basis", sa.Text, nullable=False),
        sa.Column("aliases", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("profession", "zoning_method", "code"),
    )
    op.bulk_insert(
        categories,
        [
            {
                "profession": p,
                "zoning_method": m,
                "code": c,
                "label": label,
                "qualifies_for_cesp": q,
                "legal_basis": basis,
                "aliases": aliases,
            }
            for p, m, c, label, q, basis, aliases in CATEGORIES
        ],
    )
    op.create_table(
        "decrees",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("region_code", sa.String(3), sa.ForeignKey("regions.code"), nullable=False),
        sa.Column("reference", sa.String(60), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("signed", sa.Date, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("effective_to", sa.Date),
        sa.Column("profession", sa.String(32), nullable=False),
        sa.Column("zoning_method", sa.String(32), nullable=False),
        sa.Column("source_filename", sa.Text, nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("source_format", sa.String(16), nullable=False),
        sa.Column("imported_by", sa.String(120), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("superseded_by", sa.Integer, sa.ForeignKey("decrees.id")),
        sa.Column("notes", sa.Text),
        sa.CheckConstraint("status IN ('draft', 'published', 'superseded')", name="status"),
        sa.CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="period"),
    )
    op.create_index("ix_decrees_lookup", "decrees", ["region_code", "profession", "status"])
    op.create_table(
        "zones",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("decree_id", sa.Integer, sa.ForeignKey("decrees.id"), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("built_from", sa.String(16), nullable=False),
        sa.Column("population", sa.Integer),
        sa.Column("approximate", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("approximate_reason", sa.Text),
        sa.Column("source_rows", sa.Text),
    )
    add_geometry_column("zones")
    op.create_table(
        "zone_communes",
        sa.Column("zone_id", sa.Integer, sa.ForeignKey("zones.id"), primary_key=True),
        sa.Column("commune_code", sa.String(5), primary_key=True),
        sa.Column("commune_name", sa.String(120), nullable=False),
        sa.Column("population", sa.Integer),
        sa.Column("coverage", sa.Float, nullable=False),
        sa.Column("approximate", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_zone_communes_code", "zone_communes", ["commune_code"])


def downgrade() -> None:
    op.drop_table("zone_communes")
    drop_spatial_table("zones")
    op.drop_table("decrees")
    op.drop_table("zone_categories")
