"""The fields of zones, communes and posts: one definition used by every file and layer.

A GIS user styles and labels a layer by field names, and joins layers on the INSEE
code: a QGIS style made on the GeoPackage must work on the shapefile, the GeoJSON, the
OGC API layer and the spreadsheet. So every writer (``cesp.zones.export``,
``cesp.spreadsheets``, the OGC collections) takes its names, order and types from the
``FieldSchema`` objects here, and nowhere else.

Names (the README's "Export fields" section says the same):

- French, since ARS staff open these files, in lower case and at most 10 characters so
  that a ``.dbf`` keeps them whole (GDAL cuts longer shapefile names, and the layers
  would then differ);
- the codes take the names of IGN's ADMIN EXPRESS (``insee_com``, ``insee_dep``,
  ``insee_reg``, ``population``, ``nom``): the reference layer every ARS GIS officer
  already has, so a join or a style made on ADMIN EXPRESS carries over;
- the versioned JSON API (``/api/v1``) keeps its English names: it is a documented
  contract for programs, described by its own response models.

Types are real types where the format has them (``Kind``): dates are dates in the
GeoPackage, the shapefile, GeoJSON (ISO 8601, which GDAL reads as Date), the OGC
layers and XLSX; integers are integers; booleans are booleans (a shapefile has none
GDAL reads back: ``approx`` is ``T``/``F`` there).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """The type of a field, as every format understands it."""

    TEXT = "text"
    INTEGER = "integer"
    REAL = "real"
    DATE = "date"
    BOOLEAN = "boolean"


# GDAL CSV driver / QGIS delimited text: the type names of a ``.csvt`` file.
CSVT_TYPES = {
    Kind.TEXT: "String",
    Kind.INTEGER: "Integer",
    Kind.REAL: "Real",
    Kind.DATE: "Date",
    Kind.BOOLEAN: "Integer(Boolean)",
}
JSON_TYPES = {
    Kind.TEXT: "string",
    Kind.INTEGER: "integer",
    Kind.REAL: "number",
    Kind.DATE: "string",
    Kind.BOOLEAN: "boolean",
}
DBF_NAME_LENGTH = 10


@dataclass(frozen=True)
class Field:
    """One field: its name in every artefact, its type and what it means (in French)."""

    name: str
    kind: Kind
    description_fr: str

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of the field's values (OGC queryables and schema documents)."""
        schema: dict[str, Any] = {"type": JSON_TYPES[self.kind], "title": self.description_fr}
        if self.kind is Kind.DATE:
            schema["format"] = "date"
        return schema


