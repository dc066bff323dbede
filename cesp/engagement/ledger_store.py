"""The ledger in the database: practice periods, suspensions and deferrals, and the
follow-up computed from them and the zone history.

Every write is audited in its transaction (``cesp.audit.record``). A site given by an
INSEE code is placed at its commune's representative point on the period's first day
(a commune only partly in a zone is then answered for that point: give coordinates for
such communes).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import shapely
import sqlalchemy as sa

from cesp.audit import Actor, record
from cesp.eligibility.evaluation import evaluate_points
from cesp.eligibility.sites import CommuneSite, PointSite
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.engagement.decree_2026 import served_months_part_time
from cesp.engagement.ledger import Event, FollowUp, Period, follow_up, history_months
from cesp.engagement.rules import EngagementTerms
from cesp.engagement.tables import engagement_events, practice_periods
from cesp.errors import InvalidInputError
from cesp.field_schema import LEDGER_FIELDS
from cesp.geo.communes import resolve_code, resolve_point
from cesp.posts.model import Beneficiary, PracticeMode, parse_choice
from cesp.spreadsheets import Dialect, csv_bytes, xlsx_bytes
from cesp.storage.spatial import wgs84_geometry
from cesp.zones.professions import Profession


def add_period(
    conn: sa.Connection,
    beneficiary: Beneficiary,
    site: PointSite | CommuneSite,
    starts_on: date,
    ends_on: date | None,
    mode: str,
    time_fraction: float,
    actor: Actor,
) -> int:
    """Append a practice period (inside the caller's transaction), audited."""
    mode = parse_choice(PracticeMode, mode, "mode", "Mode d'exercice").value
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInputError(
            f"ends_on {ends_on} is before starts_on {starts_on}",
            message_fr="La fin de la période précède son début.",
            field="ends_on",
        )
    # (0, 1], and at least half-time for contracts requested from 2026-01-16 (décret
    # n°2026-4).
    served_months_part_time(1.0, time_fraction, beneficiary.requested_on)
    if starts_on < beneficiary.signed_on:
        raise InvalidInputError(
            "a practice period cannot start before the signature of the contract",
            message_fr="Une période d'exercice ne peut précéder la signature du contrat.",
            field="starts_on",
        )
    insee, source = None, "point"
    if isinstance(site, CommuneSite):
        resolved = resolve_code(conn, site.insee, starts_on, with_geometry=True)
        geometry = resolved.unit.geometry
        assert geometry is not None, "resolve_code(with_geometry=True)"
        point = geometry.representative_point()
        lon, lat, insee, source = point.x, point.y, site.insee, "insee"
        region = resolved.unit.region_code
    else:
        lon, lat = site.lon, site.lat
        region = resolve_point(conn, lon, lat, starts_on).commune.region_code
    values = {
        "beneficiary_id": beneficiary.id,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "mode": mode,
        "time_fraction": float(time_fraction),
        "lon": float(lon),
        "lat": float(lat),
        "insee": insee,
        "region_code": region,
        "source": source,
        "created_at": datetime.now(UTC),
        "created_by": actor.name,
        "geom": wgs84_geometry(shapely.Point(lon, lat).wkb),
    }
    period_id = int(
        conn.execute(
            practice_periods.insert().values(**values).returning(practice_periods.c.id)
        ).scalar_one()
    )
    record(
        conn,
        actor,
        "ledger.period",
        "beneficiary",
        beneficiary.id,
        f"practice period {period_id} from {starts_on} ({mode}, {time_fraction:g})",
        region=region,
    )
    return period_id


def add_event(
    conn: sa.Connection,
    beneficiary: Beneficiary,
    kind: str,
    starts_on: date,
    months: int,
    note_fr: str | None,
    actor: Actor,
) -> int:
    """Append a suspension or a deferral (inside the caller's transaction), audited."""
    if kind not in ("suspension", "deferral"):
        raise InvalidInputError(
            f"kind={kind!r}: use suspension or deferral",
            message_fr="Type : suspension ou deferral (report).",
            field="kind",
        )
    if months < 1:
        raise InvalidInputError(
            "months must be 1 or more", message_fr="Durée en mois : 1 ou plus.", field="months"
        )
    event_id = int(
        conn.execute(
            engagement_events.insert()
            .values(
                beneficiary_id=beneficiary.id,
                kind=kind,
                starts_on=starts_on,
                months=months,
                note_fr=note_fr,
                created_at=datetime.now(UTC),
                created_by=actor.name,
            )
            .returning(engagement_events.c.id)
        ).scalar_one()
    )
    # The décret n°2026-4 limit on deferrals is checked on the whole of them.
    terms_of(conn, beneficiary)
    record(
        conn,
        actor,
        f"ledger.{kind}",
        "beneficiary",
        beneficiary.id,
        f"{kind} {event_id} of {months} months from {starts_on}",
    )
    return event_id


def periods_of(conn: sa.Connection, beneficiary_id: int) -> list[Period]:
    """The practice periods of a beneficiary, oldest first."""
    t = practice_periods.c
    rows = conn.execute(
        sa.select(practice_periods)
        .where(t.beneficiary_id == beneficiary_id)
        .order_by(t.starts_on, t.id)
    )
    return [_period(r) for r in rows]


def _period(r: sa.Row[Any]) -> Period:
    """A stored practice period as the domain value."""
    return Period(
        r.id,
        r.starts_on,
        r.ends_on,
        r.mode,
        r.time_fraction,
        r.lon,
        r.lat,
        r.insee,
        r.region_code,
    )


def events_of(conn: sa.Connection, beneficiary_id: int) -> list[Event]:
    """The suspensions and deferrals of a beneficiary, oldest first."""
    t = engagement_events.c
    rows = conn.execute(
        sa.select(engagement_events)
        .where(t.beneficiary_id == beneficiary_id)
        .order_by(t.starts_on, t.id)
    )
    return [Event(r.id, r.kind, r.starts_on, r.months, r.note_fr) for r in rows]


def terms_of(conn: sa.Connection, b: Beneficiary) -> EngagementTerms:
    """The contract terms of a beneficiary, suspensions and deferrals from the ledger."""
    events = events_of(conn, b.id)
    return EngagementTerms(
        signed_on=b.signed_on,
        months_paid=b.months_paid,
        profession=Profession(b.profession),
        requested_on=b.requested_on,
        suspended_months=b.suspended_months
        + sum(e.months for e in events if e.kind == "suspension"),
        deferral_months=b.deferral_months + sum(e.months for e in events if e.kind == "deferral"),
        des_obtained_on=b.des_obtained_on,
        practice_started_on=b.practice_started_on,
    )


def qualifying_history(
    index: ZoningIndex, periods: list[Period], profession: str, on: date
) -> dict[int, list[bool]]:
    """For each period, the engine's answer on the first day of each month asked."""
    days = [(p.id, p.lon, p.lat, d) for p in periods for d in history_months(p, on)]
    if not days:
        return {p.id: [] for p in periods}
    answers = evaluate_points(
        index,
        np.array([d[1] for d in days], dtype=float),
        np.array([d[2] for d in days], dtype=float),
        np.array([d[3].toordinal() for d in days], dtype=np.int64),
        np.full(len(days), profession, dtype=object),
    )
    result: dict[int, list[bool]] = {p.id: [] for p in periods}
    for (period_id, *_), ok in zip(days, answers.eligible, strict=True):
        result[period_id].append(bool(ok))
    return result


def follow_up_of(
    conn: sa.Connection, index: ZoningIndex, b: Beneficiary, on: date
) -> tuple[FollowUp, list[Period], list[Event]]:
    """The follow-up of ``b`` on ``on``, with the ledger it was computed from."""
    terms = terms_of(conn, b)
    periods, events = periods_of(conn, b.id), events_of(conn, b.id)
    history = qualifying_history(index, periods, b.profession, on)
    started = b.practice_started_on or b.des_obtained_on
    result = follow_up(
        terms.engagement_months, periods, events, history, on, practising_from=started
    )
    return result, periods, events


def ledger_records(periods: list[Period], events: list[Event]) -> list[dict[str, Any]]:
    """One ``LEDGER_FIELDS`` record per period, then per event."""
    rows: list[dict[str, Any]] = [
        {
            "type": "period",
            "id": p.id,
            "debut": p.starts_on,
            "fin": p.ends_on,
            "mode": p.mode,
            "quotite": p.time_fraction,
            "lon": p.lon,
            "lat": p.lat,
            "insee_com": p.insee,
            "insee_reg": p.region,
        }
        for p in periods
    ]
    rows += [
        {"type": e.kind, "id": e.id, "debut": e.starts_on, "mois": e.months, "note": e.note_fr}
        for e in events
    ]
    return rows


def ledger_csv(
    periods: list[Period], events: list[Event], dialect: Dialect = Dialect.DATAGOUV
) -> bytes:
    """The ledger as CSV in ``dialect`` (``cesp.spreadsheets``), one row per period or
    event, ``LEDGER_FIELDS`` names."""
    return csv_bytes(LEDGER_FIELDS, ledger_records(periods, events), dialect)


def ledger_xlsx(periods: list[Period], events: list[Event]) -> bytes:
    """The ledger as an XLSX workbook: sheet ``suivi`` (typed cells) and ``champs``."""
    return xlsx_bytes(LEDGER_FIELDS, ledger_records(periods, events), "suivi")


def periods_in_region(conn: sa.Connection, region: str, on: date) -> list[tuple[int, Period]]:
    """Practice periods of the region going on on ``on``: (beneficiary id, period)."""
    t = practice_periods.c
    rows = conn.execute(
        sa.select(practice_periods).where(
            t.region_code == region,
            t.starts_on <= on,
            sa.or_(t.ends_on.is_(None), t.ends_on >= on),
        )
    )
    return [(r.beneficiary_id, _period(r)) for r in rows]
