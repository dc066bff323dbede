"""A post as the exports and the OGC layer describe it (``cesp.field_schema.POST_FIELDS``).

One function, so that the national list's spreadsheet and the ``posts`` layer carry the
same names and the same French values (``libéral``, ``ouvert``...): a QGIS style made on
one applies to the other.
"""

from __future__ import annotations

from typing import Any

from cesp.field_schema import POST_FIELDS
from cesp.posts.model import MODE_LABELS_FR, Post, PostStatus, PracticeMode

STATUS_LABELS_FR = {
    PostStatus.OPEN: "ouvert",
    PostStatus.FILLED: "pourvu",
    PostStatus.WITHDRAWN: "retiré",
}
STATUS_BY_LABEL = {label: status for status, label in STATUS_LABELS_FR.items()} | {
    "retire": PostStatus.WITHDRAWN
}


def post_record(post: Post) -> dict[str, Any]:
    """The ``POST_FIELDS`` record of a stored post."""
    return POST_FIELDS.record(
        {
            "poste_id": post.id,
            "campagne": post.campaign,
            "reference": post.reference,
            "type_poste": post.kind,
            "insee_reg": post.region,
            "insee_dep": post.departement,
            "profession": post.profession,
            "specialite": post.specialty,
            "mode": MODE_LABELS_FR[PracticeMode(post.mode)],
            "structure": post.structure,
            "adresse": post.address,
            "insee_com": post.commune_code,
            "nom_com": post.commune_name,
            "lon": post.lon,
            "lat": post.lat,
            "places": post.places,
            "restantes": post.places_left,
            "statut": STATUS_LABELS_FR[PostStatus(post.status)],
            "inscrit_le": post.listed_on,
            "exemple": bool(post.sample),
        }
    )
