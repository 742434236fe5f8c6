"""``creditbox export …``: what leaves CreditBox as evidence.

``export dossier CUSTOMER --company C --out F.zip [--json]``: the evidence dossier of a position
(*fascicolo probatorio*, ``application/dossier.py``): a ZIP with the customer, the statement of account,
the bills, every notice with its delivery proofs, the offices' records, cases, locks, plans and
approvals, the legal milestones, the full event history and the manifest with the SHA-256 of every
file and the position's chain head. ``creditbox audit verify-dossier F.zip`` checks it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from creditbox.cli.context import console, container, print_json
from creditbox.cli.options import AsJson, Company, Customer
from creditbox.cli.paths import output_file, writing

app = typer.Typer(help="Esportazioni: il fascicolo probatorio di una posizione.", no_args_is_help=True)

OutOption = Annotated[Path, typer.Option("--out", help="File ZIP da scrivere (es. fascicolo.zip)")]


@app.command("dossier")
def dossier(customer: Customer, company: Company, out: OutOption, as_json: AsJson = False) -> None:
    """Fascicolo probatorio della posizione: anagrafica, estratto conto, bollette, avvisi con le prove di
    consegna, note degli uffici, pratiche, blocchi, piani e approvazioni, fasi legali, storia degli eventi
    e manifesto con lo SHA-256 di ogni file e la testa della catena."""
    output_file(out, "--out")
    with container(follow=False) as c:
        found, content = c.dossiers().archive(company, customer)
        with writing(out, "--out"):
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(content)
    manifest = found.manifest
    if as_json:
        print_json(
            {
                "file": str(out),
                "company": manifest["company"],
                "customer_code": manifest["customer_code"],
                "created_at": manifest["created_at"],
                "chain_head": manifest["chain_head"],
                "files": len(manifest["files"]),
                "size": len(content),
            }
        )
        return
    head = manifest["chain_head"]
    console.print(
        f"Fascicolo del cliente {escape(found.customer_code)} ({escape(found.company)}) scritto in "
        f"{escape(str(out))}: {len(manifest['files'])} file, {manifest['events']} eventi, "
        f"testa della catena alla versione {head['version']} ({head['hash']})"
    )
