"""The evidence dossier of a position (*fascicolo probatorio*): everything a lawyer files with an
injunction, and what a judge needs to check it.

:class:`DossierBuilder` gathers, through its ports, the customer and its supplies, the statement of
account (JSON, Excel, PDF) with the interest computation and the two-year limitation flags, every bill,
every notice with its files (as sent when the channel kept them, otherwise regenerated from the same
composer and template — the notices' index says which) and its delivery proofs (the PEC receipts kept
as evidence, the outcomes recorded on each step, A/R included), the technical office's and the agency's
records, the cases with their steps, approvals, locks and plans (who and when: from the events), the
legal milestones with their documents, the full event history (JSON, the stored events exactly as
stored with their chain links, and a timeline in Italian as PDF).

Then the manifest (``manifest.json``): every file with its SHA-256 and size, the dossier's creation
time (the clock's), the company and the customer, and the position's chain head (``event_chain``): the
version and hash of its last link. :mod:`creditbox.application.dossier_check` checks a dossier against
itself and against the live store. Writing the ZIP and the PDFs is the infrastructure's
(``infrastructure/dossier/``), composed in ``bootstrap.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from creditbox.application.dossier_format import (
    AS_SENT,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    REGENERATED,
    STORED_EVENTS,
    as_json,
    chain_head,
    is_utf8,
    manifest_bytes,
    safe_name,
    sha256_hex,
)
from creditbox.application.dossier_ports import (
    ChainRecords,
    Evidence,
    LegalDocumentSource,
    NoticeLedger,
    OfficeRecords,
    Packer,
    PositionEvents,
    Receipts,
    SentFiles,
    Statements,
    Timeline,
    TimelineRenderer,
    TimelineRow,
)
from creditbox.application.history import PositionHistory
from creditbox.application.integrity import History
from creditbox.application.office_notes import OfficeNote
from creditbox.application.ports import ChannelMessage, OutboxEntry
from creditbox.application.statement import Statement, StatementFormat, statement_as_json
from creditbox.clock import Clock
from creditbox.domain.errors import DomainError
from creditbox.domain.ids import position_id
from creditbox.domain.position import Position
from creditbox.projections.describe import plain, show

# The events that tell who set, lifted, agreed, approved or refused what, and when.
CASE_FACTS = {
    "LockSet": "blocco",
    "LockLifted": "blocco",
    "RepaymentPlanAgreed": "piano",
    "InstalmentPaid": "piano",
    "InstalmentMissed": "piano",
    "RepaymentPlanBroken": "piano",
    "RepaymentPlanCompleted": "piano",
    "ApprovalRequested": "approvazione",
    "StepApproved": "approvazione",
    "StepRefused": "approvazione",
    "ProposalConfirmed": "approvazione",
    "ProposalDiscarded": "approvazione",
    "WriteOffRequested": "approvazione",
    "WriteOffApproved": "approvazione",
    "WriteOffRefused": "approvazione",
    "HandedOverToLitigation": "contenzioso",
    "LitigationOutcomeRecorded": "contenzioso",
    "LegalMilestoneRecorded": "contenzioso",
    "OutcomeRecorded": "esito",
    "OutcomeCorrected": "esito",
    "DeliveryFailed": "esito",
}


# ---- the dossier ----------------------------------------------------------------------------------


@dataclass
class Dossier:
    """The files of a dossier by path (in the order written) and its manifest."""

    company: str
    customer_code: str
    files: dict[str, bytes]
    manifest: dict[str, Any]

    def contents(self) -> dict[str, bytes]:
        """Every file of the archive, the manifest first."""
        return {MANIFEST: manifest_bytes(self.manifest), **self.files}

    @property
    def file_name(self) -> str:
        return f"fascicolo-{self.company}-{self.customer_code}.zip"


@dataclass
class _Files:
    files: dict[str, bytes] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)

    def add(self, path: str, content: bytes, description: str) -> str:
        if path in self.files:
            raise ValueError(f"file duplicato nel fascicolo: {path}")
        self.files[path] = content
        self.descriptions[path] = description
        return path


class DossierBuilder:
    """Assembles the dossier of one position (see the module's docstring)."""

    def __init__(
        self,
        *,
        clock: Clock,
        company_name: Callable[[str], str],
        require_company: Callable[[str], str],
        positions: PositionEvents,
        chain: ChainRecords,
        statements: Callable[[], Statements],
        notices: NoticeLedger,
        sent_files: SentFiles,
        compose: Callable[[OutboxEntry], ChannelMessage] | None,
        render_letter: Callable[[ChannelMessage], bytes] | None,
        receipts: Receipts,
        evidence: Evidence,
        office_records: OfficeRecords,
        timeline: TimelineRenderer,
        pack: Packer,
        legal_documents: LegalDocumentSource | None = None,
    ) -> None:
        self._pack = pack
        self._clock = clock
        self._company_name = company_name
        self._require_company = require_company
        self._positions = positions
        self._chain = chain
        self._statements = statements
        self._notices = notices
        self._sent_files = sent_files
        self._compose = compose
        self._render_letter = render_letter
        self._receipts = receipts
        self._evidence = evidence
        self._office_records = office_records
        self._timeline = timeline
        self._legal_documents = legal_documents

    def archive(self, company: str, customer_code: str) -> tuple[Dossier, bytes]:
        """The dossier and its archive's bytes."""
        dossier = self.build(company, customer_code)
        created_at = datetime.fromisoformat(dossier.manifest["created_at"])
        return dossier, self._pack(dossier.contents(), created_at)

    def build(self, company: str, customer_code: str) -> Dossier:
        code = self._require_company(company)
        position = self._positions.load(code, customer_code)
        created_at = self._clock.now()
        today = self._clock.today()
        zone = getattr(created_at, "tzinfo", None)
        history = self._positions.history(code, customer_code, as_of=None, zone=zone)
        stored = self._chain.history_of(position_id(code, customer_code))
        head_version, head_hash = chain_head(stored)
        out = _Files()
        company_name = self._company_name(code)

        self._customer(out, position)
        statement = self._statements().build(code, customer_code, today)
        self._statement(out, statement)
        self._bills(out, position, statement)
        notices = self._notices_of(out, code, customer_code)
        out.add(
            "uffici/note_uffici.json",
            as_json([n.as_json() for n in self._office(code, customer_code)]),
            "Note dell'ufficio tecnico (date pianificate) e dell'agenzia (promesse di pagamento)",
        )
        self._cases(out, position, history)
        legal_missing = self._legal(out, code, position)
        self._history(out, code, company_name, position, history, stored, created_at, head_hash)

        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "company": code,
            "company_name": company_name,
            "customer_code": customer_code,
            "customer_name": position.details.name,
            "created_at": created_at.isoformat(),
            "statement_as_of": today.isoformat(),
            "position_id": str(position_id(code, customer_code)),
            "chain_head": {"version": head_version, "hash": head_hash},
            "events": len(stored.events),
            "notices": notices,
            "notes": legal_missing,
            "files": [
                {
                    "path": path,
                    "sha256": sha256_hex(content),
                    "size": len(content),
                    "description": out.descriptions[path],
                }
                for path, content in out.files.items()
            ],
        }
        return Dossier(code, customer_code, out.files, manifest)

    # ---- the parts ------------------------------------------------------------------------------

    def _customer(self, out: _Files, position: Position) -> None:
        details = position.details
        customer = {"customer_code": position.customer_code, "company": position.company, **plain(vars(details))}
        supplies = [plain(vars(s)) for s in position.supplies.values()]
        out.add("cliente/cliente.json", as_json(customer), "Anagrafica del cliente (JSON)")
        out.add("cliente/forniture.json", as_json(supplies), "Forniture del cliente (JSON)")
        lines = [f"Cliente {position.customer_code} — azienda {position.company}", ""]
        lines += [f"{LABELS.get(key, key)}: {_text(value)}" for key, value in vars(details).items()]
        for found in position.supplies.values():
            lines += ["", f"Fornitura {found.code}"]
            lines += [f"  {LABELS.get(key, key)}: {_text(value)}" for key, value in vars(found).items()]
        out.add("cliente/cliente.txt", ("\n".join(lines) + "\n").encode("utf-8"), "Cliente e forniture (leggibile)")

    def _statement(self, out: _Files, statement: Statement) -> None:
        service = self._statements()
        out.add("estratto_conto/estratto_conto.json", as_json(statement_as_json(statement)), "Estratto conto (JSON)")
        out.add(
            "estratto_conto/estratto_conto.xlsx",
            service.render(statement, StatementFormat.XLSX),
            "Estratto conto (Excel)",
        )
        out.add(
            "estratto_conto/estratto_conto.pdf", service.render(statement, StatementFormat.PDF), "Estratto conto (PDF)"
        )
        data = statement_as_json(statement)
        interest = {
            "as_of": data["as_of"],
            "regime": data["regime"],
            "lines": data["interest"],
            "rate_gaps": data["rate_gaps"],
            "interest": data["totals"]["interest"],
            "compensation": data["totals"]["compensation"],
            "notes": data["notes"],
        }
        out.add(
            "estratto_conto/interessi.json", as_json(interest), "Calcolo degli interessi di mora per periodo di tasso"
        )

    def _bills(self, out: _Files, position: Position, statement: Statement) -> None:
        lines = {b.number: b for b in statement.bills}
        bills = []
        for bill in sorted(position.bills.values(), key=lambda b: (b.issue_date, b.number)):
            line = lines.get(bill.number)
            bills.append(
                {
                    **plain(vars(bill)),
                    "residual": str(line.residual) if line is not None else None,
                    "time_barred": line.time_barred if line is not None else False,
                    "limitation": line.limitation.label if line is not None and line.limitation is not None else None,
                }
            )
        notes = [plain(vars(n)) for n in position.credit_notes.values()]
        payments = [plain(vars(p)) for p in position.payments.values()]
        out.add("bollette/bollette.json", as_json(bills), "Ogni bolletta, con residuo e prescrizione biennale")
        out.add("bollette/note_di_credito.json", as_json(notes), "Note di credito")
        out.add("bollette/pagamenti.json", as_json(payments), "Pagamenti")

    def _notices_of(self, out: _Files, company: str, customer_code: str) -> list[dict[str, Any]]:
        index: list[dict[str, Any]] = []
        entries = [e for e in self._notices.list(company) if e.customer_code == customer_code]
        for entry in entries:
            folder = f"avvisi/{safe_name(entry.action_key)}"
            files: list[dict[str, str]] = []
            for name, content in self._sent_files.files_of(entry):
                path = out.add(
                    f"{folder}/inviato/{safe_name(name)}", content, f"Avviso {entry.action_key}: file inviato"
                )
                files.append({"path": path, "source": AS_SENT})
            if not any(f["path"].endswith(".pdf") for f in files):
                files += self._regenerated(out, folder, entry)
            proofs = []
            for receipt in self._receipts.of_action(company, entry.action_key):
                try:
                    content = self._evidence.read(company, receipt.digest)
                except OSError:
                    proofs.append({"kind": receipt.kind, "sha256": receipt.digest, "missing": True})
                    continue
                path = f"{folder}/ricevute/{receipt.digest}.eml"
                if path not in out.files:
                    out.add(path, content, f"Ricevuta PEC ({receipt.kind}) dell'avviso {entry.action_key}")
                proofs.append(
                    {
                        "kind": receipt.kind,
                        "path": path,
                        "sha256": receipt.digest,
                        "issued_at": receipt.issued_at.isoformat(),
                        "outcome": receipt.outcome,
                        "recipient": receipt.recipient,
                    }
                )
            index.append(
                {
                    "action_key": entry.action_key,
                    "case_id": entry.case_id,
                    "seq": entry.seq,
                    "action_code": entry.action_code.code,
                    "action": entry.action_code.label,
                    "channel": entry.channel,
                    "recipient": entry.recipient,
                    "business_date": entry.business_date.isoformat(),
                    "status": entry.status,
                    "attempts": entry.attempts,
                    "files": files,
                    "receipts": proofs,
                }
            )
        out.add("avvisi/avvisi.json", as_json(index), "Indice degli avvisi: file (inviati o rigenerati) e ricevute")
        return index

    def _regenerated(self, out: _Files, folder: str, entry: OutboxEntry) -> list[dict[str, str]]:
        if self._compose is None:
            return []
        try:
            message = self._compose(entry)
        except Exception as error:
            note = f"avviso non ricomponibile: {error}".encode()
            return [
                {
                    "path": out.add(f"{folder}/rigenerato/errore.txt", note, "Avviso non ricomponibile"),
                    "source": REGENERATED,
                }
            ]
        files = []
        body = {
            "action_key": message.action_key,
            "channel": message.channel,
            "recipient": message.recipient,
            "subject": message.subject,
            "text": message.text,
        }
        files.append(out.add(f"{folder}/rigenerato/messaggio.json", as_json(body), "Avviso ricomposto (testo)"))
        if message.html:
            files.append(out.add(f"{folder}/rigenerato/messaggio.html", message.html.encode("utf-8"), "Avviso (HTML)"))
        if self._render_letter is not None and message.channel in ("lettera", "raccomandata"):
            try:
                pdf = self._render_letter(message)
            except Exception:
                pdf = None
            if pdf is not None:
                files.append(out.add(f"{folder}/rigenerato/lettera.pdf", pdf, "Lettera ricomposta (PDF)"))
        return [{"path": path, "source": REGENERATED} for path in files]

    def _office(self, company: str, customer_code: str) -> list[OfficeNote]:
        return self._office_records.list(company, customer=customer_code)

    def _cases(self, out: _Files, position: Position, history: PositionHistory) -> None:
        cases = []
        for case in position.dunning.cases.values():
            data = {k: plain(v) for k, v in vars(case).items() if not k.startswith("_")}
            data["failed_sends"] = plain(list(case.failed_sends.values()))
            cases.append(data)
        out.add("pratiche/pratiche.json", as_json(cases), "Pratiche di sollecito con passi, esiti e piani")
        locks = [plain(vars(lock)) for lock in position.dunning.locks.values()]
        out.add("pratiche/blocchi.json", as_json(locks), "Blocchi della posizione")
        facts = [
            {
                "kind": CASE_FACTS[entry.type],
                "event": entry.type,
                "version": entry.version,
                "business_date": entry.business_date.isoformat(),
                "recorded_at": entry.recorded_at.isoformat(),
                "by": entry.by,
                "description": entry.description,
                "data": plain(entry.data),
            }
            for entry in history.entries
            if entry.type in CASE_FACTS
        ]
        out.add(
            "pratiche/blocchi_piani_approvazioni.json",
            as_json(facts),
            "Blocchi, piani, approvazioni, esiti e contenzioso: chi e quando (dagli eventi)",
        )

    def _legal(self, out: _Files, company: str, position: Position) -> list[str]:
        milestones, documents, notes = legal_items(position, company, self._legal_documents)
        for path, (content, description) in documents.items():
            out.add(path, content, description)
        out.add("legale/fasi.json", as_json(milestones), "Fasi del procedimento legale con i documenti")
        return notes

    def _history(
        self,
        out: _Files,
        company: str,
        company_name: str,
        position: Position,
        history: PositionHistory,
        stored: History,
        created_at: datetime,
        head_hash: str,
    ) -> None:
        entries = [
            {
                "version": e.version,
                "type": e.type,
                "business_date": e.business_date.isoformat(),
                "recorded_at": e.recorded_at.isoformat(),
                "by": e.by,
                "description": e.description,
                "data": plain(e.data),
            }
            for e in history.entries
        ]
        out.add("storia/eventi.json", as_json(entries), "Storia completa della posizione (JSON)")
        links = {link.version: link for link in stored.links}
        records = [
            {
                "version": record.version,
                "topic": record.topic,
                "state": record.state.decode("utf-8", errors="surrogateescape") if is_utf8(record.state) else None,
                "state_hex": None if is_utf8(record.state) else record.state.hex(),
                "link": links[record.version].hash.hex() if record.version in links else None,
                "previous": links[record.version].previous.hex() if record.version in links else None,
            }
            for record in sorted(stored.events, key=lambda r: r.version)
        ]
        body = {"originator_id": stored.originator_id, "events": records}
        out.add(
            STORED_EVENTS,
            as_json(body),
            "Eventi esattamente come registrati, con gli anelli della catena",
        )
        rows = tuple(
            TimelineRow(e.version, e.business_date, e.recorded_at, e.by or "", e.description) for e in history.entries
        )
        timeline = Timeline(
            company, company_name, position.customer_code, position.details.name, created_at, head_hash, rows
        )
        out.add("storia/cronologia.pdf", self._timeline(timeline), "Cronologia leggibile degli eventi (PDF)")


