"""Who may do what: the role table, in one place, as pure functions.

- anonymous: read zones, decrees, communes, posts, eligibility, map;
- ``intern``: make their own choice of post;
- ``ars``: import and publish decrees, propose posts, for its own region only;
- ``cng``: every region; relocation validation; campaigns; the audit log;
- ``admin``: everything.
"""

from __future__ import annotations

from cesp.audit import Actor
from cesp.errors import ForbiddenError, UnauthorizedError

ANONYMOUS = Actor("anonymous", "anonymous")

ACTIONS: dict[str, frozenset[str]] = {
    "decree.write": frozenset({"ars", "cng", "admin"}),
    "post.write": frozenset({"ars", "cng", "admin"}),
    "relocation.validate": frozenset({"cng", "admin"}),
    "relocation.read": frozenset({"cng", "admin"}),
    "campaign.manage": frozenset({"cng", "admin"}),
    "choice.make": frozenset({"intern", "cng", "admin"}),
    "beneficiary.read": frozenset({"intern", "cng", "admin"}),
    "beneficiary.write": frozenset({"cng", "admin"}),
    "audit.read": frozenset({"cng", "admin"}),
    "ledger.read": frozenset({"intern", "ars", "cng", "admin"}),
    "ledger.write": frozenset({"cng", "admin"}),
    "key.manage": frozenset({"admin"}),
}
REGION_BOUND = frozenset({"ars"})


def authorize(actor: Actor, action: str, region: str | None = None) -> None:
    """Raise ``UnauthorizedError`` (no key) or ``ForbiddenError`` (wrong role/region)."""
    allowed = ACTIONS[action]
    needed, needed_fr = " or ".join(sorted(allowed)), " ou ".join(sorted(allowed))
    if actor.role == "anonymous":
        raise UnauthorizedError(
            f"{action} needs an API key (Authorization: Bearer ...) with role {needed}",
            message_fr=f"Cette opération ({action}) demande une clé d'API (en-tête "
            f"Authorization: Bearer) de rôle {needed_fr}.",
        )
    if actor.role not in allowed:
        raise ForbiddenError(
            f"role {actor.role} may not {action}; needed: {needed}",
            message_fr=f"Le rôle {actor.role} ne permet pas cette opération ({action}) ; "
            f"rôle nécessaire : {needed_fr}.",
        )
    if actor.role in REGION_BOUND and region is not None and region != actor.region:
        raise ForbiddenError(
            f"key {actor.name!r} is limited to region {actor.region}, not {region}",
            message_fr=(
                f"Cette clé est limitée à la région {actor.region} ; la région {region} "
                "n'est pas la sienne."
            ),
            field="region",
        )
