"""A flat CSV export of 1,000,000 bills (one row per bill, 100,000 customers and supplies repeated on
their rows), as Italian billing software writes it — Windows-1252, ``;``, decimal commas,
``dd/mm/yyyy`` — imported through a flat profile on PostgreSQL, end to end through
``ImportService`` (the reading process, the checks within the file, the writer process).

Prints, from one run:

- the peak resident memory of the importing process and of its children (the reading process and
  the writer process), measured in a child interpreter started for the import alone
  (``resource.getrusage``), against the target of 1 GB;
- the import's events per second, beside the **ceiling**: the bare batched append of the same
  number of events, aggregates and ``app.save`` calls on the same database (``bench_import``'s
  ``measure_ceiling``), and the ratio (target: at least 50 %).

Size: ``BENCH_FLAT_BILLS`` (default 1,000,000). Database: ``BENCH_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/creditbox_bench``, dropped and recreated). The CSV file is
cached in ``bench-output/``.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.bench_import import DEFAULT_PG, POSTGRES_TARGET_RATIO, ImportRun, fresh_database, measure_ceiling
from bench.figures import record

OUTPUT = Path("bench-output")
TARGET_MB = 1024
HEADER = (
    "Cod. Cliente;Ragione Sociale;Tipo Cliente;Codice Fiscale;Indirizzo;CAP;Comune;Prov.;"
    "POD/PDR;Servizio;Tipo Fornitura;Matricola;N. Documento;Data Documento;Data Scadenza;Totale Documento"
)
PROFILE: dict[str, Any] = {
    "description": "Estrazione piatta: una riga per bolletta",
    "sheets": {
        "Clienti": {
            "columns": {
                "Codice Cliente": "Cod. Cliente",
                "Nominativo": "Ragione Sociale",
                "Tipologia Cliente": "Tipo Cliente",
                "Codice Fiscale": "Codice Fiscale",
                "Indirizzo": "Indirizzo",
                "CAP": "CAP",
                "Comune": "Comune",
                "Provincia": "Prov.",
            }
        },
        "Forniture": {
            "columns": {
                "Codice Fornitura": "POD/PDR",
                "Codice Cliente": "Cod. Cliente",
                "Tipologia Servizio": "Servizio",
                "Tipologia Fornitura": "Tipo Fornitura",
                "Matricola Contatore": "Matricola",
            }
        },
        "Bollette": {
            "columns": {
                "Numero Bolletta": "N. Documento",
                "Codice Cliente": "Cod. Cliente",
                "Codice Fornitura": "POD/PDR",
                "Data Emissione": "Data Documento",
                "Data Scadenza": "Data Scadenza",
                "Importo": "Totale Documento",
            }
        },
    },
}
CITIES = (("Milano", "MI", "20121"), ("Roma", "RM", "00184"), ("Napoli", "NA", "80133"), ("Forlì", "FC", "47121"))


def flat_csv(bills: int) -> Path:
    """The flat export, written straight as text (a tenth as many customers, one supply each)."""
    path = OUTPUT / f"flat-{bills}.csv"
    if path.exists():
        return path
    started = time.perf_counter()
    print(f"generating {path} ...", flush=True)
    rng = random.Random(4242)
    customers = max(bills // 10, 1)
    first_day = date(2025, 1, 1)
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", encoding="windows-1252", newline="") as out:
        out.write(HEADER + "\r\n")
        for index in range(bills):
            n = index % customers
            city, province, cap = CITIES[n % len(CITIES)]
            issued = first_day + timedelta(days=(index // customers) * 30 + n % 28)
            cents = rng.randint(1_000, 250_000)
            amount = f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"
            out.write(
                f"C{n:07d};Società Cliente {n} S.r.l.;{1 + n % 4};;Via Roma {n % 200 + 1};{cap};{city};{province};"
                f"IT001E{n:08d};{1 + n % 3};1;M{n:09d};F{index:09d};{issued:%d/%m/%Y};"
                f"{issued + timedelta(days=30):%d/%m/%Y};{amount}\r\n"
            )
    temporary.rename(path)
    print(f"generated in {time.perf_counter() - started:.0f} s ({path.stat().st_size / 1e6:.0f} MB)", flush=True)
    return path


def _child(url: str, path: str) -> None:
    """The import alone in this interpreter; prints its figures as JSON on the last line."""
    import resource

    from creditbox.bootstrap import bootstrap
    from creditbox.settings import Settings

    with bootstrap(Settings(database_url=url)) as container:
        container.companies.register("FLAT", "Benchmark S.p.A.", by="bench")
        container.import_profiles().set("FLAT", "piatto", PROFILE, by="bench")
        parser = container.import_profiles().parser("FLAT", "piatto")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        content = Path(path).read_bytes()
        started = time.perf_counter()
        result = container.importer().run(content, Path(path).name, "FLAT", by="bench", parser=parser)
        seconds = time.perf_counter() - started
    figures = {
        "seconds": seconds,
        "events": result.events,
        "aggregates": result.saved_aggregates + 1,
        "saves": result.saves + 1,
        "totals": result.totals.as_json(),
        "rejected": [r.as_json() for r in result.rejected[:3]],
        "before_mb": before,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "children_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
    }
    print(json.dumps(figures), flush=True)


def run() -> None:
    OUTPUT.mkdir(exist_ok=True)
    bills = int(os.environ.get("BENCH_FLAT_BILLS", "1000000"))
    path = flat_csv(bills)
    url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG)
    fresh_database("postgres")
    print(f"flat CSV {path.name}: {bills:,} bills, {path.stat().st_size / 1e6:.0f} MB; importing ...", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_flat_csv", url, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "BENCH_POSTGRES_URL": url},
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    totals = figures["totals"]
    if totals["rejected"]:
        raise AssertionError(f"{totals['rejected']} rows rejected: {figures['rejected']}")
    rate = figures["events"] / figures["seconds"]
    print(
        f"import: {totals['accepted']:,} records accepted, {totals['unchanged']:,} unchanged (repeated customers"
        f" and supplies), {figures['events']:,} events in {figures['seconds']:.0f} s = {rate:,.0f} events/s",
        flush=True,
    )
    peak, children = figures["peak_mb"], figures["children_peak_mb"]
    print(f"peak memory: import process {peak:,} MB (before the import {figures['before_mb']:,} MB)", flush=True)
    print(f"peak memory: its largest child (reading or writer process) {children:,} MB", flush=True)
    for who, mb in (("import process", peak), ("reading/writer process", children)):
        print(f"target: {who} under {TARGET_MB:,} MB: {'OK' if mb < TARGET_MB else 'MISSED'}", flush=True)
        record(f"peak memory, {who}", mb, "MB", goal=f"under {TARGET_MB:,} MB", met=mb < TARGET_MB)
    shape = ImportRun(bills, figures["events"], figures["seconds"], figures["aggregates"], figures["saves"], "")
    events, seconds = measure_ceiling("postgres", shape)
    ceiling = events / seconds
    print(
        f"ceiling (bare batched append, same events, aggregates and saves): {events:,} events in {seconds:.0f} s"
        f" = {ceiling:,.0f} events/s; import/ceiling = {rate / ceiling:.0%}",
        flush=True,
    )
    verdict = "OK" if rate / ceiling >= POSTGRES_TARGET_RATIO else "MISSED"
    print(f"target: import >= {POSTGRES_TARGET_RATIO:.0%} of the ceiling: {verdict}", flush=True)
    record(
        f"import, {bills:,} bills ({figures['events']:,} events)",
        rate,
        "events/s",
        ceiling=ceiling,
        goal=f"at least {POSTGRES_TARGET_RATIO:.0%} of the ceiling",
        met=verdict == "OK",
    )
    record(f"whole import, {bills:,} bills", figures["seconds"], "s")


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