@dataclass(frozen=True)
class FieldSchema:
    """The ordered fields of one kind of feature (zones, communes, posts...)."""

    kind: str
    fields: tuple[Field, ...]

    def __post_init__(self) -> None:
        """Names fit a ``.dbf`` and appear once."""
        names = [f.name for f in self.fields]
        too_long = [n for n in names if len(n) > DBF_NAME_LENGTH]
        if too_long or len(set(names)) != len(names):
            raise ValueError(f"{self.kind}: field names too long or repeated: {too_long}")

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __getitem__(self, name: str) -> Field:
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """The field names, in order."""
        return [f.name for f in self.fields]

    def of_kind(self, kind: Kind) -> list[str]:
        """Names of the fields of one type."""
        return [f.name for f in self.fields if f.kind is kind]

    def record(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` in field order, every field present (``None`` when not given);
        a name the schema does not define is a programming error."""
        unknown = set(values) - set(self.names)
        if unknown:
            raise KeyError(f"{self.kind}: no field {sorted(unknown)}")
        return {name: values.get(name) for name in self.names}

    def json_properties(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """A record as GeoJSON properties: dates as ISO 8601 text, the rest as is."""
        return {
            k: v.isoformat() if isinstance(v, date) else v for k, v in self.record(values).items()
        }

    def csvt(self) -> str:
        """The ``.csvt`` line QGIS and GDAL read beside a ``.csv`` to type its columns."""
        return ",".join(f'"{CSVT_TYPES[f.kind]}"' for f in self.fields) + "\r\n"

    def json_schema(self, title: str, names: list[str] | None = None) -> dict[str, Any]:
        """A JSON Schema object with the fields ``names`` (default: all of them)."""
        chosen = [f for f in self.fields if names is None or f.name in names]
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "title": title,
            "properties": {f.name: f.json_schema() for f in chosen},
        }


TEXT, INT, REAL, DATE, BOOL = Kind.TEXT, Kind.INTEGER, Kind.REAL, Kind.DATE, Kind.BOOLEAN

ZONE_FIELDS = FieldSchema(
    "zones",
    (
        Field("zone_id", INT, "Identifiant de la zone"),
        Field("nom", TEXT, "Nom de la zone, tel que l'arrêté l'écrit"),
        Field("categorie", TEXT, "Code de la catégorie de zone (ZIP, ZAC, ZV...)"),
        Field("lib_cat", TEXT, "Libellé de la catégorie de zone"),
        Field("ouvre_cesp", BOOL, "La catégorie ouvre droit au CESP"),
        Field("insee_com", TEXT, "Codes INSEE des communes de la zone, séparés par des virgules"),
        Field("nb_com", INT, "Nombre de communes de la zone"),
        Field("arrete", TEXT, "Référence (numéro) de l'arrêté de l'ARS"),
        Field("arrete_id", INT, "Identifiant de l'arrêté dans le service"),
        Field("insee_reg", TEXT, "Code INSEE de la région de l'arrêté"),
        Field("profession", TEXT, "Profession visée par l'arrêté"),
        Field("signe", DATE, "Date de signature de l'arrêté"),
        Field("debut", DATE, "Premier jour d'application de l'arrêté"),
        Field("fin", DATE, "Dernier jour d'application (vide : en vigueur)"),
        Field("population", INT, "Population municipale de la zone"),
        Field("approx", BOOL, "Contour approché (voir raison)"),
        Field("raison", TEXT, "Pourquoi le contour est approché"),
    ),
)

COMMUNE_FIELDS = FieldSchema(
    "communes",
    (
        Field("insee_com", TEXT, "Code INSEE de la commune"),
        Field("nom", TEXT, "Nom de la commune"),
        Field("insee_dep", TEXT, "Code du département"),
        Field("nom_dep", TEXT, "Nom du département"),
        Field("insee_reg", TEXT, "Code INSEE de la région"),
        Field("population", INT, "Population municipale"),
        Field("depuis", DATE, "Date depuis laquelle la commune existe sous ce code"),
        Field("approx", BOOL, "Contour approché (voir raison)"),
        Field("raison", TEXT, "Pourquoi le contour est approché"),
    ),
)

ELIGIBLE_COMMUNE_FIELDS = FieldSchema(
    "communes éligibles",
    (
        Field("insee_com", TEXT, "Code INSEE de la commune"),
        Field("nom", TEXT, "Nom de la commune"),
        Field("zone_id", INT, "Identifiant de la zone (champ zone_id de la couche zones)"),
        Field("nom_zone", TEXT, "Nom de la zone"),
        Field("categorie", TEXT, "Code de la catégorie de zone"),
        Field("lib_cat", TEXT, "Libellé de la catégorie de zone"),
        Field("population", INT, "Population municipale de la commune"),
        Field("couverture", REAL, "Part de la surface de la commune dans la zone (0 à 1)"),
        Field("approx", BOOL, "Contour approché"),
        Field("arrete", TEXT, "Référence de l'arrêté de l'ARS"),
    ),
)

POST_FIELDS = FieldSchema(
    "postes",
    (
        Field("poste_id", INT, "Identifiant du poste"),
        Field("campagne", INT, "Année de la campagne"),
        Field("reference", TEXT, "Référence du poste dans la liste"),
        Field("type_poste", TEXT, "exercice (lieu d'exercice) ou internat (poste d'interne)"),
        Field("insee_reg", TEXT, "Code INSEE de la région"),
        Field("insee_dep", TEXT, "Code du département"),
        Field("profession", TEXT, "Profession"),
        Field("specialite", TEXT, "Spécialité"),
        Field("mode", TEXT, "Mode d'exercice : libéral, salarié ou mixte"),
        Field("structure", TEXT, "Structure d'accueil"),
        Field("adresse", TEXT, "Adresse"),
        Field("insee_com", TEXT, "Code INSEE de la commune"),
        Field("nom_com", TEXT, "Nom de la commune"),
        Field("lon", REAL, "Longitude (degrés WGS84)"),
        Field("lat", REAL, "Latitude (degrés WGS84)"),
        Field("places", INT, "Nombre de places"),
        Field("restantes", INT, "Places restant à pourvoir"),
        Field("statut", TEXT, "ouvert, pourvu ou retiré"),
        Field("inscrit_le", DATE, "Date d'inscription sur la liste"),
        Field("exemple", BOOL, "Donnée d'exemple (pas un vrai poste)"),
    ),
)

# The national list as exported: the post, then where its site stands on the export date.
POST_LIST_FIELDS = FieldSchema(
    "liste nationale",
    (
        *POST_FIELDS.fields,
        Field("situation", TEXT, "Situation du lieu au regard du zonage à la date de l'export"),
        Field("hors_zone", DATE, "Date depuis laquelle le lieu est hors zone"),
        Field("auteur", TEXT, "Qui a proposé le poste"),
        Field("propose_le", DATE, "Date de la proposition"),
    ),
)

LEDGER_FIELDS = FieldSchema(
    "registre de suivi",
    (
        Field("type", TEXT, "period (période d'exercice), suspension ou deferral (report)"),
        Field("id", INT, "Identifiant de la ligne du registre"),
        Field("debut", DATE, "Premier jour"),
        Field("fin", DATE, "Dernier jour (vide : en cours)"),
        Field("mois", INT, "Durée en mois (suspension, report)"),
        Field("mode", TEXT, "Mode d'exercice de la période"),
        Field("quotite", REAL, "Quotité de temps de travail (1 : temps plein)"),
        Field("lon", REAL, "Longitude du lieu d'exercice (degrés WGS84)"),
        Field("lat", REAL, "Latitude du lieu d'exercice (degrés WGS84)"),
        Field("insee_com", TEXT, "Code INSEE de la commune d'exercice"),
        Field("insee_reg", TEXT, "Code INSEE de la région d'exercice"),
        Field("note", TEXT, "Note (motif de la suspension ou du report)"),
    ),
)
