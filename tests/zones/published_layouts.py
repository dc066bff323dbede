"""Write zoning files in the layouts ARS and the ministry publish, with our own content.

Column names, sheet names and category spellings are the published ones (DREES national
file, Zonage_ARS tool exports, C@rtoSanté, dentists' 2024 zoning, an Île-de-France 2025
list with ``ZIP+``); the rows are Île-de-France communes of the test database (75, 92,
93) plus rows of other regions that an import for region 11 must skip. Every writer
returns the path and what the import must find: the communes that open the CESP, the
rows kept, the rows skipped by category label, the rows skipped by region and the QPV
zones (QPV rows need the hand-drawn contours of ``tests/geo/qpv_contours.py`` loaded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Expected:
    """What a dry run of the file for region 11 reports."""

    eligible: frozenset[str]
    kept: int
    by_category: dict[str, int] = field(default_factory=dict)
    by_region: int = 0
    profession: str = "medecin"
    signed: str = "2018-03-01"
    effective_from: str = "2018-03-01"
    qpv: int = 0


TVS = {
    "93027": "La Courneuve",
    "93008": "Bobigny",
    "92002": "Antony",
    "93006": "Bagnolet",
}
# commune code, name, TVS code, regional qualification (2017 method)
IDF_2017 = [
    ("93027", "La Courneuve", "93027", "ZIP"),
    ("93001", "Aubervilliers", "93027", "ZIP"),
    ("93008", "Bobigny", "93008", "ZAC"),
    ("93029", "Drancy", "93008", "ZAC"),
    ("93006", "Bagnolet", "93006", "Zone de vigilance"),
    ("92002", "Antony", "92002", "Hors vivier"),
    ("92004", "Asnières-sur-Seine", "92002", "Hors vivier"),
]
OTHERS = [  # rows of other regions in national files
    ("69123", "Lyon", "69123", "ZAC", "84", "Auvergne-Rhône-Alpes"),
    ("13055", "Marseille", "13055", "ZIP", "93", "Provence-Alpes-Côte d'Azur"),
    ("97101", "Les Abymes", "97101", "ZIP", "1", "Guadeloupe"),
]
ELIGIBLE_2017 = frozenset({"93027", "93001", "93008", "93029"})
FULL_WORDS = {
    "ZIP": "Zone d'intervention prioritaire",
    "ZAC": "Zone d'action complémentaire",
    "Zone de vigilance": "Zone de vigilance",
    "Hors vivier": "Hors vivier",
}
NUMBERED = {
    "ZIP": "1 -Zone d'intervention prioritaire",
    "ZAC": "2- Zone d'action complémentaire",
    "Zone de vigilance": "3 - Zone de vigilance",
    "Hors vivier": "4 - Hors-vivier",
}
CARTOSANTE = {"ZIP": "1_ZIP", "ZAC": "2_ZAC", "Zone de vigilance": "5_ZV", "Hors vivier": "6_HZ"}
EXPECTED_2017 = Expected(ELIGIBLE_2017, kept=5, by_category={"Hors vivier": 2})
# QPV rows: the 4000 (ZIP, in a ZIP territory), Noyer Doré (ZIP, in Antony « Hors
# vivier »: its commune becomes partly eligible), Abreuvoir (« Zone de vigilance », in
# Bobigny ZAC: its category overrides the territory's), a QPV of Marseille (region 93).
QPV_ROWS = [
    ("QP093010", "Quartier des 4000", "ZIP"),
    ("QP092001", "Noyer Doré", "ZIP"),
    ("QP093020", "Abreuvoir", "Zone de vigilance"),
    ("QP013013", "Frais Vallon", "ZIP"),
]
ELIGIBLE_QPV = ELIGIBLE_2017 | {"92002"}


def drees_national(directory: Path) -> tuple[Path, Expected]:
    """``Zonage_medecin_20180301.xlsx``: all regions, three sheets, region as a number."""
    path = directory / "Zonage_medecin_20180301.xlsx"
    communes = [
        {
            "Identifiant unique": n,
            "Code de la région": 11,
            "Libellé de la région": "Île-de-France",
            "Code du territoire de vie-santé": tvs,
            "Libellé du territoire de vie-santé": TVS[tvs],
            "Code de la commune": code,
            "Libellé de la commune": name,
            "Qualification nationale issue de la concertation de 2017": "ZAC",
            "Qualification attribuée par l'arrêté régional": category,
            "Population totale (2016)": 40000 + n,
        }
        for n, (code, name, tvs, category) in enumerate(IDF_2017, start=1)
    ]
    communes += [
        {
            "Identifiant unique": 100 + n,
            "Code de la région": int(region),
            "Libellé de la région": region_name,
            "Code du territoire de vie-santé": tvs,
            "Libellé du territoire de vie-santé": name,
            "Code de la commune": code,
            "Libellé de la commune": name,
            "Qualification nationale issue de la concertation de 2017": category,
            "Qualification attribuée par l'arrêté régional": category,
            "Population totale (2016)": 500000,
        }
        for n, (code, name, tvs, category, region, region_name) in enumerate(OTHERS)
    ]
    tvs_rows = [
        {"Code du territoire de vie-santé": c, "Libellé du territoire de vie-santé": n}
        for c, n in TVS.items()
    ]
    qpv = [
        {
            "Code du quartier prioritaire": code,
            "Qualification attribuée au QPV par l'arrêté régional": category,
        }
        for code, _name, category in QPV_ROWS
    ]
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame(tvs_rows).to_excel(writer, sheet_name="Zonage_TVS", index=False)
        pd.DataFrame(communes).to_excel(writer, sheet_name="Zonage_communes", index=False)
        pd.DataFrame(qpv).to_excel(writer, sheet_name="Zonage_QPV", index=False)
    return path, Expected(ELIGIBLE_QPV, 8, {"Hors vivier": 2}, by_region=4, qpv=3)


def zonage_ars_regional(directory: Path) -> tuple[Path, Expected]:
    """``Île-de-France.xlsx`` of the Zonage_ARS tool: sheet TVS with ``dansMaRegion``."""
    path = directory / "Île-de-France.xlsx"
    rows = [
        {
            "Nom du territoire de vie-santé": TVS[tvs],
            "Code du territoire de vie-santé": tvs,
            "Nom de la commune": name,
            "Code de la commune": code,
            "dansMaRegion": "oui",
            "Population": 30000,
            "Zonage": FULL_WORDS[category],
        }
        for code, name, tvs, category in IDF_2017
    ]
    rows.append(
        {
            "Nom du territoire de vie-santé": "Creil",
            "Code du territoire de vie-santé": "60175",
            "Nom de la commune": "Creil",
            "Code de la commune": "60175",
            "dansMaRegion": "non",
            "Population": 35000,
            "Zonage": "Zone d'intervention prioritaire",
        }
    )
    qpv = [
        {
            "Nom du QPV": name,
            "Code du QPV": code,
            "Population": 12000,
            "Zonage QPV": FULL_WORDS[category],
            "Zonage du TVS": tvs_zoning,
        }
        for (code, name, category), tvs_zoning in zip(
            QPV_ROWS[:3], ("Zone d'intervention prioritaire", "Hors vivier", "ZAC"), strict=True
        )
    ]
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame(rows).to_excel(writer, sheet_name="TVS", index=False)
        pd.DataFrame(qpv).to_excel(writer, sheet_name="QPV", index=False)
    return path, Expected(ELIGIBLE_QPV, 8, {"Hors vivier": 2}, by_region=1, qpv=3)


def zonage_ars_national(directory: Path) -> tuple[Path, Expected]:
    """``Zonage_en_vigueur_mg.xlsx``: sheets TVS, COM, QPV; numbered categories."""
    path = directory / "Zonage_en_vigueur_mg.xlsx"
    com = [
        {
            "depcom": code,
            "libcom": name,
            "region": "11",
            "region_libelle": "Île-de-France",
            "TVS": tvs,
            "TVS_libelle": TVS[tvs],
            "region_majoritaire": "11",
            "zonage_regional": NUMBERED[category],
        }
        for code, name, tvs, category in IDF_2017
    ]
    com += [
        {
            "depcom": code,
            "libcom": name,
            "region": region.zfill(2),
            "region_libelle": region_name,
            "TVS": tvs,
            "TVS_libelle": name,
            "region_majoritaire": region.zfill(2),
            "zonage_regional": NUMBERED[category],
        }
        for code, name, tvs, category, region, region_name in OTHERS
    ]
    tvs_rows = [{"TVS": c, "TVS_libelle": n, "zonage": "ZIP"} for c, n in TVS.items()]
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame(tvs_rows).to_excel(writer, sheet_name="TVS", index=False)
        pd.DataFrame(com).to_excel(writer, sheet_name="COM", index=False)
        pd.DataFrame([{"code_qp": c, "zonage": NUMBERED[k]} for c, _n, k in QPV_ROWS]).to_excel(
            writer, sheet_name="QPV", index=False
        )
    return path, Expected(ELIGIBLE_QPV, 8, {"Hors vivier": 2}, by_region=4, qpv=3)


CARTOSANTE_TITLE = [
    "C@rtoSanté - Zonage des médecins généralistes",
    "Extraction du 01/03/2018 - Région Île-de-France",
    "",
]


def cartosante_csv(directory: Path) -> tuple[Path, Expected]:
    """C@rtoSanté CSV: ``;``, UTF-8 with BOM, title block, data from line 5, total line."""
    path = directory / "cartosante_zonage_mg.csv"
    lines = [*CARTOSANTE_TITLE, "Code;Libellé;Zonage_MG"]
    lines += [f"{c};{n};{CARTOSANTE[k]}" for c, n, _, k in IDF_2017]
    lines += ["QP093010;Quartier des 4000;3_QPV_ZIP", "QP092001;Noyer Doré;3_QPV_ZIP"]
    lines += ["", "Total;7 communes;"]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path, Expected(ELIGIBLE_QPV, 7, {"Hors vivier": 2}, qpv=2)


def cartosante_xlsx(directory: Path) -> tuple[Path, Expected]:
    """C@rtoSanté Excel export: sheet ``Data``, header on row 4."""
    path = directory / "cartosante_zonage_mg.xlsx"
    grid = [[t, None, None] for t in CARTOSANTE_TITLE]
    grid.append(["Code", "Libellé", "Zonage_MG"])
    grid += [[int(c), n, CARTOSANTE[k]] for c, n, _, k in IDF_2017]
    pd.DataFrame(grid).to_excel(path, sheet_name="Data", index=False, header=False)
    return path, EXPECTED_2017


def paps_csv_cp1252(directory: Path) -> tuple[Path, Expected]:
    """A PAPS list of eligible communes saved from French Excel: CSV ``;`` Windows-1252."""
    path = directory / "communes_eligibles.csv"
    lines = ["Liste des communes éligibles;;", "Code de la commune;Libellé de la commune;Zonage"]
    lines += [f"{c};{n};{FULL_WORDS[k]}" for c, n, _, k in IDF_2017]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path, EXPECTED_2017


def unicode_text(directory: Path) -> tuple[Path, Expected]:
    """Excel's « Texte Unicode »: UTF-16 with BOM, tab-separated."""
    path = directory / "zonage.txt"
    lines = ["Code commune\tNom commune\tZonage"]
    lines += [f"{c}\t{n}\t{k}" for c, n, _, k in IDF_2017]
    path.write_bytes("\r\n".join(lines).encode("utf-16"))
    return path, EXPECTED_2017


