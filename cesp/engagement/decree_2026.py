"""Décret n°2026-4: deferral, combining and part-time practice, for requests from
16 January 2026.

- a deferral (report) of the start of the engagement lasts at most one year;
- the CESP cannot be combined with a similar contract (another allowance paid against
  an engagement to practise);
- part-time practice, at least half-time, lengthens the engagement pro rata (full time:
  35 hours a week salaried, or 8 half-days a week liberal, counted over a quarter).

Before that date no text in the seeds measures part-time service; the ledger then counts
part-time months pro rata too, which gives the longest engagement (the maximum), and
says so.
"""

from __future__ import annotations

from datetime import date

from cesp.errors import InvalidInputError

DECREE_2026_FROM = date(2026, 1, 16)
MAX_DEFERRAL_MONTHS_2026 = 12
MIN_TIME_FRACTION_2026 = 0.5
FULL_TIME_HOURS = 35.0
FULL_TIME_HALF_DAYS = 8.0


def check_deferral(deferral_months: int, requested_on: date) -> None:
    """Refuse a deferral over one year for a contract requested from 16 January 2026
    (décret n°2026-4)."""
    if requested_on >= DECREE_2026_FROM and deferral_months > MAX_DEFERRAL_MONTHS_2026:
        raise InvalidInputError(
            f"deferral_months={deferral_months}: décret n°2026-4 allows at most "
            f"{MAX_DEFERRAL_MONTHS_2026} months for contracts requested from "
            f"{DECREE_2026_FROM.isoformat()}",
            message_fr=(
                f"Report de {deferral_months} mois : le décret n°2026-4 le limite à un an "
                f"pour les contrats demandés depuis le {DECREE_2026_FROM:%d/%m/%Y}."
            ),
            field="deferral_months",
        )


def check_not_combined(other_contract: bool, requested_on: date) -> None:
    """Refuse a CESP combined with a similar contract when requested from 16 January 2026
    (décret n°2026-4)."""
    if other_contract and requested_on >= DECREE_2026_FROM:
        raise InvalidInputError(
            "décret n°2026-4: a CESP cannot be combined with a similar contract",
            message_fr=(
                "Le décret n°2026-4 interdit le cumul du CESP avec un contrat de même nature "
                f"(contrats demandés depuis le {DECREE_2026_FROM:%d/%m/%Y})."
            ),
            field="other_contract",
        )


def time_fraction(
    *, hours_per_week: float | None = None, half_days_per_week: float | None = None
) -> float:
    """The share of full time: 35 h a week salaried or 8 half-days a week liberal
    (décret n°2026-4), capped at 1."""
    if hours_per_week is not None:
        return min(1.0, hours_per_week / FULL_TIME_HOURS)
    if half_days_per_week is not None:
        return min(1.0, half_days_per_week / FULL_TIME_HALF_DAYS)
    return 1.0


def served_months_part_time(months: float, fraction: float, on: date) -> float:
    """Months of service credited for ``months`` at ``fraction`` of full time, on ``on``.

    From 16 January 2026 (décret n°2026-4) part-time practice counts pro rata and must be
    at least half-time; before, no text is known and the same pro rata is applied.
    """
    if not 0 < fraction <= 1:
        raise InvalidInputError(
            f"time_fraction={fraction}: give a share of full time in (0, 1]",
            message_fr=f"Quotité de temps {fraction} : indiquez une part du temps plein "
            "comprise entre 0 (exclu) et 1.",
            field="time_fraction",
        )
    if on >= DECREE_2026_FROM and fraction < MIN_TIME_FRACTION_2026:
        raise InvalidInputError(
            f"time_fraction={fraction}: décret n°2026-4 requires at least half-time",
            message_fr=(
                f"Quotité {fraction:.0%} : le décret n°2026-4 exige au moins un mi-temps "
                f"depuis le {DECREE_2026_FROM:%d/%m/%Y}."
            ),
            field="time_fraction",
        )
    return months * fraction


def part_time_note_fr(on: date) -> str | None:
    """The caveat of part-time service counted before décret n°2026-4."""
    if on >= DECREE_2026_FROM:
        return None
    return (
        "Temps partiel avant le décret n°2026-4 : aucun texte trouvé sur sa prise en compte ; "
        "le service est compté au prorata, ce qui donne la durée d'engagement maximale."
    )
