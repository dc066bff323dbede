"""Zoning as published: categories that skip rows, subtypes, the 2025 method, aliases.

Revision ID: 0006_zoning_layouts
Revises: 0005

``zone_categories`` gains ``keep_rows`` (False: rows of the category are not zones at
all, e.g. « Hors vivier », « Hors zonage »; the import skips and counts them) and
``parent_code`` (a subtype such as ``ZIP+`` of ``ZIP``). The spellings the ministry's
Zonage_ARS tool and C@rtoSanté write are added as aliases (numbered labels such as
``1_ZIP`` are matched by stripping the number, in code). Later aliases are rows' data,
added by ``cesp zones categories alias``: no migration per alias.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_zoning_layouts"
down_revision = "0005"
branch_labels = None
depends_on = None

MEDECIN_2017 = (
    "Arrêté du 13 novembre 2017 (méthodologie médecins, 1° de l'art. L.1434-4 CSP) : zones "
    "d'intervention prioritaire (ZIP) et zones d'action complémentaire (ZAC), éligibles aux "
    "aides de l'art. L.632-6 du code de l'éducation"
)
MEDECIN_2025 = (
    "Arrêté du 9 mai 2025 (méthodologie médecins, 1° de l'art. L.1434-4 CSP) : maille du "
    "territoire de vie-santé, chaque arrondissement de Paris, Lyon et Marseille étant un "
    "territoire ; zones d'intervention prioritaire (ZIP, dont ZIP+) et zones d'action "
    "complémentaire (ZAC) éligibles aux aides de l'art. L.632-6 du code de l'éducation ; "
    "les territoires hors zonage (HZ) ne le sont pas"
)
NOT_CESP = "Catégorie de zonage n'ouvrant pas les aides de l'art. L.632-6 du code de l'éducation"
NOT_ZONED = "Hors zonage : territoire non retenu par l'arrêté régional (aucune zone)"

# profession, method, code, label, qualifies, legal basis, aliases, keep_rows, parent
NEW = [
    (
        "medecin",
        "arrete_2017",
        "HV",
        "Hors vivier",
        False,
        NOT_ZONED,
        "hors vivier|hors zonage|hz|zone non prioritaire",
        False,
        None,
    ),
    (
        "medecin",
        "arrete_2025",
        "ZIP",
        "Zone d'intervention prioritaire",
        True,
        MEDECIN_2025,
        "zip|zone d intervention prioritaire",
        True,
        None,
    ),
    (
        "medecin",
        "arrete_2025",
        "ZIP+",
        "Zone d'intervention prioritaire (ZIP+)",
        True,
        MEDECIN_2025,
        "zip+|zip plus",
        True,
        "ZIP",
    ),
    (
        "medecin",
        "arrete_2025",
        "ZAC",
        "Zone d'action complémentaire",
        True,
        MEDECIN_2025,
        "zac|zone d action complementaire",
        True,
        None,
    ),
    (
        "medecin",
        "arrete_2025",
        "HZ",
        "Hors zonage",
        False,
        NOT_ZONED,
        "hz|hors zonage|hors vivier|zone non prioritaire",
        False,
        None,
    ),
]
ALIASES = {
    ("medecin", "arrete_2017", "ZIP"): "zip|zone d intervention prioritaire|zip+",
    ("medecin", "arrete_2017", "ZV"): "zv|zone de vigilance|vigilance",
    ("chirurgien-dentiste", "arrete_2024", "tres_sous_dotee"): (
        "tres sous dotee|tres sous-dotee|tsd|tres sous dote|zone tres sous dotee"
    ),
    ("chirurgien-dentiste", "arrete_2024", "sous_dotee"): ("sous dotee|sous-dotee|sd|sous dote"),
    ("chirurgien-dentiste", "arrete_2024", "intermediaire"): "intermediaire|zone intermediaire",
    ("chirurgien-dentiste", "arrete_2024", "tres_dotee"): "tres dotee|tres dote",
    ("chirurgien-dentiste", "arrete_2024", "sur_dotee"): (
        "sur dotee|surdotee|sur dote|zone non prioritaire|non prioritaire"
    ),
}
SUR_DOTEE = "Zone non prioritaire (anciennement « sur dotée »)"


def upgrade() -> None:
    with op.batch_alter_table("zone_categories") as batch:
        batch.add_column(
            sa.Column("keep_rows", sa.Boolean, nullable=False, server_default=sa.true())
        )
        batch.add_column(sa.Column("parent_code", sa.String(32), nullable=True))
    table = sa.table(
        "zone_categories",
        sa.column("profession", sa.String),
        sa.column("zoning_method", sa.String),
        sa.column("code", sa.String),
        sa.column("label", sa.String),
        sa.column("qualifies_for_cesp", sa.Boolean),
        sa.column("legal_basis", sa.Text),
        sa.column("aliases", sa.Text),
        sa.column("keep_rows", sa.Boolean),
        sa.column("parent_code", sa.String),
    )
    op.bulk_insert(
        table,
        [
            {
                "profession": p,
                "zoning_method": m,
                "code": c,
                "label": label,
                "qualifies_for_cesp": q,
                "legal_basis": basis,
                "aliases": aliases,
                "keep_rows": keep,
                "parent_code": parent,
            }
            for p, m, c, label, q, basis, aliases, keep, parent in NEW
        ],
    )
    for (p, m, c), aliases in ALIASES.items():
        op.execute(
            table.update()
            .where(table.c.profession == p, table.c.zoning_method == m, table.c.code == c)
            .values(aliases=aliases)
        )
    op.execute(
        table.update()
        .where(table.c.profession == "chirurgien-dentiste", table.c.code == "sur_dotee")
        .values(label=SUR_DOTEE)
    )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM zone_categories WHERE zoning_method = 'arrete_2025'"))
    op.execute(sa.text("DELETE FROM zone_categories WHERE code = 'HV'"))
    with op.batch_alter_table("zone_categories") as batch:
        batch.drop_column("parent_code")
        batch.drop_column("keep_rows")
