"""``creditbox generate``: a group's billing exports and bank files, reproducible from a seed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from creditbox.cli.context import console, fail, parse_date
from creditbox.cli.formats import progress_bar
from creditbox.generator.group import MANIFEST, generate_group
from creditbox.generator.model import GroupSpec

DEFAULT_UNTIL = GroupSpec().until


def generate(
    companies: int = typer.Option(2, "--companies", "--aziende", min=1, max=99, help="Numero di aziende del gruppo"),
    customers: int = typer.Option(
        1000, "--customers", "--clienti", min=1, help="Clienti in tutto (divisi fra le aziende)"
    ),
    months: int = typer.Option(12, "--months", "--mesi", min=1, max=120, help="Mesi di bollette"),
    seed: int = typer.Option(1, "--seed", help="Seme: lo stesso seme dà gli stessi file"),
    until: str = typer.Option(
        DEFAULT_UNTIL.isoformat(), "--until", "--fino-al", help="Data dell'estrazione (GG/MM/AAAA o AAAA-MM-GG)"
    ),
    out: Path = typer.Option(Path("dati-generati"), "--out", help="Cartella in cui scrivere i file"),
) -> None:
    """Genera le estrazioni del gestionale di un gruppo (clienti, forniture, bollette, pagamenti; una
    azienda su due nel formato piatto, con il suo profilo di importazione) e i file della banca
    (camt.053 mensili e un camt.054), con clienti che pagano puntuali, in ritardo, in parte, mai, dopo
    la sospensione, con RID insoluti ed enti pubblici lenti."""
    if out.exists() and not out.is_dir():
        fail(f"--out: {str(out)!r} è un file, non una cartella", 2)
    if customers < companies:
        fail("--customers: serve almeno un cliente per azienda", 2)
    extraction: date = parse_date(until, DEFAULT_UNTIL, option="--until")
    spec = GroupSpec(companies=companies, customers=customers, months=months, seed=seed, until=extraction)
    with progress_bar(on_stderr=True) as progress:
        task = progress.add_task("Generazione clienti", total=customers)
        result = generate_group(spec, out, progress=lambda n: progress.advance(task, n))
    for files in result:
        counts = files.counts
        layout = "formato piatto, profilo " + files.profile.name if files.profile else "formato standard"
        console.print(
            f"[bold]{files.plan.code}[/] {files.plan.name}: {counts['clienti']} clienti, "
            f"{counts['forniture']} forniture, {counts['bollette']} bollette, {counts['pagamenti']} pagamenti "
            f"nell'estrazione ({layout}); {len(files.bank_files)} file della banca con "
            f"{counts['accrediti_banca']} accrediti e {counts['addebiti_banca']} RID insoluti"
        )
    console.print(f"File scritti in {out}; l'elenco è in {out / MANIFEST}")
