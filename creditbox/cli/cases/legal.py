"""``cases legal …``: the legal proceedings of the cases handed over to litigation (*contenzioso*).

- ``record``: a milestone of a case (injunction filed, granted, served, opposed, judgment, enforcement,
  amounts recovered, closed), with its date, court, docket number, amount, next deadline and documents;
- ``list``: the milestones of a customer's cases in litigation;
- ``worklist``: the *contenzioso* of a company, nearest next deadline first (on screen or to Excel);
- ``document``: the bytes of an attached document back, by its SHA-256.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from creditbox.api.permissions import Permission
from creditbox.application.legal_documents import Attachment
from creditbox.application.legal_proceedings import CaseProceedings, MilestoneDraft, proceedings_json
from creditbox.cli.cases.session import REFUSED, acting_operator, amount, known_customer, report
from creditbox.cli.choices import allowed_help, enum_choice
from creditbox.cli.context import add_commands, catch_up_views, console, container, fail, parse_date, print_json
from creditbox.cli.options import AsJson, By, Company, Customer, Note
from creditbox.cli.paths import output_file, write_checked, writing
from creditbox.domain.money import format_euro
from creditbox.domain.wording import plural
from creditbox.domain.workflow.legal import LegalMilestoneKind
from creditbox.infrastructure.excel.writer import save_workbook
from creditbox.projections.exports import worklist_sheet
from creditbox.projections.queries.worklist_views import MAX_PAGE, WorklistFilters, worklist_screen
from creditbox.projections.queries.worklists import WorklistItem
from creditbox.projections.worklist_rows import WorklistKind

CaseArg = Annotated[str, typer.Argument(help="Pratica (es. S1/1) o fornitura (es. S1, con il numero dopo)")]
NumberArg = Annotated[int | None, typer.Argument(help="Numero della pratica sulla fornitura (con la fornitura)")]


def _case_id(case: str, number: int | None) -> str:
    """``S1/1`` from ``S1/1`` alone or from ``S1`` and ``1``."""
    if number is None:
        if "/" not in case:
            fail(f"pratica {case!r}: indicare fornitura e numero (es. {case} 1, oppure {case}/1)", REFUSED)
        return case
    if "/" in case:
        fail(f"pratica {case!r} già con il numero: non indicare anche {number}", REFUSED)
    return f"{case}/{number}"


def record(
    customer: Customer,
    case: CaseArg,
    company: Company,
    kind_text: Annotated[str, typer.Option("--kind", help="Fase: " + allowed_help(LegalMilestoneKind))],
    on: Annotated[str, typer.Option("--date", help="Data della fase (AAAA-MM-GG)")],
    number: NumberArg = None,
    court: Annotated[str | None, typer.Option("--court", help="Tribunale (es. Tribunale di Milano)")] = None,
    docket: Annotated[str | None, typer.Option("--docket", help="Numero di ruolo (R.G.)")] = None,
    amount_text: Annotated[str | None, typer.Option("--amount", help="Importo (ingiunto, recuperato …)")] = None,
    deadline: Annotated[
        str | None, typer.Option("--deadline", help="Prossima scadenza (udienza, termine …; AAAA-MM-GG)")
    ] = None,
    note: Note = "",
    attach: Annotated[
        list[Path] | None,
        typer.Option("--attach", help="Documento da allegare (PDF, immagine, .eml, .p7m, .docx, .xlsx); ripetibile"),
    ] = None,
    by: By = None,
) -> None:
    """Registra una fase del contenzioso di una pratica passata all'ufficio legale."""
    kind = enum_choice(LegalMilestoneKind, kind_text, "fase")
    case_id = _case_id(case, number)
    attachments: list[Attachment] = []
    for file in attach or []:  # every file is read before anything is recorded
        try:
            attachments.append(Attachment(file.name, file.read_bytes()))
        except OSError as error:
            fail(f"--attach: impossibile leggere {str(file)!r}: {error.strerror or error}", REFUSED)
    with known_customer(company, customer) as (c, code):
        acting = acting_operator(c, code, by, Permission.CASES_LITIGATE)
        draft = MilestoneDraft(
            kind=kind,
            occurred_on=parse_date(on, c.clock.today(), option="--date"),
            court=court,
            docket=docket,
            amount=amount(amount_text) if amount_text is not None else None,
            next_deadline=parse_date(deadline, c.clock.today(), option="--deadline") if deadline else None,
            note=note,
            attachments=tuple(attachments),
        )
        result = c.legal_proceedings().record(code, customer, case_id, draft, by=acting.name)
        report(result, f"{kind.label} registrato per la pratica {case_id}")


