"""Generate a realistic national zoning: one decree per metropolitan region.

Each region's current communes are taken in département and code order and cut into
runs of 5 to 40 neighbouring codes (a stand-in for *territoires de vie-santé*); about
55 % of the runs become zones, ZIP or ZAC. A fixed seed makes every run identical.
Also writes, for Auvergne-Rhône-Alpes, one zone per commune (over 4,000 zones).
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cesp.geo.cog import read_communes

METROPOLITAN_REGIONS = (
    "11",
    "24",
    "27",
    "28",
    "32",
    "44",
    "52",
    "53",
    "75",
    "76",
    "84",
    "93",
    "94",
)
SIGNED = date(2026, 1, 1)
SEED = 2026


@dataclass(frozen=True)
class GeneratedDecree:
    """One generated decree file."""

    region: str
    path: Path
    communes: int
    zones: int


def generate(data_dir: Path, out_dir: Path, seed: int = SEED) -> list[GeneratedDecree]:
    """Write one CSV of INSEE codes per metropolitan region; returns what was written."""
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    communes = [c for c in read_communes(data_dir) if c.type == "COM"]
    written = []
    for region in METROPOLITAN_REGIONS:
        codes = sorted((c.departement, c.code) for c in communes if c.region == region)
        rows, zones, start = [], 0, 0
        while start < len(codes):
            size = rng.randint(5, 40)
            run = codes[start : start + size]
            start += size
            if rng.random() < 0.55:
                zones += 1
                category = "ZIP" if rng.random() < 0.5 else "ZAC"
                name = f"TVS {region}-{zones:04d}"
                rows += [(code, name, category) for _, code in run]
        path = out_dir / f"national-{region}.csv"
        _write(path, rows)
        written.append(GeneratedDecree(region, path, len(rows), zones))
    ara = sorted(c.code for c in communes if c.region == "84")
    path = out_dir / "ara-one-zone-per-commune.csv"
    _write(path, [(code, f"Commune {code}", "ZIP") for code in ara])
    written.append(GeneratedDecree("84", path, len(ara), len(ara)))
    return written


def _write(path: Path, rows: list[tuple[str, str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["code_insee", "nom_zone", "categorie"])
        writer.writerows(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("var/bench/national"))
    args = parser.parse_args()
    for decree in generate(args.data_dir, args.out):
        print(f"{decree.region}\t{decree.zones} zones\t{decree.communes} communes\t{decree.path}")