DENTISTS = [
    ("93027", "La Courneuve", "Très sous-doté"),
    ("93008", "Bobigny", "Sous-doté"),
    ("93006", "Bagnolet", "Intermédiaire"),
    ("92002", "Antony", "Très doté"),
    ("92004", "Asnières-sur-Seine", "Sur-doté"),
    ("92050", "Nanterre", "Zone non prioritaire"),
]


def dentists_xls(directory: Path) -> tuple[Path, Expected]:
    """Dentists' 2024 zoning (five categories) as an XLS workbook, title line above."""
    import xlwt

    path = directory / "zonage_chirurgiens_dentistes_2024.xls"
    book = xlwt.Workbook()
    sheet = book.add_sheet("Zonage CD")
    sheet.write(0, 0, "Zonage des chirurgiens-dentistes - arrêté du 20 mars 2024")
    for col, title in enumerate(("Code commune", "Nom commune", "Zonage")):
        sheet.write(2, col, title)
    for line, row in enumerate(DENTISTS, start=3):
        for col, value in enumerate(row):
            sheet.write(line, col, value)
    book.save(str(path))
    return path, Expected(
        frozenset({"93027", "93008"}),
        kept=6,
        profession="chirurgien-dentiste",
        signed="2024-12-20",
        effective_from="2025-01-01",
    )


