"""Write a compatibility event store: a small but complete history, exported event by event.

    python -m tests.compatibility.generate_event_store [--version v2]

Everything is recorded through the application layer (the composition root's services: companies,
settings, operators, tokens, actions tables, import profiles, imports, ingestion, dunning ticks and
case commands) on a fresh SQLite event store, with an injected clock moved day by day. The stored
events are then exported in notification order to ``event_store_<version>.jsonl`` and every
aggregate's state after replay to ``expected_states_<version>.json`` (see ``digest.py``).

An existing version is never overwritten: a version file is what the code of its day wrote, and the
test replays it with today's code. Regenerating makes a new version (v2, v3, …) next to it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from creditbox.application.case_commands import CaseCommands
from creditbox.application.legal_documents import Attachment
from creditbox.application.legal_proceedings import MilestoneDraft
from creditbox.application.ports import CHANNEL_UNKNOWN, ChannelError, ChannelMessage, Receipt
from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, Record, SupplyRecord
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.actions import StepMode
from creditbox.domain.codes import CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.ids import position_id
from creditbox.domain.tokens import Role
from creditbox.domain.workflow.legal import LegalMilestoneKind as K
from creditbox.domain.workflow.outcomes import LitigationResult, LockReason, StepOutcome, WriteOffKind
from creditbox.infrastructure.actions_csv import standard_rows
from creditbox.sample_data import SampleSpec, generate, workbook_bytes
from creditbox.settings import Settings
from tests.compatibility.stored_events import (
    expected_path,
    export_events,
    export_path,
    import_events,
    position_event_topics,
    replayed_digests,
    write_export,
)
from tests.profile_workbooks import PROFILE

WATER = "ACQ"  # the company whose positions go through the dunning workflow
IMPORTS = "LUC"  # a second company: an import profile and an imported workbook, no ticks
FEED, OPERATOR, SUPERVISOR, LEGAL, ADMIN = "gestionale", "mario.rossi", "anna.bianchi", "ufficio.legale", "admin"
START = date(2026, 1, 5)
DUE = date(2026, 1, 31)
# Positions whose events are exported as the code before versioned settings wrote them.
LEGACY_CUSTOMERS = ("C3", "C5", "C9")


def details(name: str, customer_type: CustomerType = CustomerType.DOMESTIC, **contacts: str | None) -> CustomerDetails:
    given: dict[str, Any] = {
        "mobile": "3331234567",
        "email": f"{name.split()[0].lower()}@example.it",
        "pec": f"{name.split()[0].lower()}@pec.example.it",
        "address": "Via Roma 1",
        "postcode": "00184",
        "city": "Roma",
        "province": "RM",
    }
    given.update(contacts)
    return CustomerDetails(name=name, customer_type=customer_type, **given)


def water_supply(
    code: str, supply_type: SupplyType = SupplyType.SUSPENDABLE, meter: str | None = None
) -> SupplyDetails:
    return SupplyDetails(code=code, service=Service.WATER, supply_type=supply_type, meter=meter)


class Story:
    """The history, told day by day: ``on(day)`` runs the nightly tick of every day up to ``day``;
    the commands that follow are the operators' work of that day."""

    def __init__(self, container: Container, clock: FixedClock) -> None:
        self.container = container
        self.clock = clock
        self.cases: CaseCommands = container.case_commands()
        self._ticked = START
        self.verbose = False
        self._seen = 0

    def on(self, day: date) -> None:
        if day < self._ticked:
            raise ValueError(f"{day} is before {self._ticked}: the story only moves forward")
        self.show()
        while self._ticked < day:
            self._ticked += timedelta(days=1)
            self.clock.set(self._ticked)
            self.container.dunning().run_due(WATER, self._ticked)
            self.show()

    def show(self) -> None:
        """Print the events recorded since the last call (``--verbose``)."""
        for n in self.container.app.recorder.select_notifications(start=self._seen + 1, limit=10_000):
            self._seen = n.id
            if self.verbose:
                case = json.loads(n.state).get("case_id", "")
                print(f"{self._ticked:%a %d/%m/%Y} {n.topic:45} v{n.originator_version:<3} {case}")

    def ingest(self, company: str, records: list[Record]) -> None:
        report = self.container.ingestor().ingest(company, records, by=FEED)
        refused = [r for r in report.results if r.reason is not None and r.kind is not None]
        if refused:
            raise RuntimeError(f"records refused: {refused}")

    def customer(
        self, code: str, person: CustomerDetails, amount: str, *, supply_type: SupplyType = SupplyType.SUSPENDABLE
    ) -> None:
        self.ingest(
            WATER,
            [
                CustomerRecord(code, person),
                SupplyRecord(code, water_supply(f"S-{code}", supply_type)),
                BillRecord(f"B-{code}", code, f"S-{code}", date(2026, 1, 1), DUE, Decimal(amount)),
            ],
        )

    def pay(self, customer: str, payment_id: str, amount: str, bill: str | None = None) -> None:
        self.ingest(WATER, [PaymentRecord(payment_id, customer, self.clock.today(), Decimal(amount), bill, "bonifico")])


