"""Check proposed posts before they reach the list: fields, commune, site, zone.

The same checks serve a file import (every problem of every line is reported, nothing is
written) and one post proposed through the API. A practice site (``exercice``) must
qualify on the publication date of the list (code de l'éducation art. L.632-6): in a
qualifying zone then, or in one at some date in the three years before
(:mod:`cesp.posts.qualification`). Intern posts are hospital training posts: their
site is checked for coherence, not for a zone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from cesp.eligibility.check import check, check_points
from cesp.eligibility.sites import CommuneSite, PointSite
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.errors import CespError, InvalidInputError, Problem
from cesp.geo.communes import CommuneUnit, units_by_codes
from cesp.geo.loaded import missing_code_messages
from cesp.posts.model import PostKind, PostStatus, PracticeMode, parse_choice
from cesp.posts.qualification import GRACE_FROM, Qualification, qualify_sites
from cesp.text import refuse_control_characters
from cesp.zones.professions import parse_profession

MAX_TEXT = {"reference": 40, "specialty": 120, "structure": 200, "address": 300}


@dataclass(frozen=True)
class PostDraft:
    """A post that passed every check, with what the list will show about its zone."""

    fields: dict[str, Any]
    qualification: Qualification


def _text(raw: dict[str, Any], name: str, label_fr: str, required: bool = True) -> str:
    value = raw.get(name)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise InvalidInputError(
            f"{name} is missing", message_fr=f"{label_fr} : valeur manquante.", field=name
        )
    limit = MAX_TEXT.get(name)
    if limit and len(text) > limit:
        raise InvalidInputError(
            f"{name} is longer than {limit} characters",
            message_fr=f"{label_fr} : plus de {limit} caractères.",
            field=name,
        )
    return refuse_control_characters(text, name)


def _number(raw: dict[str, Any], name: str, label_fr: str) -> float:
    value = raw.get(name)
    try:
        number = float(str(value).strip().replace(",", ".")) if value not in (None, "") else None
    except ValueError:
        number = None
    if number is None or not math.isfinite(number):
        raise InvalidInputError(
            f"{name} must be a number, not {value!r}",
            message_fr=f"{label_fr} : nombre attendu, « {value} » reçu.",
            field=name,
        )
    return number


def _places(raw: dict[str, Any]) -> int:
    value = raw.get("places")
    text = str(value).strip() if value is not None else ""
    try:
        places = int(float(text)) if text else None
    except ValueError:
        places = None
    if places is None or str(places) != text.removesuffix(".0"):
        raise InvalidInputError(
            f"places must be a whole number, not {value!r}",
            message_fr=f"Places : nombre entier attendu, « {value} » reçu.",
            field="places",
        )
    if places < 0:
        raise InvalidInputError(
            f"places cannot be negative ({places})",
            message_fr=f"Places : le nombre de places ne peut pas être négatif ({places}).",
            field="places",
        )
    return places


def parse_fields(raw: dict[str, Any], campaign: int) -> dict[str, Any]:
    """Typed fields of one proposed post, or the first error (naming the field)."""
    kind = parse_choice(PostKind, _text(raw, "kind", "Type de poste"), "kind", "Type de poste")
    mode = parse_choice(
        PracticeMode, _text(raw, "mode", "Mode d'exercice"), "mode", "Mode d'exercice"
    )
    profession = parse_profession(_text(raw, "profession", "Profession"))
    lon = _number(raw, "lon", "Longitude")
    lat = _number(raw, "lat", "Latitude")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInputError(
            f"lon/lat ({lon}, {lat}) are not WGS84 degrees (lon -180 to 180, lat -90 to 90)",
            message_fr=f"Longitude/latitude ({lon}, {lat}) hors des degrés WGS84 (lon de -180 "
            "à 180, lat de -90 à 90).",
            field="lon",
        )
    code = _text(raw, "commune_code", "Code INSEE").upper()
    if len(code) == 4 and code.isdigit():
        code = "0" + code
    if len(code) != 5 or not (code.isdigit() or (code[:2] in ("2A", "2B") and code[2:].isdigit())):
        raise InvalidInputError(
            f"commune_code {code!r} is not an INSEE code (5 characters, e.g. 93008 or 2A004)",
            message_fr=f"Code INSEE « {code} » invalide (5 caractères, ex. 93008 ou 2A004).",
            field="commune_code",
        )
    return {
        "reference": _text(raw, "reference", "Référence"),
        "campaign": campaign,
        "kind": kind.value,
        "profession": profession.value,
        "specialty": _text(raw, "specialty", "Spécialité"),
        "mode": mode.value,
        "structure": _text(raw, "structure", "Structure"),
        "address": _text(raw, "address", "Adresse"),
        "commune_code": code,
        "lon": lon,
        "lat": lat,
        "places": _places(raw),
        "status": PostStatus.OPEN.value,
        "region": _text(raw, "region", "Région", required=False) or None,
    }


def _site_problem(
    fields: dict[str, Any], commune: Any, arrondissement: Any, units: list[CommuneUnit]
) -> tuple[str, str] | None:
    """Why the coordinates do not match the commune code, in English and French (None
    when they do).

    An arrondissement code without a polygon of its own (Lyon, Marseille: see
    ``cesp.geo.arrondissements``) matches coordinates in its commune."""
    if commune is None:
        return (
            "the coordinates fall in no French commune: check lon/lat (WGS84 degrees)",
            "les coordonnées ne tombent dans aucune commune française : vérifiez lon/lat "
            "(degrés WGS84)",
        )
    codes = {commune.code} | ({arrondissement.code} if arrondissement else set())
    if arrondissement is None and any(
        u.kind == "arrondissement" and u.parent_code == commune.code for u in units
    ):
        codes.add(fields["commune_code"])
    given = fields["commune_code"]
    if given not in codes:
        return (
            f"the coordinates fall in {commune.name} ({commune.code}), not in commune "
            f"{given}: check commune_code or lon/lat",
            f"les coordonnées tombent dans {commune.name} ({commune.code}), pas dans la "
            f"commune {given} : vérifiez le code INSEE ou lon/lat",
        )
    if fields["region"] and fields["region"] != commune.region:
        return (
            f"commune {commune.code} is in region {commune.region}, not {fields['region']}",
            f"la commune {commune.code} est en région {commune.region}, pas {fields['region']}",
        )
    return None


def _retired_code(units: list[CommuneUnit], on: date, now: Any) -> tuple[str, str] | None:
    """Why a code that no longer designates a commune on ``on`` cannot be used (English,
    French)."""
    if any(
        (u.valid_from is None or u.valid_from <= on) and (u.valid_to is None or on < u.valid_to)
        for u in units
    ):
        return None
    last = max(units, key=lambda u: u.valid_to or date.max)
    ended = f" since {last.valid_to:%Y-%m-%d}" if last.valid_to else ""
    ended_fr = f" depuis le {last.valid_to:%d/%m/%Y}" if last.valid_to else ""
    where = f"; the site is now in {now.name} ({now.code})" if now else ""
    where_fr = f" ; le site est aujourd'hui dans {now.name} ({now.code})" if now else ""
    return (
        f"INSEE code {last.code} ({last.name}) is no longer in force{ended}{where}",
        f"le code INSEE {last.code} ({last.name}) n'est plus en vigueur{ended_fr}{where_fr}",
    )


def _declared_code_qualifies(
    conn: sa.Connection, index: ZoningIndex, status: str, fields: dict[str, Any], on: date
) -> bool:
    """Where the coordinates cannot place the site (« partial »: an arrondissement of
    Lyon or Marseille, a commune sharing its polygon, ``cesp.eligibility.evaluation``),
    the INSEE code the ARS declares for it decides, as ``check --insee`` answers it."""
    if status != "partial":
        return False
    by_code = check(index, conn, CommuneSite(fields["commune_code"]), on, fields["profession"])
    return by_code.eligible


def validate_posts(
    conn: sa.Connection,
    index: ZoningIndex,
    rows: Sequence[tuple[int | None, dict[str, Any]]],
    campaign: int,
    on: date,
) -> tuple[list[PostDraft], list[Problem]]:
    """Check every row; ``on`` is the publication date the three-year rule counts from."""
    problems: list[Problem] = []
    parsed: list[tuple[int | None, dict[str, Any]]] = []
    for row, raw in rows:
        try:
            parsed.append((row, parse_fields(raw, campaign)))
        except CespError as error:
            problems.append(Problem(row, error.message, error.message_fr or "", error.field))
    known = units_by_codes(conn, [f["commune_code"] for _, f in parsed], with_geometry=False)
    for row, f in [(r, f) for r, f in parsed if f["commune_code"] not in known]:
        message, message_fr, _ = missing_code_messages(conn, f["commune_code"])
        problems.append(
            Problem(row, message, message_fr[0].upper() + message_fr[1:] + ".", "commune_code")
        )
    parsed = [(r, f) for r, f in parsed if f["commune_code"] in known]
    if not parsed:
        return [], problems
    sites = [PointSite(f["lon"], f["lat"]) for _, f in parsed]
    results = check_points(index, sites, [on] * len(sites), [f["profession"] for _, f in parsed])
    qualifications = qualify_sites(
        index,
        [f["lon"] for _, f in parsed],
        [f["lat"] for _, f in parsed],
        [f["profession"] for _, f in parsed],
        on,
    )
    drafts: list[PostDraft] = []
    for (row, fields), result, qualification in zip(parsed, results, qualifications, strict=True):
        reason = _retired_code(known[fields["commune_code"]], on, result.commune)
        units = known[fields["commune_code"]]
        reason = reason or _site_problem(fields, result.commune, result.arrondissement, units)
        if reason:
            problems.append(Problem(row, f"site: {reason[0]}", f"Site : {reason[1]}.", "lon"))
            continue
        assert result.commune is not None
        if (
            fields["kind"] == PostKind.EXERCICE
            and not qualification.qualifies
            and not _declared_code_qualifies(conn, index, result.status, fields, on)
        ):
            explanation = qualification.label_fr
            problems.append(
                Problem(
                    row,
                    f"the site does not qualify on {on.isoformat()} ({result.status}) and "
                    + (
                        "the three-year rule (L.632-6 as amended by loi n°2019-774) applies "
                        f"only to lists published from {GRACE_FROM.isoformat()}"
                        if qualification.before_grace
                        else "was in no qualifying zone in the three years before (L.632-6)"
                    ),
                    f"Le site n'est pas en zone déficitaire le {on:%d/%m/%Y} ({explanation})"
                    + (f" {qualification.refusal_fr}" if qualification.refusal_fr else "")
                    + ".",
                    "lon",
                )
            )
            continue
        place = result.arrondissement or next(
            (u for u in units if u.kind == "arrondissement"), result.commune
        )
        fields = {
            **fields,
            "region": result.commune.region,
            "departement": result.commune.departement,
            "commune_name": place.name,
        }
        drafts.append(PostDraft(fields, qualification))
    problems.sort(key=lambda p: p.row or 0)
    return drafts, problems