def list_milestones(
    customer: Customer,
    company: Company,
    case: Annotated[str | None, typer.Argument(help="Solo questa pratica (es. S1/1, o S1 e il numero)")] = None,
    number: NumberArg = None,
    as_json: AsJson = False,
) -> None:
    """Le fasi del contenzioso delle pratiche di un cliente, nell'ordine in cui sono state registrate."""
    case_id = _case_id(case, number) if case is not None else None
    with known_customer(company, customer) as (c, code):
        found = c.legal_proceedings().of_customer(code, customer, case_id)
        if as_json:
            print_json({"company": code, "customer_code": customer, "cases": [proceedings_json(p) for p in found]})
            return
        if not found:
            console.print(f"Nessuna pratica in contenzioso per il cliente {customer}.")
            return
        for proceedings in found:
            console.print(_table(proceedings))


def _table(p: CaseProceedings) -> Table:
    deadline = f"; prossima scadenza {p.next_deadline:%d/%m/%Y}" if p.next_deadline else ""
    table = Table(
        "Data",
        "Fase",
        "Tribunale",
        "Ruolo",
        "Importo",
        "Scadenza",
        "Documenti",
        "Registrata",
        "Nota",
        title=f"Pratica {p.case_id} — {p.status.label}{deadline}",
    )
    for m in p.milestones:
        table.add_row(
            f"{m.occurred_on:%d/%m/%Y}",
            m.kind.label,
            m.court or "",
            m.docket or "",
            format_euro(m.amount) if m.amount is not None else "",
            f"{m.next_deadline:%d/%m/%Y}" if m.next_deadline else "",
            ", ".join(d.name for d in m.documents),
            f"{m.recorded_at:%d/%m/%Y %H:%M} {m.recorded_by}",
            m.note,
        )
    return table


def worklist(
    company: Company,
    out: Annotated[Path | None, typer.Option("--out", help="File Excel da scrivere (.xlsx)")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Righe a video (l'Excel le contiene tutte)")] = 50,
) -> None:
    """Il contenzioso dell'azienda: ogni pratica con l'ultima fase, tribunale, ruolo e la prossima
    scadenza, la più vicina per prima (le pratiche senza scadenza in fondo)."""
    if out is not None:
        output_file(out, "--out")
    with container() as c:
        code = c.companies.require(company)
        catch_up_views(c)
        with c.projections.connect() as conn:
            items = _by_deadline(conn, code, None if out is not None else max(1, min(limit, MAX_PAGE)))
        if out is not None:
            with writing(out, "--out"):
                save_workbook([worklist_sheet(items, "Contenzioso")], out)
            console.print(f"{plural(len(items), 'riga scritta', 'righe scritte')} in {out}")
            return
        columns = ("Prossima scadenza", "Cliente", "Pratica", "Ultima fase", "Tribunale", "Ruolo", "Importo")
        table = Table(*columns, title=f"Contenzioso — {code}")
        for i in items:
            phase = f"{i.legal_milestone_label} ({i.legal_milestone_on:%d/%m/%Y})" if i.legal_milestone_on else i.detail
            table.add_row(
                f"{i.next_deadline:%d/%m/%Y}" if i.next_deadline else "",
                f"{i.customer_code} {i.customer_name}",
                i.case_id or "",
                phase,
                i.court or "",
                i.docket or "",
                format_euro(i.amount),
            )
        console.print(table)


def _by_deadline(conn: Any, company: str, limit: int | None) -> list[WorklistItem]:
    """The company's litigation items by next deadline: ``limit`` of them, or every one (None)."""
    items: list[WorklistItem] = []
    while True:
        size = MAX_PAGE if limit is None else limit
        page = worklist_screen(
            conn,
            company,
            WorklistKind.LITIGATION.value,
            WorklistFilters(),
            sort="scadenza",
            ascending=True,
            offset=len(items),
            limit=size,
        )
        items.extend(page)
        if limit is not None or len(page) < size:
            return items


def document(
    sha256: Annotated[str, typer.Argument(help="Impronta SHA-256 del documento")],
    company: Company,
    out: Annotated[Path, typer.Option("--out", help="File da scrivere")],
) -> None:
    """Scrive un documento allegato a una fase del contenzioso, dopo averne verificato l'impronta."""
    output_file(out, "--out")
    with container(follow=False) as c:
        code = c.companies.require(company)
        content = c.legal_documents().read(code, sha256)
    write_checked(out, "--out", lambda path: path.write_bytes(content))
    console.print(f"Documento {sha256.strip().lower()} scritto in {out} ({plural(len(content), 'byte', 'byte')})")


app = typer.Typer(help="Contenzioso: fasi legali delle pratiche, documenti, scadenze.", no_args_is_help=True)
add_commands(
    app,
    (("record", record), ("list", list_milestones), ("worklist", worklist), ("document", document)),
)