def tell(story: Story, version: str) -> None:
    register_the_group(story.container)
    import_workbooks(story.container)
    bill_the_customers(story)
    work_the_cases_in_winter(story)
    work_the_cases_in_spring(story)
    if version != "v1":  # v2 on: the outbox hands the actions to the channels (issue 11)
        send_the_actions(story)
    if version not in ("v1", "v2"):  # v3 on: the legal proceedings of the cases in litigation (issue 14)
        record_the_legal_proceedings(story)


DECREE = b"%PDF-1.4\n% decreto ingiuntivo n. 321/2026\n%%EOF\n"


def record_the_legal_proceedings(story: Story) -> None:
    """July: C10, a business customer, is handed over to litigation and the legal team records the
    injunction filed, granted (the decree attached) and served (a deadline to oppose); after C9's outcome
    an amount is recovered and its legal file closed (``LegalMilestoneRecorded``)."""
    cases = story.cases
    story.customer("C10", details("Officine Rinaldi Srl", CustomerType.NON_DOMESTIC), "4200.00")
    story.on(date(2026, 7, 1))
    cases.hand_over_to_litigation(WATER, "C10", "S-C10/1", 2, by=SUPERVISOR)
    legal = story.container.legal_proceedings()
    court = {"court": "Tribunale di Cassino", "docket": "R.G. 1187/2026"}
    legal.record(WATER, "C10", "S-C10/1", MilestoneDraft(K.INJUNCTION_FILED, date(2026, 7, 1), **court), by=LEGAL)
    story.on(date(2026, 7, 15))
    decree = MilestoneDraft(
        K.INJUNCTION_GRANTED,
        date(2026, 7, 14),
        amount=Decimal("4200.00"),
        note="provvisoriamente esecutivo",
        attachments=(Attachment("decreto-321-2026.pdf", DECREE),),
    )
    legal.record(WATER, "C10", "S-C10/1", decree, by=LEGAL)
    story.on(date(2026, 7, 22))
    served = MilestoneDraft(K.INJUNCTION_SERVED, date(2026, 7, 21), next_deadline=date(2026, 8, 30))
    legal.record(WATER, "C10", "S-C10/1", served, by=LEGAL)
    recovered = MilestoneDraft(K.AMOUNT_RECOVERED, date(2026, 7, 20), amount=Decimal("150.00"), note="pignoramento")
    legal.record(WATER, "C9", "S-C9/1", recovered, by=LEGAL)
    legal.record(WATER, "C9", "S-C9/1", MilestoneDraft(K.CLOSED, date(2026, 7, 22)), by=LEGAL)


class RefusingChannel:
    """A channel that takes no message: every send fails (an SMS gateway that is down)."""

    def send(self, message: ChannelMessage) -> Receipt:
        raise ChannelError(f"gateway non raggiungibile per {message.channel}")

    def status(self, action_key: str) -> str:
        return CHANNEL_UNKNOWN


def send_the_actions(story: Story) -> None:
    """The outbox: C7's actions meet a channel that is down; with one attempt allowed each becomes a
    send failure recorded on the position (``ActionSendFailed``)."""
    container = story.container
    container.projections.catch_up()
    outbox = container.outbox(channel=RefusingChannel())
    for entry in outbox.list(WATER, status="pending"):
        if entry.customer_code == "C7":
            outbox.send(entry.action_key)


def register_the_group(container: Container) -> None:
    """Companies, operators (added, promoted, disabled, enabled) and API tokens (issued, revoked)."""
    container.companies.register(WATER, "Acque del Gruppo SpA", by=ADMIN)
    container.companies.register(IMPORTS, "Luce e Gas Srl", by=ADMIN)
    operators = container.operators()
    operators.add(OPERATOR, WATER, Role.OPERATOR, by=ADMIN)
    operators.add(SUPERVISOR, WATER, Role.SUPERVISOR, 2, by=ADMIN, note="capo ufficio crediti")
    operators.add(LEGAL, "*", Role.LEGAL, by=ADMIN)
    operators.add("luca.verdi", WATER, Role.OPERATOR, by=ADMIN)
    operators.set_level("luca.verdi", WATER, 1, by=ADMIN, role=Role.SUPERVISOR)
    operators.disable("luca.verdi", WATER, by=ADMIN, note="trasferito")
    operators.enable("luca.verdi", WATER, by=ADMIN, note="rientrato")
    tokens = container.tokens()
    tokens.issue(WATER, Role.FEED, issued_on=START, name="gestionale-acq", by=ADMIN)
    tokens.issue(WATER, Role.AUDITOR, issued_on=START, name="revisore", by=ADMIN)
    tokens.revoke("revisore", on=START, by=ADMIN)


