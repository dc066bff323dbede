"""Publishing a draft decree: it comes into force and closes what it supersedes.

Decrees are never deleted or edited in place (``cesp.zones.decrees``). The one change a
decree row ever sees is its closing: publishing a newer decree for the same region and
profession sets the previous one's ``effective_to`` to the day before the new one takes
effect, its status to ``superseded`` and ``superseded_by`` to the new decree.

A complementary decree closes nothing and stays in force with its principal; it ends
when its principal does, unless the publisher of the new principal re-attaches it
(``keep_complementary``), the one other change a decree row may see, audited.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from cesp.audit import Actor, record
from cesp.errors import InvalidInputError
from cesp.storage.versioning import bump_index_version
from cesp.zones.decree_record import STATUS_FR
from cesp.zones.decrees import Decree, get_decree, list_decrees
from cesp.zones.tables import decrees


def _close(conn: sa.Connection, previous: Decree, by: Decree, closing: date) -> Decree:
    conn.execute(
        sa.update(decrees)
        .where(decrees.c.id == previous.id)
        .values(effective_to=closing, status="superseded", superseded_by=by.id)
    )
    return get_decree(conn, previous.id)


def _reattach(conn: sa.Connection, attached: list[Decree], to: Decree, actor: Actor) -> None:
    """Complementary decrees now amend ``to`` (they stay in force with it)."""
    for d in attached:
        conn.execute(sa.update(decrees).where(decrees.c.id == d.id).values(complements=to.id))
        record(
            conn,
            actor,
            "decree.reattach",
            "decree",
            d.id,
            f"complementary decree {d.reference} now amends decree {to.reference} "
            f"(was {d.complements})",
            region=d.region_code,
            file_sha256=d.source_sha256,
        )


def _publish_complementary(conn: sa.Connection, decree: Decree) -> None:
    """A complementary decree is published beside its principal, which must be in force."""
    principal = get_decree(conn, decree.complements or 0)
    if principal.status != "published" or (
        principal.effective_to is not None and principal.effective_to < decree.effective_from
    ):
        raise InvalidInputError(
            f"decree {decree.reference} is complementary to decree {principal.reference}, which "
            f"is {principal.status} (until {principal.effective_to}): import it as "
            "complementary to the decree in force",
            message_fr=(
                f"L'arrêté {decree.reference} complète l'arrêté {principal.reference}, qui n'est "
                "plus en vigueur : importez-le comme complémentaire de l'arrêté en vigueur."
            ),
            field="complementary",
        )


def publish_decree(
    conn: sa.Connection, decree_id: int, actor: Actor, *, keep_complementary: bool = False
) -> tuple[Decree, list[Decree]]:
    """Publish a draft; close the decree(s) it supersedes. Returns (decree, superseded).

    A complementary decree closes nothing (see the module docstring); a principal decree
    closes the principal in force and the complementary decrees attached to it, or with
    ``keep_complementary`` attaches those to itself (they stay in force).

    Raises ``InvalidInputError`` when the decree is not a draft, when a published
    decree of the same region and profession starts on or after this one (publishing an
    older decree over a newer one would rewrite history), or when a complementary
    decree's principal is no longer in force.
    """
    decree = get_decree(conn, decree_id)
    if decree.status != "draft":
        raise InvalidInputError(
            f"decree {decree_id} is {decree.status}, only a draft can be published",
            message_fr=f"L'arrêté {decree.reference} est déjà "
            f"{STATUS_FR.get(decree.status, decree.status)} : seul un projet se publie.",
            field="status",
        )
    published = [
        d
        for d in list_decrees(conn, region=decree.region_code, profession=decree.profession)
        if d.status == "published" and d.id != decree.id
    ]
    current = [d for d in published if not d.complementary]
    later = [d for d in current if d.effective_from >= decree.effective_from]
    if decree.complementary:
        _publish_complementary(conn, decree)
        current, later = [], []
    if later:
        raise InvalidInputError(
            f"decree {later[0].reference} (from {later[0].effective_from}) is already "
            f"published for region {decree.region_code}; a decree taking effect on "
            f"{decree.effective_from} cannot be published over it",
            message_fr=(
                f"L'arrêté {later[0].reference} en vigueur à partir du "
                f"{later[0].effective_from.strftime('%d/%m/%Y')} est plus récent."
            ),
            field="effective_from",
        )
    closing = decree.effective_from - timedelta(days=1)
    superseded = []
    for previous in current:
        if previous.effective_to is not None and previous.effective_to < decree.effective_from:
            continue
        attached = [d for d in published if d.complements == previous.id]
        if keep_complementary:
            _reattach(conn, attached, decree, actor)
            attached = []
        for complement in attached:
            if complement.effective_from > closing:
                raise InvalidInputError(
                    f"complementary decree {complement.reference} takes effect on "
                    f"{complement.effective_from}, on or after {decree.effective_from}: it "
                    f"amends decree {previous.reference}, which this decree supersedes",
                    message_fr=(
                        f"L'arrêté complémentaire {complement.reference} prend effet après "
                        f"cet arrêté ; il complète l'arrêté {previous.reference} remplacé."
                    ),
                    field="effective_from",
                )
        superseded.append(_close(conn, previous, decree, closing))
        superseded += [_close(conn, c, decree, closing) for c in attached]
    conn.execute(
        sa.update(decrees)
        .where(decrees.c.id == decree.id)
        .values(status="published", published_at=datetime.now(UTC))
    )
    bump_index_version(conn)
    closed = ", ".join(f"{d.reference} closed on {d.effective_to}" for d in superseded)
    record(
        conn,
        actor,
        "decree.publish",
        "decree",
        decree.id,
        f"decree {decree.reference} published, in force from {decree.effective_from}"
        + (f"; complements decree {decree.complements}" if decree.complementary else "")
        + (f"; supersedes {closed}" if closed else ""),
        region=decree.region_code,
        file_sha256=decree.source_sha256,
    )
    return get_decree(conn, decree.id), superseded