IDF_2025 = [
    ("93027", "La Courneuve", "93027", "ZIP+"),
    ("93001", "Aubervilliers", "93027", "ZIP+"),
    ("93008", "Bobigny", "93008", "ZIP"),
    ("93029", "Drancy", "93008", "ZIP"),
    ("93006", "Bagnolet", "93006", "ZAC"),
    ("92002", "Antony", "92002", "HZ"),
    ("92004", "Asnières-sur-Seine", "92002", "HZ"),
]


def idf_2025_ods(directory: Path) -> tuple[Path, Expected]:
    """Île-de-France 2025 zoning (arrêté du 9 mai 2025) with ``ZIP+``, as ODS."""
    path = directory / "zonage_idf_2025.ods"
    grid = [["Zonage médecins 2025 - ARS Île-de-France", None, None, None, None], [None] * 5]
    grid.append(["Code TVS", "Nom TVS", "Code INSEE", "Commune", "Zonage 2025"])
    grid += [[tvs, TVS[tvs], c, n, k] for c, n, tvs, k in IDF_2025]
    pd.DataFrame(grid).to_excel(path, index=False, header=False, engine="odf")
    return path, Expected(
        frozenset({"93027", "93001", "93008", "93029", "93006"}),
        kept=5,
        by_category={"Hors zonage": 2},
        signed="2025-06-02",
        effective_from="2025-07-01",
    )