def import_workbooks(container: Container) -> None:
    """LUC: an import profile (defined, then revised) and a workbook of bills up to 15/02/2026:
    what is dated too far in the future is refused now, and goes in when imported again later."""
    profiles = container.import_profiles()
    profiles.set(IMPORTS, "nord", PROFILE, by=ADMIN, note="tracciato Acque Nord")
    profiles.set(IMPORTS, "nord", {**PROFILE, "description": "Export Acque Nord, 2026"}, by=ADMIN)
    container.importer().run(luc_workbook(), "clienti-gennaio.xlsx", IMPORTS, by=FEED)


@cache  # the same bytes both times (a workbook written again differs in its timestamps)
def luc_workbook() -> bytes:
    return workbook_bytes(generate(SampleSpec(customers=2, supplies=2, bills=3, payments=2, end=date(2026, 2, 15))))


def bill_the_customers(story: Story) -> None:
    """The customers of ACQ, their supplies and bills (due 31/01/2026), a credit note, a reversed
    payment and the master-data changes of January."""
    container = story.container
    story.customer("C1", details("Mario Bianchi"), "500.00")
    story.customer("C2", details("Giulia Neri"), "500.00")
    story.customer("C3", details("Paolo Russo"), "300.00")
    story.customer("C4", details("Sara Gallo"), "300.00")
    story.customer("C5", details("Luca Costa"), "300.00")
    story.customer("C6", details("Impresa Fontana Srl", CustomerType.NON_DOMESTIC), "3000.00")
    story.customer("C7", details("Anna Ricci", mobile=None), "120.00")
    story.customer(
        "C8", details("Comune di Roccasecca", CustomerType.PUBLIC_BODY), "800.00", supply_type=SupplyType.PUBLIC_BODY
    )
    story.customer(
        "C9", details("Comune di Pontecorvo", CustomerType.PUBLIC_BODY), "800.00", supply_type=SupplyType.PUBLIC_BODY
    )
    story.ingest(
        WATER,
        [
            SupplyRecord("C7", water_supply("S-C7-2")),
            BillRecord("B-C7-2", "C7", "S-C7", date(2026, 2, 1), date(2026, 2, 28), Decimal("80.00")),
            BillRecord("NC-C4", "C4", "S-C4", date(2026, 1, 5), date(2026, 1, 5), Decimal("-20.00")),
        ],
    )

    story.on(date(2026, 1, 20))
    # master data changes sent again by the billing system
    story.ingest(WATER, [CustomerRecord("C1", details("Mario Bianchi", email="mario.bianchi@example.it"))])
    story.ingest(WATER, [SupplyRecord("C1", water_supply("S-C1", meter="CNT-0042"))])
    # a payment sent, then reversed (unpaid direct debit)
    story.pay("C4", "P-C4-1", "50.00", "B-C4")
    story.pay("C4", "P-C4-1-R", "-50.00", "B-C4")
    # a supply that ends: its status changes (no service records this yet: Position's public method)
    position = container.positions.load(WATER, "C7")
    position.change_supply_status("S-C7-2", SupplyStatus.TERMINATED, "disdetta del cliente", by=FEED)
    container.app.save(position)


