"""When a rupture owes nothing, or less: a fulfilled engagement, a lost zone.

- Fulfilled engagement: code de l'éducation, art. L.632-6 (loi n°2009-879 du 21 juillet
  2009, art. 46): the engagement lasts as long as the allowance was paid, at least two
  years; once those months are served the contract has been honoured and nothing is due.
- Zone that stops qualifying: décret n°2010-735 du 29 juin 2010, art. 5, as amended by
  décret n°2013-734 du 14 août 2013 (from 16 August 2013): no penalty is due when the
  zone of the professional project, unchanged for at least three years, stops
  qualifying (the net allowances are still repaid); code de l'éducation, art.
  R.631-24-17 (from 29 May 2020, with the other articles of the section): the rupture
  rules do not apply at all in that case. Before 16 August 2013 there is no such release.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cesp.engagement.calendar import months_elapsed

ZONE_LOSS_2013_FROM = date(2013, 8, 16)
ZONE_LOSS_2020_FROM = date(2020, 5, 29)
ZONE_UNCHANGED_MONTHS = 36


@dataclass(frozen=True)
class Release:
    """A rule that waives all or part of the sum due."""

    key: str
    waives_allowances: bool
    text: str
    text_fr: str


FULFILLED = Release(
    "l632-6-engagement-accompli",
    True,
    "code de l'éducation, art. L.632-6: the engagement has been served in full",
    "code de l'éducation, art. L.632-6 : engagement accompli, rien n'est dû",
)
ZONE_LOSS_2013 = Release(
    "decret-2010-735-art5-v2013-perte-de-zone",
    False,
    "décret n°2010-735 art. 5 as amended by décret n°2013-734 (from 2013-08-16): the zone "
    "of the professional project, unchanged for three years, stopped qualifying: no penalty",
    "décret n°2010-735, art. 5, modifié par le décret n°2013-734 (depuis le 16/08/2013) : "
    "la zone du projet professionnel, inchangée depuis trois ans, a cessé d'être éligible ; "
    "aucune pénalité n'est due",
)
ZONE_LOSS_2020 = Release(
    "r631-24-17-perte-de-zone",
    True,
    "code de l'éducation, art. R.631-24-17 (from 2020-05-29): the zone of the professional "
    "project, unchanged for three years, stopped qualifying: the rupture rules do not apply",
    "code de l'éducation, art. R.631-24-17 (depuis le 29/05/2020) : la zone du projet "
    "professionnel, inchangée depuis trois ans, a cessé d'être éligible ; les règles de "
    "rupture ne s'appliquent pas",
)


def fulfilled_release(engagement_months: int, months_served: float | None) -> Release | None:
    """``FULFILLED`` once the months owed are served (L.632-6), else ``None``."""
    if months_served is not None and months_served >= engagement_months:
        return FULFILLED
    return None


def zone_loss_release(
    rupture_on: date, zone_since: date | None, zone_lost_on: date | None
) -> Release | None:
    """The release for a zone that stopped qualifying, in force on ``rupture_on``.

    ``zone_since``: since when the zone of the professional project qualified unchanged;
    ``zone_lost_on``: the day it stopped qualifying. The zone must have been unchanged
    for at least three years when it was lost, and lost on or before the rupture.
    Décret n°2010-735 art. 5 (as amended by décret n°2013-734) from 2013-08-16;
    code de l'éducation art. R.631-24-17 from 2020-05-29.
    """
    if zone_since is None or zone_lost_on is None or zone_lost_on > rupture_on:
        return None
    if zone_lost_on < zone_since or months_elapsed(zone_since, zone_lost_on) < 36:
        return None
    if rupture_on >= ZONE_LOSS_2020_FROM:
        return ZONE_LOSS_2020
    if rupture_on >= ZONE_LOSS_2013_FROM:
        return ZONE_LOSS_2013
    return None
