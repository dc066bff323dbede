"""The whole five-level zoning of midwives and pharmacists, and the masculine spellings.

Revision ID: 0010_doted_categories
Revises: 0009_tvs_reference

The ministry's Zonage_ARS export writes the levels of the « dotation » zonings as
« Très sous-doté », « Sous-doté », « Intermédiaire », « Très doté », « Sur-doté »
(masculine: the « territoire »); 0002 knew the feminine spellings only, and for
midwives and pharmacists only the two levels that open the CESP, so such a file was
refused row by row. The three other levels are added as categories that do not open
the CESP (décret n°2026-4 opens it in the under-served zones only: « zones sous-dotées
du zonage de la profession », 1° de l'art. L.1434-4 CSP).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_doted_categories"
down_revision = "0009_tvs_reference"
branch_labels = None
depends_on = None

NOT_CESP = "Catégorie de zonage n'ouvrant pas les aides de l'art. L.632-6 du code de l'éducation"
MASCULINE = {
    "tres_sous_dotee": "tres sous dote|tres sous-dote",
    "sous_dotee": "sous dote|sous-dote",
    "intermediaire": "intermediaire",
    "tres_dotee": "tres dote",
    "sur_dotee": "sur dote|surdote|sur-dote",
}
NOT_OPENING = [
    ("intermediaire", "Zone intermédiaire", "intermediaire"),
    ("tres_dotee", "Zone très dotée", "tres dotee"),
    ("sur_dotee", "Zone sur dotée", "sur dotee|surdotee"),
]
NEW_PROFESSIONS = ("sage-femme", "pharmacien")
DOTED = ("chirurgien-dentiste", *NEW_PROFESSIONS)

categories = sa.table(
    "zone_categories",
    sa.column("profession", sa.String),
    sa.column("zoning_method", sa.String),
    sa.column("code", sa.String),
    sa.column("label", sa.String),
    sa.column("qualifies_for_cesp", sa.Boolean),
    sa.column("legal_basis", sa.Text),
    sa.column("aliases", sa.Text),
)


def upgrade() -> None:
    op.bulk_insert(
        categories,
        [
            {
                "profession": profession,
                "zoning_method": "decret_2026",
                "code": code,
                "label": label,
                "qualifies_for_cesp": False,
                "legal_basis": NOT_CESP,
                "aliases": aliases,
            }
            for profession in NEW_PROFESSIONS
            for code, label, aliases in NOT_OPENING
        ],
    )
    connection = op.get_bind()
    for code, spellings in MASCULINE.items():
        rows = connection.execute(
            sa.select(categories.c.profession, categories.c.code, categories.c.aliases).where(
                categories.c.code == code, categories.c.profession.in_(DOTED)
            )
        ).all()
        for row in rows:
            known = [a for a in (row.aliases or "").split("|") if a]
            added = [s for s in spellings.split("|") if s not in known]
            connection.execute(
                categories.update()
                .where(categories.c.profession == row.profession, categories.c.code == row.code)
                .values(aliases="|".join([*known, *added]))
            )


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(
        categories.delete().where(
            categories.c.profession.in_(NEW_PROFESSIONS),
            categories.c.zoning_method == "decret_2026",
            categories.c.code.in_([code for code, _, _ in NOT_OPENING]),
        )
    )
    for code, spellings in MASCULINE.items():
        for row in connection.execute(
            sa.select(categories.c.profession, categories.c.code, categories.c.aliases).where(
                categories.c.code == code, categories.c.profession.in_(DOTED)
            )
        ).all():
            kept = [a for a in (row.aliases or "").split("|") if a not in spellings.split("|")]
            connection.execute(
                categories.update()
                .where(categories.c.profession == row.profession, categories.c.code == row.code)
                .values(aliases="|".join(kept))
            )