def work_the_cases_in_winter(story: Story) -> None:
    """February and March: outcomes, a correction, plans, write-offs, litigation, a lock, version 2
    of the actions table and of the settings, approvals refused and given."""
    container, cases = story.container, story.cases
    # a lock on C7's supply, from 01/02/2026 until lifted
    story.on(date(2026, 2, 1))
    cases.set_lock(WATER, "C7", LockReason.COMPLAINT, "S-C7", note="reclamo 12/2026", by=OPERATOR)
    story.on(date(2026, 2, 12))
    for customer in ("C8", "C9"):  # the PECs' receipts
        cases.record_outcome(WATER, customer, f"S-{customer}/1", 1, StepOutcome.DELIVERED, by=OPERATOR)

    story.on(date(2026, 2, 18))
    for customer in ("C1", "C3", "C4", "C5"):
        cases.record_outcome(WATER, customer, f"S-{customer}/1", 2, StepOutcome.DELIVERED, by=OPERATOR)
    cases.record_outcome(WATER, "C2", "S-C2/1", 2, StepOutcome.RETURNED, by=OPERATOR)

    story.on(date(2026, 2, 20))
    # C2: the letter was in fact delivered (the receipt came late): the outcome is corrected
    cases.correct_outcome(
        WATER, "C2", "S-C2/1", 2, StepOutcome.DELIVERED, date(2026, 2, 18), "ricevuta firmata", by=SUPERVISOR
    )
    # C3 and C4 agree repayment plans; C4 owes 280.00 (a credit note of 20.00)
    three = [(date(2026, 3, 15), Decimal("100.00")), (date(2026, 4, 15), Decimal("100.00")),
             (date(2026, 5, 15), Decimal("100.00"))]  # fmt: skip
    cases.agree_plan(WATER, "C3", "S-C3/1", three, by=OPERATOR)
    two = [(date(2026, 3, 15), Decimal("140.00")), (date(2026, 4, 15), Decimal("140.00"))]
    cases.agree_plan(WATER, "C4", "S-C4/1", two, by=OPERATOR)
    # C5: a write-off refused, then a settlement approved
    cases.request_write_off(WATER, "C5", "S-C5/1", note="irreperibile", by=OPERATOR)
    cases.refuse_write_off(WATER, "C5", "S-C5/1", 1, note="tentare una transazione", by=SUPERVISOR)
    cases.request_write_off(WATER, "C5", "S-C5/1", WriteOffKind.SETTLEMENT, Decimal("200.00"), "accordo", by=OPERATOR)
    cases.approve_write_off(WATER, "C5", "S-C5/1", 1, by=SUPERVISOR)
    # C6: handed over to litigation by a supervisor
    cases.hand_over_to_litigation(WATER, "C6", "S-C6/1", 2, by=SUPERVISOR)
    # LUC's workbook again: what was in the future in January goes in
    container.importer().run(luc_workbook(), "clienti-gennaio-bis.xlsx", IMPORTS, by=FEED)
    # ACQ adopts version 2 of its actions table: the public bodies' litigation step runs once approved
    rows = [
        replace(row, mode=StepMode.AUTO) if (row.ladder, row.seq) == ("ENTI", 2) else row for row in standard_rows()
    ]
    container.actions_tables.revise(WATER, rows, by=ADMIN, note="contenzioso enti senza proposta")
    # and version 2 of its settings: the patron saint's day, a higher ceiling for level 3
    patron = [{"date": "06-24", "label": "San Giovanni Battista"}]
    ceilings = {"1": "1000.00", "2": "10000.00", "3": "2000000.00"}
    patch = {"company_days": patron, "write_off_ceilings": ceilings}
    container.company_settings().change(WATER, patch, by=ADMIN, note="delibera CdA 2/2026")

    story.on(date(2026, 3, 2))
    cases.lift_lock(WATER, "C7", "B1", note="reclamo respinto", by=OPERATOR)

    story.on(date(2026, 3, 10))
    story.pay("C3", "P-C3-1", "100.00")
    story.pay("C4", "P-C4-2", "140.00")

    story.on(date(2026, 3, 16))
    cases.refuse_step(WATER, "C8", "S-C8/1", 2, 2, note="ente in dissesto: decide l'ufficio", by=SUPERVISOR)
    cases.approve_step(WATER, "C9", "S-C9/1", 2, 2, by=SUPERVISOR)

    story.on(date(2026, 3, 20))
    # C8: the ladder ran out; the office asks for a write-off, approved at level 1
    cases.request_write_off(WATER, "C8", "S-C8/1", note="ente in dissesto", by=OPERATOR)
    cases.approve_write_off(WATER, "C8", "S-C8/1", 1, by=SUPERVISOR)
    # C7: one instalment for the two bills, never paid
    cases.agree_plan(WATER, "C7", "S-C7/1", [(date(2026, 4, 1), Decimal("200.00"))], by=OPERATOR)


