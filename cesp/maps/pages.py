"""Plain French pages for people: the home page and the error page of the map routes.

A browser that opens ``/`` or a map URL with a mistake in it should get a page to read,
not a JSON body: the home page links the map, the API documentation and the OGC
landing page; the error page says what is wrong, how to fix it, and links back.
Styles come from the service (``/map/assets/cesp/page.css``): no inline style or
script, so that a strict Content-Security-Policy holds.
"""

from __future__ import annotations

from markupsafe import escape

from cesp.maps.assets import ASSET_PREFIX

_HEAD = (
    '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "<title>{title}</title>\n"
    '<link rel="icon" href="data:,">\n'
    '<link rel="stylesheet" href="{prefix}/cesp/page.css">\n</head>\n'
)


def _page(title: str, body: str, prefix: str = ASSET_PREFIX) -> str:
    head = _HEAD.format(title=escape(title), prefix=escape(prefix))
    return (
        f'{head}<body>\n<main id="contenu" class="cesp-page">\n{body}\n</main>\n</body>\n</html>\n'
    )


def home_page(version: str) -> str:
    """The service's home page: what it is, and links to the map, the API and OGC."""
    body = (
        "<h1>Zones déficitaires du CESP</h1>\n"
        "<p>Ce service publie les zones où l'offre de soins est insuffisante, au sens du "
        "contrat d'engagement de service public (code de l'éducation, art. L.632-6), et "
        "les postes proposés aux signataires.</p>\n"
        '<nav aria-label="Accès au service"><ul class="cesp-links">\n'
        '<li><a href="/map">Carte des zones et des postes</a> – vérifier un lieu '
        "d'exercice, consulter et choisir un poste</li>\n"
        '<li><a href="/docs">Documentation de l\'API</a> – pour les logiciels des ARS et du '
        "CNG</li>\n"
        '<li><a href="/ogc">Accès OGC API Features</a> – pour les logiciels de cartographie '
        "(QGIS, ArcGIS)</li>\n"
        "</ul></nav>\n"
        f'<p class="cesp-version">Version {escape(version)}</p>'
    )
    return _page("Zones déficitaires du CESP", body)


def error_page(status: int, detail_fr: str, detail: str, field: str | None) -> str:
    """A French error page (with the English detail below it for the support desk)."""
    heading = {
        404: "Page ou donnée introuvable",
        422: "Adresse incorrecte",
        401: "Connexion requise",
        403: "Accès refusé",
    }.get(status, "Le service n'a pas pu répondre")
    where = (
        f"<p>Paramètre en cause : <code>{escape(field)}</code>. Corrigez-le dans l'adresse "
        "de la page, ou repartez de la carte.</p>\n"
        if field
        else ""
    )
    body = (
        f"<h1>{escape(heading)}</h1>\n"
        f'<p class="cesp-error" role="alert">{escape(detail_fr)}</p>\n'
        f"{where}"
        '<p><a href="/map">Ouvrir la carte de toute la France</a> · '
        '<a href="/">Accueil du service</a></p>\n'
        f'<p class="cesp-detail" lang="en">Erreur {status} : {escape(detail)}</p>'
    )
    return _page(f"{heading} – zones déficitaires du CESP", body)
