"""Time the import of a national zoning (13 regional decrees) and of one region's
communes as one zone each, on the backend of ``--database-url`` (emptied first).

    python -m bench.import_national --database-url sqlite:///var/bench/national.sqlite

With ``--cli``, the same through the commands an operator types, each its own process:
``cesp geo load --no-index``, ``cesp zones import … --publish --no-index`` per decree,
then ``cesp zones index`` once (the index of the final state, kept for the checks).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench.national_zoning import SIGNED, generate
from cesp.geo.loader import load_reference
from cesp.storage import schema
from cesp.storage.engine import create_engine
from cesp.storage.settings import Settings
from cesp.zones.importer import import_decree
from cesp.zones.request import DecreeRequest


def _cesp(url: str, data_dir: Path, *args: str) -> float:
    """Wall time of one ``cesp`` command (raises if it fails)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cesp.cli.main", "--database-url", url, "--data-dir", str(data_dir),
         *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def run_cli(url: str, data_dir: Path) -> None:
    """The national load through the command line; prints the times."""
    engine = create_engine(url)
    schema.downgrade(engine, "base")
    engine.dispose()
    _cesp(url, data_dir, "db", "init")
    geo = _cesp(url, data_dir, "geo", "load", "--no-index")
    decrees = 0.0
    for generated in generate(data_dir, Path("var/bench/national"))[:-1]:
        decrees += _cesp(
            url, data_dir, "zones", "import", str(generated.path), "--region", generated.region,
            "--reference", f"BENCH-{generated.region}", "--signed", SIGNED.isoformat(),
            "--effective-from", SIGNED.isoformat(), "--profession", "medecin", "--publish",
            "--no-index",
        )  # fmt: skip
    index = _cesp(url, data_dir, "zones", "index")
    print(
        f"cesp geo load {geo:.1f} s + 13 x cesp zones import --publish {decrees:.1f} s + "
        f"cesp zones index {index:.1f} s = {geo + decrees + index:.1f} s (target < 120 s)"
    )


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="sqlite:///var/bench/national.sqlite")
    parser.add_argument("--data-dir", type=Path, default=Settings().data_dir)
    parser.add_argument("--keep-geography", action="store_true")
    parser.add_argument("--cli", action="store_true", help="through the cesp commands")
    args = parser.parse_args()
    if args.cli:
        run_cli(args.database_url, args.data_dir)
        return
    engine = create_engine(args.database_url)
    if not args.keep_geography:
        schema.downgrade(engine, "base")
    schema.upgrade(engine)
    started = time.perf_counter()
    report = load_reference(engine, args.data_dir)
    geo_seconds = time.perf_counter() - started
    print(
        f"geo load: {geo_seconds:.1f} s ({report.communes} communes, unchanged={report.unchanged})"
    )
    decrees = generate(args.data_dir, Path("var/bench/national"))
    total = 0.0
    for generated in decrees[:-1]:
        request = DecreeRequest(
            region=generated.region,
            reference=f"BENCH-{generated.region}",
            signed=SIGNED,
            effective_from=SIGNED,
            profession="medecin",
            publish=True,
        )
        t0 = time.perf_counter()
        result = import_decree(engine, generated.path, request, actor="bench")
        seconds = time.perf_counter() - t0
        total += seconds
        print(
            f"region {generated.region}: {len(result.zones)} zones, {result.communes} communes, "
            f"{seconds:.2f} s ({result.status})"
        )
    print(f"national zoning: 13 decrees in {total:.1f} s (target < 60 s)")
    print(f"geo load + national zoning: {geo_seconds + total:.1f} s (target < 120 s)")
    ara = decrees[-1]
    request = DecreeRequest(
        region="84",
        reference="BENCH-ARA-COMMUNES",
        signed=SIGNED,
        effective_from=SIGNED,
        profession="medecin",
    )
    t0 = time.perf_counter()
    result = import_decree(engine, ara.path, replace(request), actor="bench")
    print(
        f"ARA one zone per commune: {len(result.zones)} zones in "
        f"{time.perf_counter() - t0:.1f} s (target < 15 s)"
    )


if __name__ == "__main__":
    main()
