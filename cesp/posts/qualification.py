"""Does a post's site still qualify? In zone, kept by the three-year rule, or out of zone.

Code de l'éducation, art. L.632-6 (as amended by loi n°2019-774 du 24 juillet 2019): the
practice sites of the national list lie in a zone where care is lacking, and a site
that lay in such a zone at some date in the three years before the list's publication
may stay on it.

That three-year rule exists only from the law that wrote it: loi n°2019-774 was
published in the JORF n°0172 du 26 juillet 2019 (legifrance.gouv.fr, JORFTEXT000038821260)
and, fixing no other date for this article, is in force from the next day, 27 July 2019
(code civil, art. 1er). The CESP article it amended is its art. 8 (the décret n°2020-268
du 17 mars 2020 is "pour l'application de l'article 8 de la loi n° 2019-774", notice
quoted by appa-asso.org). The wording of art. 8 itself was not found here: the rule is
applied as this module has read it, and before 27 July 2019 a site out of zone on the
date asked does not qualify (no grace), the label saying why.

The answer is derived from the zoning history, never stored: a decree
that takes a zone away changes the answer of every post in it from its effective date,
and the post shows "hors zone depuis le <date>" instead of disappearing.

Eligibility is piecewise constant between the dates on which a decree of the profession
starts or ends, so a site's history is known by checking it on those dates only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from cesp.eligibility.check import evaluate_points
from cesp.eligibility.zoning_index import ZoningIndex

GRACE_YEARS = 3
GRACE_FROM = date(2019, 7, 27)
GRACE_TEXT_FR = (
    "code de l'éducation, art. L.632-6, modifié par la loi n°2019-774 du 24 juillet 2019"
)


def grace_applies_on(on: date) -> bool:
    """Whether the three-year rule is in force for a list published on ``on`` (from
    27 July 2019, the day after loi n°2019-774 was published; see the module)."""
    return on >= GRACE_FROM


@dataclass(frozen=True)
class Qualification:
    """Where a post's site stands on a date."""

    status: str  # "in_zone", "grandfathered" or "out_of_zone"
    on: date
    eligibility: str
    out_of_zone_since: date | None
    last_in_zone: date | None

    @property
    def qualifies(self) -> bool:
        """In zone, or kept by the three-year rule."""
        return self.status != "out_of_zone"

    @property
    def kept_until(self) -> date | None:
        """Last day a site kept by the three-year rule still qualifies (None otherwise):
        three years after its last day in a zone (art. L.632-6, as read in
        ``qualify_sites``: in zone at some date in the three years before)."""
        if self.status != "grandfathered" or self.last_in_zone is None:
            return None
        return years_after(self.last_in_zone, GRACE_YEARS)

    @property
    def label_fr(self) -> str:
        """What the list shows."""
        if self.status == "in_zone":
            return "En zone déficitaire"
        since = f" depuis le {self.out_of_zone_since:%d/%m/%Y}" if self.out_of_zone_since else ""
        if self.status == "grandfathered":
            until = f" jusqu'au {self.kept_until:%d/%m/%Y}" if self.kept_until else ""
            return (
                f"Hors zone{since}, maintenu{until} : en zone au cours des trois années "
                f"précédentes ({GRACE_TEXT_FR})"
            )
        if self.out_of_zone_since is None:
            return "Hors zone : le site n'a été dans aucune zone déficitaire connue"
        if self.before_grace:
            return (
                f"Hors zone{since} ; pas de maintien : la règle des trois ans ({GRACE_TEXT_FR}) "
                f"ne s'applique qu'à partir du {GRACE_FROM:%d/%m/%Y}"
            )
        return f"Hors zone{since}"

    @property
    def before_grace(self) -> bool:
        """Out of zone on a date before the three-year rule existed, having left a zone
        less than three years before (the rule would have kept it from 2019-07-27)."""
        return (
            self.status == "out_of_zone"
            and not grace_applies_on(self.on)
            and self.last_in_zone is not None
            and self.last_in_zone >= years_before(self.on, GRACE_YEARS)
        )

    @property
    def refusal_fr(self) -> str:
        """Why an out-of-zone site cannot be put on a list published on ``on``, after
        ``label_fr`` (empty when the label already says it: before the rule existed)."""
        if self.before_grace:
            return ""
        return (
            "et ne l'a pas été au cours des trois années précédentes "
            "(code de l'éducation, art. L.632-6)"
        )


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February); the
    first representable day when that is before it (a query dated 0002-01-01).

    >>> years_before(date(2028, 2, 29), 3), years_before(date(2, 1, 1), 3)
    (datetime.date(2025, 2, 28), datetime.date(1, 1, 1))
    """
    if day.year - years < date.min.year:
        return date.min
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def years_after(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February); the last
    representable day when that is past it (a query dated 9999-12-31).

    >>> years_after(date(2024, 2, 29), 3), years_after(date(9998, 6, 1), 3)
    (datetime.date(2027, 2, 28), datetime.date(9999, 12, 31))
    """
    if day.year + years > date.max.year:
        return date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def change_dates(index: ZoningIndex, profession: str, on: date) -> list[date]:
    """The days, up to ``on``, on which a decree of the profession starts or ends."""
    days = {on}
    for decree in index.decrees.values():
        if decree.profession != profession:
            continue
        days.add(decree.effective_from)
        if decree.effective_to is not None:
            days.add(decree.effective_to + timedelta(days=1))
    return sorted(d for d in days if d <= on)


def qualify_sites(
    index: ZoningIndex,
    lon: list[float],
    lat: list[float],
    profession: list[str],
    on: date,
) -> list[Qualification]:
    """The qualification of many sites on one date, from the zoning history in ``index``.

    A site out of zone on ``on`` is ``grandfathered`` when it was in a zone in the three
    years before and ``on`` is on or after 27 July 2019 (``grace_applies_on``; loi
    n°2019-774, see the module); before that day it is ``out_of_zone``.
    """
    result: list[Qualification | None] = [None] * len(lon)
    for prof in sorted(set(profession)):
        members = [i for i, p in enumerate(profession) if p == prof]
        days = change_dates(index, prof, on)
        n, k = len(members), len(days)
        answers = evaluate_points(
            index,
            np.repeat(np.array([lon[i] for i in members], dtype=float), k),
            np.repeat(np.array([lat[i] for i in members], dtype=float), k),
            np.tile(np.array([d.toordinal() for d in days], dtype=np.int64), n),
            np.full(n * k, prof, dtype=object),
        )
        eligible = answers.eligible.reshape(n, k)
        status = answers.status.reshape(n, k)
        grace_start = years_before(on, GRACE_YEARS)
        for row, i in enumerate(members):
            history = eligible[row]
            if history[-1]:
                result[i] = Qualification("in_zone", on, str(status[row, -1]), None, None)
                continue
            was = np.flatnonzero(history)
            if not len(was):
                result[i] = Qualification("out_of_zone", on, str(status[row, -1]), None, None)
                continue
            left = days[int(was[-1]) + 1]
            last = left - timedelta(days=1)
            kept = (
                "grandfathered" if grace_applies_on(on) and last >= grace_start else "out_of_zone"
            )
            result[i] = Qualification(kept, on, str(status[row, -1]), left, last)
    return [q for q in result if q is not None]
