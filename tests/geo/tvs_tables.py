"""Write small TVS <-> commune correspondences and decree files by TVS, our own content.

Column names are the published ones: the DREES / data.gouv.fr set ``depcom, libcom, tv,
libtv, code_reg`` (TVS codes right-padded with ``_`` to 5 characters) and the set
``INSEE_COM, Code_TVS, Nom_TVS``; the decree files use the DREES national file's
``Zonage_TVS`` sheet and the Zonage_ARS tool's ``TVS`` sheet without communes. The
territories are made up from communes of the test databases (75, 92, 93, and 69 for
the territories crossing into Auvergne-Rhône-Alpes).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

# TVS code as published (padded), TVS name, [(commune code, commune name, region)]
CORRESPONDENCE: list[tuple[str, str, list[tuple[str, str, str]]]] = [
    (
        "9327_",
        "La Courneuve",
        [("93027", "La Courneuve", "11"), ("93001", "Aubervilliers", "11")],
    ),
    ("9308_", "Bobigny", [("93008", "Bobigny", "11"), ("93029", "Drancy", "11")]),
    ("93006", "Bagnolet", [("93006", "Bagnolet", "11")]),
    ("9202_", "Antony", [("92002", "Antony", "11"), ("92004", "Asnières-sur-Seine", "11")]),
    ("6912_", "Lyon", [("69123", "Lyon", "84")]),
    # Made-up territories across the border of regions 11 and 84: the first holds more
    # people in Île-de-France (Montreuil), the second in Rhône (Villeurbanne).
    (
        "XA01_",
        "Montreuil-Vénissieux",
        [("93048", "Montreuil", "11"), ("69259", "Vénissieux", "84")],
    ),
    (
        "XB01_",
        "Villeurbanne-Saint-Ouen",
        [("69266", "Villeurbanne", "84"), ("93070", "Saint-Ouen-sur-Seine", "11")],
    ),
]

# TVS rows of a decree: code as the decree writes it, name, regional qualification, region
DECREE_TVS = [
    ("9327_", "La Courneuve", "ZIP", "11"),
    ("9308", "Bobigny", "ZAC", "11"),
    ("93006", "Bagnolet", "Zone de vigilance", "11"),
    ("9202_", "Antony", "Hors vivier", "11"),
    ("6912_", "Lyon", "ZAC", "84"),
]
ELIGIBLE = frozenset({"93027", "93001", "93008", "93029"})
FULL_WORDS = {
    "ZIP": "Zone d'intervention prioritaire",
    "ZAC": "Zone d'action complémentaire",
    "Zone de vigilance": "Zone de vigilance",
    "Hors vivier": "Hors vivier",
}


def _rows() -> list[tuple[str, str, str, str, str]]:
    return [
        (c, n, tvs, name, reg) for tvs, name, members in CORRESPONDENCE for c, n, reg in members
    ]


def drees_csv(directory: Path, name: str = "tvs_2018.csv") -> Path:
    """``depcom, libcom, tv, libtv, code_reg``: ``;`` CSV, UTF-8, padded TVS codes."""
    path = directory / name
    lines = ["depcom;libcom;tv;libtv;code_reg"]
    lines += [f"{c};{n};{tvs};{libtv};{reg}" for c, n, tvs, libtv, reg in _rows()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def insee_com_xlsx(directory: Path, name: str = "correspondance_tvs.xlsx") -> Path:
    """``INSEE_COM, Code_TVS, Nom_TVS`` as an XLSX workbook, codes unpadded, a title row."""
    path = directory / name
    grid: list[list[object]] = [["Correspondance communes - territoires de vie-santé", None, None]]
    grid.append(["INSEE_COM", "Code_TVS", "Nom_TVS"])
    grid += [[c, tvs.rstrip("_"), libtv] for c, _n, tvs, libtv, _reg in _rows()]
    pd.DataFrame(grid).to_excel(path, index=False, header=False)
    return path


def drees_zonage_tvs(directory: Path) -> Path:
    """A DREES national workbook with its ``Zonage_TVS`` sheet (one row a TVS) after a
    QPV sheet, and no ``Zonage_communes`` sheet."""
    path = directory / "Zonage_medecin_TVS_20180301.xlsx"
    rows = [
        {
            "Code de la région": int(region),
            "Libellé de la région": "Île-de-France" if region == "11" else "Auvergne-Rhône-Alpes",
            "Code du territoire de vie-santé": code,
            "Libellé du territoire de vie-santé": name,
            "Qualification nationale issue de la concertation de 2017": "ZAC",
            "Qualification attribuée par l'arrêté régional": category,
            "Population totale (2016)": 90000,
        }
        for code, name, category, region in DECREE_TVS
    ]
    qpv = [{"Code du quartier prioritaire": "QP093010", "Qualification": "ZIP"}]
    with pd.ExcelWriter(path) as writer:  # the QPV sheet first: the TVS sheet is found
        pd.DataFrame(qpv).to_excel(writer, sheet_name="Zonage_QPV", index=False)
        pd.DataFrame(rows).to_excel(writer, sheet_name="Zonage_TVS", index=False)
    return path


def zonage_ars_tvs(directory: Path, extra: tuple[tuple[str, str, str], ...] = ()) -> Path:
    """A Zonage_ARS regional export whose ``TVS`` sheet has no commune column (and no
    region: the correspondence's regions decide)."""
    path = directory / "Île-de-France_TVS.xlsx"
    rows = [
        {
            "Nom du territoire de vie-santé": name,
            "Code du territoire de vie-santé": code,
            "Population": 90000,
            "Zonage": FULL_WORDS[category],
        }
        for code, name, category, _region in DECREE_TVS
    ]
    rows += [
        {
            "Nom du territoire de vie-santé": name,
            "Code du territoire de vie-santé": code,
            "Population": 1000,
            "Zonage": FULL_WORDS[category],
        }
        for code, name, category in extra
    ]
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame(rows).to_excel(writer, sheet_name="TVS", index=False)
    return path