def legal_items(
    position: Position, company: str, source: LegalDocumentSource | None
) -> tuple[list[dict[str, Any]], dict[str, tuple[bytes, str]], list[str]]:
    """The legal milestones of every case (JSON), their documents by path in the dossier (each read from
    ``source`` and checked against the SHA-256 its milestone recorded), and what could not be added."""
    notes: list[str] = []
    milestones: list[dict[str, Any]] = []
    files: dict[str, tuple[bytes, str]] = {}
    for case in position.dunning.cases.values():
        for milestone in case.legal_milestones:
            documents = []
            for document in milestone.documents:
                kept_as = f"legale/documenti/{document.sha256}-{safe_name(document.name)}"
                path: str | None = kept_as
                content: bytes | None = None
                problem = f"documento {document.name} ({document.sha256}) non disponibile"
                if source is not None:
                    try:
                        content = source.read(company, document.sha256)
                    except DomainError as error:  # unknown to the store, or its bytes changed on disk
                        problem = f"documento {document.name}: {error}"
                    except (OSError, LookupError):
                        content = None
                if content is None:
                    notes.append(problem)
                    path = None
                elif sha256_hex(content) != document.sha256:
                    notes.append(f"documento {document.name}: i byte letti non hanno lo SHA-256 registrato")
                    path = None
                elif kept_as not in files:
                    files[kept_as] = (content, f"Documento della fase legale: {document.name}")
                documents.append({**plain(vars(document)), "path": path})
            milestones.append(
                {
                    "case_id": case.case_id,
                    **plain(vars(milestone)),
                    "kind_label": milestone.kind.label,
                    "documents": documents,
                }
            )
    return milestones, files, notes


def _text(value: Any) -> str:
    """A value as a person reads it (labels of codes, Italian dates and amounts)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple | dict):
        return json.dumps(plain(value), ensure_ascii=False)
    return show(value)


# The customer's and supplies' fields as ``cliente.txt`` names them.
LABELS = {
    "name": "Nome",
    "customer_type": "Tipo cliente",
    "fiscal_code": "Codice fiscale",
    "vat_number": "Partita IVA",
    "email": "E-mail",
    "pec": "PEC",
    "mobile": "Cellulare",
    "address": "Indirizzo",
    "postcode": "CAP",
    "city": "Comune",
    "province": "Provincia",
    "code": "Codice",
    "service": "Servizio",
    "supply_type": "Tipo fornitura",
    "status": "Stato",
    "meter": "Contatore",
    "start_date": "Data di attivazione",
}