def qpv_decree(directory: Path) -> tuple[Path, Expected]:
    """A separate QPV decree as ARS PACA publishes it: one row per QPV, a cell may hold
    several INSEE codes (CSV ``;``, UTF-8), here a title line above the header."""
    path = directory / "arrete_zonage_qpv.csv"
    lines = [
        "Annexe - Zonage des quartiers prioritaires de la politique de la ville;;;;",
        "Département;Code INSEE;Code QPV;Nom du QPV;Zonage",
        "93;93027;QP093010;Quartier des 4000;ZIP",
        "92;92002;QP092001;Noyer Doré;ZIP",
        "93;93001, 93027;QP093030;Quatre-Chemins;ZAC",
        "13;13213;QP013013;Frais Vallon;ZIP",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, Expected(frozenset({"93027", "92002", "93001"}), 3, by_region=1, qpv=3)


LAYOUTS: dict[str, Callable[[Path], tuple[Path, Expected]]] = {
    "drees-national-xlsx": drees_national,
    "zonage-ars-regional-xlsx": zonage_ars_regional,
    "zonage-ars-national-xlsx": zonage_ars_national,
    "cartosante-csv": cartosante_csv,
    "cartosante-xlsx": cartosante_xlsx,
    "paps-csv-cp1252": paps_csv_cp1252,
    "unicode-text-utf16": unicode_text,
    "dentists-2024-xls": dentists_xls,
    "idf-2025-zip-plus-ods": idf_2025_ods,
    "qpv-decree-csv": qpv_decree,
}