def work_the_cases_in_spring(story: Story) -> None:
    """From 30/03 to 30/06: two supplies limited, suspended, paid and reactivated (one in vain), a
    plan kept and one broken, a proposal discarded, the litigation outcomes."""
    cases = story.cases
    story.on(date(2026, 3, 30))
    for customer in ("C1", "C2"):
        cases.confirm_proposal(WATER, customer, f"S-{customer}/1", 3, by=OPERATOR)
        cases.approve_step(WATER, customer, f"S-{customer}/1", 3, 1, by=SUPERVISOR)
    story.on(date(2026, 4, 2))
    for customer in ("C1", "C2"):
        cases.record_outcome(WATER, customer, f"S-{customer}/1", 3, StepOutcome.POSITIVE, by=OPERATOR)
    story.on(date(2026, 4, 10))
    story.pay("C4", "P-C4-3", "140.00")
    story.on(date(2026, 4, 21))
    cases.discard_proposal(WATER, "C3", "S-C3/1", 3, note="piano in rinegoziazione", by=OPERATOR)

    story.on(date(2026, 4, 27))
    for customer in ("C1", "C2"):
        cases.confirm_proposal(WATER, customer, f"S-{customer}/1", 4, by=OPERATOR)
        cases.approve_step(WATER, customer, f"S-{customer}/1", 4, 1, by=SUPERVISOR)
    story.on(date(2026, 4, 29))
    for customer in ("C1", "C2"):
        cases.record_outcome(WATER, customer, f"S-{customer}/1", 4, StepOutcome.POSITIVE, by=OPERATOR)

    story.on(date(2026, 5, 4))
    story.pay("C1", "P-C1-1", "500.00", "B-C1")
    story.pay("C2", "P-C2-1", "500.00", "B-C2")
    cases.record_litigation_outcome(WATER, "C6", "S-C6/1", LitigationResult.UNRECOVERABLE, note="fallito", by=LEGAL)
    story.on(date(2026, 5, 6))
    cases.record_reactivation(WATER, "C1", "S-C1/1", True, note="riaperto il contatore", by=OPERATOR)
    cases.record_reactivation(WATER, "C2", "S-C2/1", False, note="contatore rimosso", by=OPERATOR)

    story.on(date(2026, 6, 1))
    cases.record_litigation_outcome(
        WATER, "C9", "S-C9/1", LitigationResult.PARTIALLY_RECOVERED, Decimal("300.00"), note="decreto", by=LEGAL
    )
    story.on(date(2026, 6, 30))


def strip_settings_version(exported: dict[str, Any]) -> dict[str, Any]:
    """The event as the code before versioned settings wrote it: without ``settings_version``."""
    state = json.loads(exported["state"])
    state.pop("settings_version", None)
    return {**exported, "state": json.dumps(state, separators=(",", ":"), ensure_ascii=False)}


def as_written_before_versioned_settings(exported: list[dict[str, Any]]) -> list[dict[str, Any]]:
    legacy = {str(position_id(WATER, customer)) for customer in LEGACY_CUSTOMERS}
    return [strip_settings_version(e) if e["originator_id"] in legacy else e for e in exported]


def replay(exported: list[dict[str, Any]], scratch: Path) -> dict[str, dict[str, Any]]:
    """The digests of the aggregates replayed from ``exported`` in a fresh store."""
    url = f"sqlite:///{scratch / 'replayed.sqlite3'}"
    with bootstrap(Settings(database_url=url), clock=FixedClock(START)) as container:
        import_events(container.app, exported)
        return replayed_digests(container.app, exported)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", default="v1", help="the version to write (never an existing one)")
    parser.add_argument("--verbose", action="store_true", help="print every event as it is recorded")
    args = parser.parse_args(argv)
    targets = export_path(args.version), expected_path(args.version)
    if any(target.exists() for target in targets):
        print(f"{args.version} exists: a version is never rewritten, write the next one", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        clock = FixedClock(START)
        settings = Settings(
            database_url=f"sqlite:///{scratch / 'events.sqlite3'}",
            outbox_max_attempts=1,
            legal_documents_dir=str(scratch / "legal-documents"),
        )
        with bootstrap(settings, clock=clock) as container:
            story = Story(container, clock)
            story.verbose = args.verbose
            tell(story, args.version)
            story.show()
            written = export_events(container.app)
            live = replayed_digests(container.app, written)
        exported = as_written_before_versioned_settings(written)
        missing = position_event_topics() - {e["topic"] for e in exported}
        if missing:
            print(f"the story records no {sorted(missing)}", file=sys.stderr)
            return 1
        expected = replay(exported, scratch)
        if expected != live:
            print("replaying the export does not give the states recorded", file=sys.stderr)
            return 1
    write_export(targets[0], exported)
    targets[1].write_text(json.dumps(expected, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    topics = len({e["topic"] for e in exported})
    print(f"{len(exported)} events, {topics} topics, {len(expected)} aggregates: {targets[0].name}, {targets[1].name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
