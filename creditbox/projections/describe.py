"""Italian, human-readable text for each event of the audit trail.

Events without a describer here are still listed: their name and their data, flattened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from creditbox.domain.tokens import Role
from creditbox.domain.wording import plural

ROLE_LABELS = {role.value: role.label for role in Role}
METADATA = ("originator_id", "originator_version", "timestamp", "originator_topic")

AGGREGATES = {
    "Position": "posizione",
    "Company": "azienda",
    "SupplyOwnership": "fornitura",
    "DocumentOwnership": "documento",
    "ActionsTable": "tabella azioni",
    "ImportProfile": "profilo di importazione",
    "ApiToken": "token API",
    "Import": "importazione",
    "Operator": "operatore",
    "ChainSeal": "sigillo",
    "ChannelDocument": "configurazione dei canali",
}

BUSINESS_DATE_FIELDS = ("business_date", "as_of", "on", "payment_date", "issue_date", "effective_date", "date")


_NAMES: dict[type, tuple[str, str]] = {}


def _names(event: object) -> tuple[str, str]:
    """(event name, aggregate label) of an event class, computed once per class."""
    kind = type(event)
    found = _NAMES.get(kind)
    if found is None:
        owner, _, rest = kind.__qualname__.partition(".")
        found = _NAMES[kind] = (rest.rsplit(".", 1)[-1] or owner, AGGREGATES.get(owner, owner.lower()))
    return found


def event_name(event: object) -> str:
    return _names(event)[0]


def aggregate_label(event: object) -> str:
    return _names(event)[1]


def event_data(event: object) -> dict[str, Any]:
    return {k: v for k, v in vars(event).items() if k not in METADATA}


def business_date(data: dict[str, Any]) -> date | None:
    """The first of the usual business-date fields the event carries, else its first date."""
    found = [(k, v) for k, v in data.items() if type(v) is date]
    if found:
        for name in BUSINESS_DATE_FIELDS:
            for key, value in found:
                if key == name:
                    return value
        return found[0][1]
    moment = data.get("at") or data.get("imported_at")
    return moment.date() if isinstance(moment, datetime) else None


def plain(value: Any) -> Any:
    """JSON-friendly form of event data (codes for enums, ISO dates, strings for money)."""
    kind = type(value)
    if kind is str or kind is int or value is None or kind is bool:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "__dict__"):
        return {k: plain(v) for k, v in vars(value).items()}
    return str(value)


def show(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value
    # The usual types first, by exact type (it runs for several fields of every event described).
    if kind is Decimal:
        return euro(value)
    if kind is date:
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if isinstance(value, Enum):
        label = getattr(value, "label", None)
        return label if isinstance(label, str) else str(value.value)
    if isinstance(value, Decimal):
        return euro(value)
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if value is None:
        return "—"
    return str(value)


_ITALIAN_SEPARATORS = str.maketrans(",.", ".,")


def euro(amount: Decimal) -> str:
    """``1.234,56 €`` (as ``format_euro``, for amounts already in cents: it runs for every event)."""
    return f"{amount:,.2f}".translate(_ITALIAN_SEPARATORS) + " €"


def _d(data: dict[str, Any], key: str) -> str:
    return show(data.get(key))


def _customer(d: dict[str, Any]) -> str:
    return f"{d.get('name')} ({_d(d, 'customer_type')})"


def _supply(d: dict[str, Any]) -> str:
    return f"fornitura {d.get('code')}: {_d(d, 'service')}, {_d(d, 'supply_type')}, stato {_d(d, 'status')}"


def _bill(kind: str) -> Callable[[dict[str, Any]], str]:
    def describe(d: dict[str, Any]) -> str:
        return (
            f"{kind} {d.get('number')} sulla fornitura {d.get('supply_code')}: {_d(d, 'amount')}, "
            f"emessa il {_d(d, 'issue_date')}, scadenza {_d(d, 'due_date')}"
        )

    return describe


def _payment(kind: str) -> Callable[[dict[str, Any]], str]:
    def describe(d: dict[str, Any]) -> str:
        text = f"{kind} {d.get('payment_id')} del {_d(d, 'payment_date')}: {_d(d, 'amount')}"
        if d.get("bill_number"):
            text += f" sulla bolletta {d['bill_number']}"
        if d.get("method"):
            text += f" ({d['method']})"
        return text

    return describe


def _legal_milestone(d: dict[str, Any]) -> str:
    """``Contenzioso della pratica S1/1: decreto ingiuntivo emesso il 05/03/2026 (Tribunale di Milano,
    R.G. 123/2026), importo 1.200,00 €, prossima scadenza 14/04/2026; 1 documento``."""
    text = f"Contenzioso della {_case(d)}: {_d(d, 'kind')} il {_d(d, 'occurred_on')}"
    where = ", ".join(str(v) for v in (d.get("court"), d.get("docket") and f"R.G. {d['docket']}") if v)
    if where:
        text += f" ({where})"
    if d.get("amount") is not None:
        text += f", importo {_d(d, 'amount')}"
    if d.get("next_deadline") is not None:
        text += f", prossima scadenza {_d(d, 'next_deadline')}"
    documents = d.get("documents") or []
    if documents:
        text += f"; {plural(len(documents), 'documento', 'documenti')}: " + ", ".join(
            str(doc.get("name")) for doc in documents if isinstance(doc, dict)
        )
    if d.get("note"):
        text += f" — {d['note']}"
    return text


def _channel_document(d: dict[str, Any]) -> str:
    kind = {"configurazione": "Configurazione dei canali", "modelli": "Modelli dei messaggi"}
    scope = d.get("scope")
    where = "del gruppo" if scope in (None, "*") else f"dell'azienda {scope}"
    return f"{kind.get(str(d.get('kind')), 'Configurazione dei canali')} {where}"


def _case(d: dict[str, Any]) -> str:
    return f"pratica {d.get('case_id')}"


def _step(d: dict[str, Any]) -> str:
    return f"passo {d.get('seq')} ({_d(d, 'action_code')}: {d.get('description')})"


def _outcome(d: dict[str, Any]) -> str:
    return f"{_case(d)}, passo {d.get('seq')}: {_d(d, 'outcome')} il {_d(d, 'outcome_date')}"


def _role(d: dict[str, Any]) -> str:
    return ROLE_LABELS.get(str(d.get("role")), str(d.get("role")))


def _scope(d: dict[str, Any]) -> str:
    return "tutto il gruppo" if d.get("company") == "*" else str(d.get("company"))


WORKFLOW: dict[str, Callable[[dict[str, Any]], str]] = {
    "DunningCaseOpened": lambda d: (
        f"Aperta la {_case(d)} sulla fornitura {d.get('supply_code')}, scala {d.get('ladder')}: "
        f"scaduto {_d(d, 'overdue')}"
    ),
    "BillsJoinedCase": lambda d: (
        f"Bollette {', '.join(map(str, d.get('bill_numbers') or []))} aggiunte alla {_case(d)}"
    ),
    "StepProposed": lambda d: f"Proposto il {_step(d)} della {_case(d)}, da confermare",
    "ApprovalRequested": lambda d: (
        f"Richiesta approvazione (livello {d.get('approval_level')}) per il {_step(d)} della {_case(d)}"
    ),
    "StepExecuted": lambda d: (
        f"Eseguito il {_step(d)} della {_case(d)}" + (f" verso {d['recipient']}" if d.get("recipient") else "")
    ),
    "StepSkipped": lambda d: f"Saltato il {_step(d)} della {_case(d)}: {_d(d, 'reason')} {d.get('detail') or ''}",
    "ProposalConfirmed": lambda d: f"Confermata la proposta del passo {d.get('seq')} della {_case(d)}",
    "ProposalDiscarded": lambda d: f"Scartata la proposta del passo {d.get('seq')} della {_case(d)}: {d.get('note')}",
    "StepApproved": lambda d: f"Approvato (livello {d.get('level')}) il passo {d.get('seq')} della {_case(d)}",
    "StepRefused": lambda d: f"Rifiutato (livello {d.get('level')}) il passo {d.get('seq')} della {_case(d)}",
    "OutcomeRecorded": lambda d: "Esito registrato: " + _outcome(d),
    "OutcomeCorrected": lambda d: (
        f"Esito corretto: {_case(d)}, passo {d.get('seq')}: {_d(d, 'replaced_outcome')} il "
        f"{_d(d, 'replaced_date')} sostituito da {_d(d, 'outcome')} il {_d(d, 'outcome_date')} "
        f"(motivo: {d.get('reason')})"
    ),
    "DeliveryFailed": lambda d: "Consegna fallita: " + _outcome(d),
    "ActionSendFailed": lambda d: (
        f"Invio fallito ({d.get('channel')}) "
        + (f"del {_step(d)}" if d.get("seq") is not None else "della richiesta di riattivazione")
        + f" della {_case(d)} dopo {plural(int(d.get('attempts') or 0), 'tentativo', 'tentativi')}: {d.get('error')}"
    ),
    "LadderExhausted": lambda d: f"Azioni esaurite per la {_case(d)}: scaduto {_d(d, 'overdue')}",
    "CaseClosedAsPaid": lambda d: f"Chiusa per pagamento la {_case(d)}",
    "ReactivationRequested": lambda d: f"Richiesta riattivazione della fornitura {d.get('supply_code')}",
    "SupplyReactivated": lambda d: f"Fornitura {d.get('supply_code')} riattivata il {_d(d, 'outcome_date')}",
    "ReactivationFailed": lambda d: f"Riattivazione della fornitura {d.get('supply_code')} non riuscita",
    "SupplySuspended": lambda d: f"Fornitura {d.get('supply_code')} sospesa il {_d(d, 'outcome_date')}",
    "LockSet": lambda d: (
        f"Blocco {d.get('lock_id')} ({_d(d, 'reason')}) su "
        f"{'fornitura ' + str(d['supply_code']) if d.get('supply_code') else 'intero cliente'} "
        f"dal {_d(d, 'start')}" + (f" al {_d(d, 'until')}" if d.get("until") else "")
    ),
    "LockLifted": lambda d: f"Blocco {d.get('lock_id')} rimosso il {_d(d, 'lifted_on')}",
    "RepaymentPlanAgreed": lambda d: (
        f"Piano di rientro concordato per la {_case(d)}: {_d(d, 'total')} "
        f"in {plural(len(d.get('instalments') or []), 'rata', 'rate')}"
    ),
    "InstalmentPaid": lambda d: f"Rata {d.get('number')} pagata ({_case(d)})",
    "InstalmentMissed": lambda d: f"Rata {d.get('number')} non pagata, scaduta il {_d(d, 'due_date')} ({_case(d)})",
    "RepaymentPlanBroken": lambda d: f"Piano di rientro non rispettato: la {_case(d)} riprende",
    "RepaymentPlanCompleted": lambda d: f"Piano di rientro completato: chiusa la {_case(d)}",
    "WriteOffRequested": lambda d: f"Richiesta di {_d(d, 'kind')} per la {_case(d)}: {_d(d, 'amount')}",
    "WriteOffApproved": lambda d: f"Approvata (livello {d.get('level')}) la richiesta di {_d(d, 'kind')}",
    "WriteOffRefused": lambda d: f"Rifiutata (livello {d.get('level')}) la richiesta di {_d(d, 'kind')}",
    "CaseWrittenOff": lambda d: f"{_d(d, 'kind').capitalize()} della {_case(d)}: {_d(d, 'amount')}",
    "HandedOverToLitigation": lambda d: f"La {_case(d)} passa al contenzioso",
    "LitigationOutcomeRecorded": lambda d: (
        f"Esito del contenzioso per la {_case(d)}: {_d(d, 'result')}, recuperati {_d(d, 'recovered_amount')}"
    ),
    "LegalMilestoneRecorded": lambda d: _legal_milestone(d),
    "ActionsTableAdopted": lambda d: (
        f"Tabella azioni dell'azienda {d.get('company')}: adottata la versione {d.get('table_version')} "
        f"({plural(len(d.get('rows') or []), 'riga', 'righe')}, {d.get('source')})"
    ),
    "ActionsTableRevised": lambda d: (
        f"Tabella azioni: nuova versione {d.get('table_version')} "
        f"({plural(len(d.get('rows') or []), 'riga', 'righe')}, {d.get('source')})"
        + (f": {d['note']}" if d.get("note") else "")
    ),
    "FileImported": lambda d: f"File importato: {d.get('file_name')} (profilo {d.get('profile')})",
    "FileReimported": lambda d: f"File importato di nuovo: {d.get('file_name')}",
    "TokenIssued": lambda d: (
        f"Token API {d.get('name')} emesso: ruolo {d.get('role')}, livello {d.get('level')}, azienda {d.get('company')}"
    ),
    "TokenRevoked": lambda d: f"Token API revocato il {_d(d, 'revoked_on')}",
    "ChannelDocumentAdopted": lambda d: (
        f"{_channel_document(d)}: versione 1 adottata ({d.get('source')})" + (f": {d['note']}" if d.get("note") else "")
    ),
    "ChannelDocumentChanged": lambda d: (
        f"{_channel_document(d)}: versione {d.get('document_version')} adottata ({d.get('source')})"
        + (f": {d['note']}" if d.get("note") else "")
    ),
    "ChainSealed": lambda d: (
        f"Archivio degli eventi sigillato: radice {d.get('root')} "
        f"({plural(d.get('chains') or 0, 'catena', 'catene')}, {plural(d.get('links') or 0, 'evento', 'eventi')})"
    ),
    "OperatorAdded": lambda d: (
        f"Operatore {d.get('name')} aggiunto: ruolo {_role(d)}, livello {d.get('level')}, "
        f"azienda {_scope(d)}" + (f": {d['note']}" if d.get("note") else "")
    ),
    "OperatorLevelChanged": lambda d: f"Operatore: ruolo {_role(d)}, livello {d.get('level')}",
    "OperatorDisabled": lambda d: "Operatore disabilitato" + (f": {d['note']}" if d.get("note") else ""),
    "OperatorEnabled": lambda d: "Operatore riabilitato" + (f": {d['note']}" if d.get("note") else ""),
    "ImportProfileDefined": lambda d: (
        f"Profilo di importazione {d.get('name')} dell'azienda {d.get('company')}: versione "
        f"{d.get('profile_version')} ({d.get('source')})" + (f": {d['note']}" if d.get("note") else "")
    ),
    "ImportProfileRevised": lambda d: (
        f"Profilo di importazione: nuova versione {d.get('profile_version')} ({d.get('source')})"
        + (f": {d['note']}" if d.get("note") else "")
    ),
}

DESCRIBERS: dict[str, Callable[[dict[str, Any]], str]] = {
    **WORKFLOW,
    "CustomerRegistered": lambda d: f"Cliente {d.get('customer_code')} registrato: {_customer(d)}",
    "CustomerDetailsChanged": lambda d: f"Anagrafica cliente aggiornata: {_customer(d)}",
    "SupplyRegistered": lambda d: "Fornitura registrata — " + _supply(d),
    "SupplyDetailsChanged": lambda d: "Dati fornitura aggiornati — " + _supply(d),
    "SupplyStatusChanged": lambda d: (
        f"Stato della fornitura {d.get('code')} cambiato in {_d(d, 'status')}: {d.get('reason') or '—'}"
    ),
    "BillIssued": _bill("Bolletta"),
    "CreditNoteIssued": _bill("Nota di credito"),
    "PaymentReceived": _payment("Pagamento"),
    "PaymentReversed": _payment("Storno pagamento"),
    "SupplyClaimed": lambda d: f"Fornitura {d.get('supply_code')} assegnata al cliente {d.get('customer_code')}",
    "DocumentClaimed": lambda d: (
        f"Numero {d.get('number')} ({_d(d, 'kind')}) assegnato al cliente {d.get('customer_code')}"
    ),
    "CompanyRegistered": lambda d: f"Azienda {d.get('code')} registrata: {d.get('name')}",
    "CompanySettingsChanged": lambda d: (
        "Impostazioni dell'azienda modificate"
        + (f" (versione {d['settings_version']})" if d.get("settings_version") else "")
        + (f": {d['note']}" if d.get("note") else "")
    ),
    "CompanyRenamed": lambda d: f"Azienda rinominata in {d.get('name')}",
}


def describe(event: object, data: dict[str, Any]) -> str:
    """``data``: the event's attributes (metadata such as the timestamp is ignored)."""
    name = event_name(event)
    describer = DESCRIBERS.get(name)
    if describer is not None:
        return describer(data)
    shown = ", ".join(
        f"{k}: {show(v)}" for k, v in data.items() if k != "by" and k not in METADATA and not isinstance(v, dict | list)
    )
    return f"{name}" + (f" — {shown}" if shown else "")
