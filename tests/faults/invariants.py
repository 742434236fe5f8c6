"""What must hold after any fault, once the installation has recovered (what a user would re-run has
been re-run): each check returns what it found *lost* and *duplicated*, so that the test both asserts
zero and reports the figures.

- every accepted row (bill, credit note, payment) is in the event store exactly once;
- every balance (the ``positions`` read model) equals the sum of the position's records in the store
  (bills and credit notes less payments), and the test's own tally when it keeps one;
- no action is sent twice: one outbox entry per ``StepExecuted``, each ``sent`` after one attempt,
  one file in the file channel's folder per action key;
- no due step is forgotten: after a last scheduler round, every position that was due has its step,
  and nothing is due any more;
- the read models equal a rebuild from zero (the shadow rebuild of ``audit verify --full``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from creditbox.application.ports import SENT, UNCERTAIN, WITHDRAWN
from creditbox.bootstrap import Container
from creditbox.domain.ids import position_id
from creditbox.infrastructure.channels.files import action_key_of
from creditbox.projections.schema import positions

DOCUMENTS = ("BillIssued", "CreditNoteIssued")
PAYMENTS = ("PaymentReceived", "PaymentReversed")


@dataclass
class Found:
    """What a check found: keys lost (expected, not there) and duplicated (there more than once)."""

    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)

    def add(self, other: Found) -> Found:
        self.lost += other.lost
        self.duplicated += other.duplicated
        return self

    def assert_none(self) -> None:
        assert not self.lost and not self.duplicated, f"lost: {self.lost[:20]}, duplicated: {self.duplicated[:20]}"


@dataclass
class Store:
    """What the event store holds for a company's customers: documents, payments and steps, by key."""

    documents: Counter[str] = field(default_factory=Counter)
    payments: Counter[str] = field(default_factory=Counter)
    steps: Counter[str] = field(default_factory=Counter)  # StepExecuted, by action key
    totals: dict[str, Decimal] = field(default_factory=dict)  # customer → bills + credit notes − payments


def read_store(c: Container, company: str, customers: Iterable[str]) -> Store:
    store = Store()
    for code in customers:
        total = Decimal("0.00")
        for event in c.app.repository.event_store.get(position_id(company, code)):
            name = type(event).__name__
            if name in DOCUMENTS:
                store.documents[event.number] += 1  # type: ignore[attr-defined]
                total += event.amount  # type: ignore[attr-defined]
            elif name in PAYMENTS:
                store.payments[event.payment_id] += 1  # type: ignore[attr-defined]
                total -= event.amount  # type: ignore[attr-defined]
            elif name == "StepExecuted":
                store.steps[event.action_id] += 1  # type: ignore[attr-defined]
        store.totals[code] = total
    return store


def exactly_once(expected: Iterable[str], stored: Counter[str]) -> Found:
    """Each expected key stored once; a key stored twice, or expected and missing, is reported."""
    wanted = set(expected)
    return Found(
        lost=sorted(k for k in wanted if stored[k] == 0),
        duplicated=sorted(k for k, n in stored.items() if n > 1),
    )


def balances(c: Container, company: str, store: Store, tally: dict[str, Decimal] | None = None) -> Found:
    """The ``positions`` read model's balance of each customer equals the sum of its records in the
    store (and the test's own tally, when given). A difference is reported as lost."""
    c.projections.catch_up()
    with c.projections.engine.connect() as conn:
        rows = conn.execute(
            select(positions.c.customer_code, positions.c.balance).where(positions.c.company == company)
        ).all()
    shown = {code: balance for code, balance in rows}
    found = Found()
    for code, total in store.totals.items():
        if shown.get(code) != total:
            found.lost.append(f"balance {code}: read model {shown.get(code)} ≠ store {total}")
        if tally is not None and tally.get(code, Decimal("0.00")) != total:
            found.lost.append(f"balance {code}: store {total} ≠ tally {tally.get(code)}")
    return found


def files_in(channel_dir: Path) -> Counter[str]:
    """The messages written by the file channel, by action key."""
    if not channel_dir.exists():
        return Counter()
    return Counter(action_key_of(path.name) for path in channel_dir.rglob("*.json"))


def actions_once(c: Container, company: str, store: Store, channel_dir: Path) -> Found:
    """Every ``StepExecuted`` is one outbox entry, ``sent`` after one attempt with one file in the
    channel — or, when a worker was killed between claiming it and calling the channel, ``uncertain``
    with no file (on a person's worklist: never sent blindly, not lost), or ``withdrawn`` with no file
    when its case closed (a payment) before the channel was called."""
    c.projections.catch_up()
    entries = {e.action_key: e for e in c.outbox().list(company)}
    files = files_in(channel_dir)
    found = exactly_once(store.steps, store.steps)
    found.lost += sorted(f"outbox {k}" for k in store.steps if k not in entries)
    for key, entry in entries.items():
        if entry.status == UNCERTAIN:
            if files[key]:
                found.lost += [f"uncertain {key} though the channel has it"]
        elif entry.status == WITHDRAWN:
            position = c.positions.load(company, entry.customer_code)
            if files[key] or position.case(entry.case_id).is_open:
                found.lost += [f"withdrawn {key} though its case is open or the channel has it"]
        elif entry.status != SENT:
            found.lost += [f"not sent {key} ({entry.status})"]
        elif files[key] == 0:
            found.lost += [f"no file {key}"]
    found.duplicated += sorted(f"attempts {k}: {e.attempts}" for k, e in entries.items() if e.attempts > 1)
    found.duplicated += sorted(f"files {k}: {n}" for k, n in files.items() if n > 1)
    found.duplicated += sorted(f"file without entry {k}" for k in files if k not in entries)
    return found


def read_models_equal_a_rebuild(c: Container) -> Found:
    """The live read models against the same read models rebuilt from the log (the shadow check)."""
    return Found(lost=[f"read model: {d}" for d in c.projections.compare_with_rebuild()])
