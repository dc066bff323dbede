"""The follow-up of one beneficiary to the end of the engagement, from the ledger.

Pure: the caller gives the practice periods, the suspensions and deferrals, and for each
month of practice whether the site lay in a qualifying zone (the eligibility engine,
``cesp.eligibility.evaluation.evaluate_points``, asked on the first day of the month). Rules:

- a month in a qualifying zone counts as service, pro rata of the time fraction
  (décret n°2026-4 for requests from 16 January 2026; before, no text was found and the
  same pro rata gives the longest engagement, said in a note: ``decree_2026``);
- suspensions and deferrals are not service; they push the end back;
- the engagement lasts as long as the allowance was paid, at least 24 months (L.632-6);
  once served, the status is ``fulfilled``;
- a site whose zone, qualifying unchanged for at least three years, stops qualifying:
  ``released`` (nothing left) under code de l'éducation R.631-24-17 (from 2020-05-29),
  whose release waives the whole sum; under décret n°2010-735 art. 5 (décret n°2013-734,
  2013-08-16 to 2020-05-28) only the penalty is waived and the allowances are still
  repaid (``Release.waives_allowances``, the rule ``assess_rupture`` applies), so the
  engagement is not lifted: the status is computed as without release, the rule is
  listed and a note says a rupture would owe the allowances without penalty;
- otherwise months out of zone do not count: practising out of every qualifying zone
  without release is ``in_default``, as is no practice at all after the diploma.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from cesp.engagement.calendar import add_months, months_elapsed
from cesp.engagement.decree_2026 import part_time_note_fr
from cesp.engagement.releases import ZONE_UNCHANGED_MONTHS, zone_loss_release


@dataclass(frozen=True)
class Period:
    """One practice period of the ledger (``ends_on`` ``None``: still going)."""

    id: int
    starts_on: date
    ends_on: date | None
    mode: str
    time_fraction: float
    lon: float
    lat: float
    insee: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Event:
    """A suspension or a deferral of ``months`` months from ``starts_on``."""

    id: int
    kind: str
    starts_on: date
    months: int
    note_fr: str | None = None


@dataclass(frozen=True)
class FollowUp:
    """Where a beneficiary stands on ``on``, with the rules that made it so."""

    on: date
    status: str
    engagement_months: int
    months_served: float
    months_left: float
    expected_end: date | None
    suspended_months: int
    deferral_months: int
    rules: tuple[str, ...]
    zone_lost_on: date | None
    notes_fr: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "on": self.on.isoformat(),
            "status": self.status,
            "engagement_months": self.engagement_months,
            "months_served": round(self.months_served, 2),
            "months_left": round(self.months_left, 2),
            "expected_end": None if self.expected_end is None else self.expected_end.isoformat(),
            "suspended_months": self.suspended_months,
            "deferral_months": self.deferral_months,
            "rules": list(self.rules),
            "zone_lost_on": None if self.zone_lost_on is None else self.zone_lost_on.isoformat(),
            "notes_fr": list(self.notes_fr),
        }


def penalty_only_note_fr(text_fr: str) -> str:
    """The note of a lost zone whose release waives the penalty only."""
    return (
        f"Perte de zone ({text_fr}) : une rupture ne coûterait aucune pénalité, mais les "
        "allocations perçues resteraient à rembourser ; l'engagement n'est pas levé."
    )


def history_months(period: Period, on: date) -> list[date]:
    """First days of the months to ask the engine about: the three years before the
    period (to know whether a lost zone was unchanged that long), then each month of the
    period begun by ``on``."""
    end = min(on, period.ends_on or on)
    count = months_elapsed(period.starts_on, end) + 1 if end >= period.starts_on else 0
    return [add_months(period.starts_on, k) for k in range(-ZONE_UNCHANGED_MONTHS, count)]


def follow_up(
    engagement_months: int,
    periods: Sequence[Period],
    events: Sequence[Event],
    qualifying: dict[int, list[bool]],
    on: date,
    *,
    practising_from: date | None = None,
) -> FollowUp:
    """The follow-up on ``on``; ``qualifying[period.id]`` answers ``history_months``.

    ``practising_from``: the diploma or first practice day, after which no period at all
    means the engagement is not being served (``in_default``).
    """
    served = 0.0
    rules: list[str] = []
    notes: list[str] = []
    released_on: date | None = None
    lost_on: date | None = None
    current: Period | None = None
    current_out = False
    for period in sorted(periods, key=lambda p: p.starts_on):
        days = history_months(period, on)
        answers = qualifying[period.id]
        if period.time_fraction < 1:
            note = part_time_note_fr(period.starts_on)
            if note and note not in notes:
                notes.append(note)
            rules.append("temps-partiel-prorata")
        running = 0
        for day, ok in zip(days, answers, strict=True):
            in_period = day >= period.starts_on
            if ok:
                running += 1
                if in_period:
                    served += period.time_fraction
                continue
            if in_period and lost_on is None and running >= 1:
                lost_on = day
                since = add_months(day, -running)
                release = zone_loss_release(on, since, day)
                if release is not None and release.waives_allowances:
                    released_on = day
                    rules.append(release.key)
                elif release is not None:
                    rules.append(release.key)
                    notes.append(penalty_only_note_fr(release.text_fr))
                else:
                    rules.append("hors-zone-non-compte")
            running = 0
        if period.starts_on <= on and (period.ends_on is None or period.ends_on >= on):
            current = period
            current_out = bool(answers) and not answers[-1]
    served = min(served, float(engagement_months))
    suspended = sum(e.months for e in events if e.kind == "suspension")
    deferred = sum(e.months for e in events if e.kind == "deferral")
    pending = sum(
        max(0, e.months - months_elapsed(e.starts_on, on)) if e.starts_on <= on else e.months
        for e in events
    )
    in_pause = any(e.starts_on <= on < add_months(e.starts_on, e.months) for e in events)
    left = max(0.0, engagement_months - served)
    expected: date | None = None
    if served >= engagement_months:
        status = "fulfilled"
        rules.append("l632-6-engagement-accompli")
    elif released_on is not None:
        status = "released"
    elif current is not None and not current_out:
        status = "practising"
        expected = add_months(on, math.ceil(left / current.time_fraction) + pending)
    elif in_pause:
        status = "practising" if periods else "studying"
    elif not periods and (practising_from is None or practising_from > on):
        status = "studying"
    else:
        status = "in_default"
    return FollowUp(
        on=on,
        status=status,
        engagement_months=engagement_months,
        months_served=served,
        months_left=0.0 if status in ("fulfilled", "released") else left,
        expected_end=expected,
        suspended_months=suspended,
        deferral_months=deferred,
        rules=tuple(dict.fromkeys(rules)),
        zone_lost_on=lost_on,
        notes_fr=tuple(notes),
    )
