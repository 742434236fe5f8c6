"""Short Italian names of the events, for counts and lists (``tick``, the case commands, the
simulation): "esito registrato", not ``OutcomeRecorded``. The audit trail's full sentences are in
``describe.py``; an event without a name here is shown by its class name."""

from __future__ import annotations

from collections.abc import Iterable

EVENT_LABELS: dict[str, str] = {
    # dunning workflow
    "DunningCaseOpened": "pratica aperta",
    "BillsJoinedCase": "bollette aggiunte alla pratica",
    "StepProposed": "passo proposto",
    "ApprovalRequested": "approvazione richiesta",
    "StepExecuted": "passo eseguito",
    "StepSkipped": "passo saltato",
    "ProposalConfirmed": "proposta confermata",
    "ProposalDiscarded": "proposta scartata",
    "StepApproved": "passo approvato",
    "StepRefused": "passo rifiutato",
    "OutcomeRecorded": "esito registrato",
    "OutcomeCorrected": "esito corretto",
    "DeliveryFailed": "consegna fallita",
    "LadderExhausted": "azioni esaurite",
    "CaseClosedAsPaid": "pratica chiusa per pagamento",
    "ReactivationRequested": "riattivazione richiesta",
    "SupplyReactivated": "fornitura riattivata",
    "ReactivationFailed": "riattivazione non riuscita",
    "SupplySuspended": "fornitura sospesa",
    "LockSet": "blocco impostato",
    "LockLifted": "blocco rimosso",
    "RepaymentPlanAgreed": "piano di rientro concordato",
    "InstalmentPaid": "rata pagata",
    "InstalmentMissed": "rata non pagata",
    "RepaymentPlanBroken": "piano di rientro non rispettato",
    "RepaymentPlanCompleted": "piano di rientro completato",
    "WriteOffRequested": "stralcio richiesto",
    "WriteOffApproved": "stralcio approvato",
    "WriteOffRefused": "stralcio rifiutato",
    "CaseWrittenOff": "pratica stralciata",
    "HandedOverToLitigation": "passaggio a contenzioso",
    "LitigationOutcomeRecorded": "esito del contenzioso registrato",
    "LegalMilestoneRecorded": "fase del contenzioso registrata",
    "ActionSendFailed": "invio fallito",
    # position
    "CustomerRegistered": "cliente registrato",
    "CustomerDetailsChanged": "anagrafica cliente aggiornata",
    "SupplyRegistered": "fornitura registrata",
    "SupplyDetailsChanged": "dati fornitura aggiornati",
    "SupplyStatusChanged": "stato fornitura cambiato",
    "BillIssued": "bolletta emessa",
    "CreditNoteIssued": "nota di credito emessa",
    "PaymentReceived": "pagamento ricevuto",
    "PaymentReversed": "pagamento stornato",
    # other aggregates
    "SupplyClaimed": "fornitura assegnata",
    "DocumentClaimed": "documento assegnato",
    "CompanyRegistered": "azienda registrata",
    "CompanySettingsChanged": "impostazioni dell'azienda modificate",
    "CompanyRenamed": "azienda rinominata",
    "ActionsTableAdopted": "tabella azioni adottata",
    "ActionsTableRevised": "tabella azioni modificata",
    "FileImported": "file importato",
    "FileReimported": "file importato di nuovo",
    "TokenIssued": "token emesso",
    "TokenRevoked": "token revocato",
    "ChainSealed": "archivio sigillato",
    "ChannelDocumentAdopted": "configurazione dei canali adottata",
    "ChannelDocumentChanged": "configurazione dei canali modificata",
    "ImportProfileDefined": "profilo di importazione definito",
    "ImportProfileRevised": "profilo di importazione modificato",
    "OperatorAdded": "operatore aggiunto",
    "OperatorLevelChanged": "livello dell'operatore cambiato",
    "OperatorDisabled": "operatore disabilitato",
    "OperatorEnabled": "operatore riabilitato",
}


def event_label(name: str) -> str:
    """The Italian name of an event (its class name when it has none)."""
    return EVENT_LABELS.get(name, name)


def event_labels(names: Iterable[str]) -> str:
    """``passo eseguito, esito registrato``: the names of a command's events, in order."""
    return ", ".join(event_label(n) for n in names)
