"""French sentences for interns and ARS staff, from one eligibility result."""

from __future__ import annotations

from cesp.eligibility.check import EligibilityResult, ZoneMatch
from cesp.eligibility.sites import PointSite
from cesp.zones.professions import closed_on_fr


def _zone_fr(zone: ZoneMatch) -> str:
    decree = zone.decree
    return (
        f"{zone.category_label} « {zone.name} » (arrêté {decree.reference} du "
        f"{decree.signed.strftime('%d/%m/%Y')})"
    )


def _which_part_fr(result: EligibilityResult) -> str:
    """Which part of a partial commune qualifies, when QPV zones decide it."""
    overriding = [z for z in result.zones if z.overrides]
    inside = [z for z in overriding if z.qualifies]
    outside = [z for z in overriding if not z.qualifies]
    text = ""
    if inside and not any(z.qualifies and not z.overrides for z in result.zones):
        names = ", ".join(f"« {z.name} » ({z.category_label})" for z in inside)
        text += f" Seul le quartier prioritaire {names} y ouvre le CESP."
    elif inside:
        names = ", ".join(f"« {z.name} » ({z.category_label})" for z in inside)
        text += f" Quartier prioritaire éligible : {names}."
    if outside:
        names = ", ".join(f"« {z.name} » ({z.category_label})" for z in outside)
        text += f" Le quartier prioritaire {names} n'ouvre pas le CESP."
    return text


def explain_fr(result: EligibilityResult) -> str:
    """One sentence saying whether the site qualifies, and why."""
    where = ""
    if result.commune is not None:
        where = f" à {result.commune.name}"
        if result.arrondissement is not None:
            where = f" à {result.arrondissement.name}"
    qualifying = [z for z in result.zones if z.qualifies]
    nearest = ""
    if result.nearest is not None and result.distance_m is not None:
        nearest = (
            f" Zone éligible la plus proche : {_zone_fr(result.nearest)}, à "
            f"{result.distance_m / 1000:.1f} km.".replace(".", ",", 1)
        )
    when = result.on_date.strftime("%d/%m/%Y")
    match result.status:
        case "eligible":
            text = f"Lieu éligible au CESP{where} au {when} : {_zone_fr(qualifying[0])}."
        case "borderline":
            side = "dans" if result.eligible else "hors de"
            text = (
                f"Lieu en limite de zone{where} : il se trouve {side} la zone, à moins de "
                f"{result.borderline_m:.0f} m de sa limite ; faites confirmer par l'ARS."
            )
            if qualifying:
                text += f" Zone : {_zone_fr(qualifying[0])}."
        case "partial" if isinstance(result.site, PointSite):
            names = ", ".join(_zone_fr(z) for z in qualifying)
            text = (
                f"Lieu peut-être en zone éligible{where} : {names} ne couvre qu'une partie de "
                "la commune, dont les contours du référentiel ne permettent pas de situer le "
                "lieu ; faites confirmer par l'ARS avant de vous engager."
            )
        case "partial":
            share = "" if result.coverage is None else f" ({result.coverage * 100:.0f} %)"
            of = f" {result.commune.name}" if result.commune is not None else ""
            text = (
                f"La commune{of} n'est qu'en partie en zone éligible{share} : indiquez "
                "l'adresse ou les coordonnées."
            ) + _which_part_fr(result)
        case "no_zoning":
            text = f"Aucun arrêté de zonage en vigueur au {when} pour cette région et profession."
            closed = closed_on_fr(result.profession, result.on_date)
            if closed:  # not a missing decree: no such contract existed yet
                text = f"{closed} Aucun zonage ne s'applique au {when}."
        case "outside_territory":
            text = "Ce lieu n'est dans aucune commune française."
        case _:
            text = f"Lieu non éligible au CESP{where} au {when}."
    if result.status in ("not_eligible", "borderline") and not result.eligible:
        text += nearest
    stand_in = result.commune.approximate_reason_fr if result.commune else None
    if stand_in:
        text += f" Attention : {stand_in}."
    elif result.approximate:
        text += " Attention : contours approchés pour ce lieu, vérification conseillée."
    return text
