"""Matching a bank credit to a customer and a bill, never by guessing.

The rules are tried in order; the first that finds something decides:

1. ``rf`` — a structured creditor reference (RF, ISO 11649, check digits verified; also one written
   in the free text) whose body is a bill number or a customer code;
2. ``bill`` — a bill number among the words of the remittance text;
3. ``customer`` — a customer code among the words of the remittance text;
4. ``iuv`` — the IUV of a pagoPA payment (``/RFB/<IUV>/``, ``IUV …``, or the 18-digit notice code):
   bills carry no notice code nor IUV of their own, so an IUV matches when the billing system used
   the bill number as IUV;
5. ``iban`` — the debtor's IBAN, once an earlier match (or a manual allocation) has tied it to exactly
   one customer.

A rule that finds more than one customer, or a later rule of the text (bill, customer code, IUV) that
points to another customer, makes the credit *ambiguous*; a rule that finds several bills of the one
customer matches the customer only (the payment goes on account). Anything else is *unmatched*.
Bill numbers and customer codes are looked up in what the company knows (the bill numbers' claims,
the positions), as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from creditbox.application.bank_files import AMBIGUOUS, UNMATCHED
from creditbox.application.ownerships import Ownerships
from creditbox.application.ports import BulkLoader
from creditbox.domain.bank import (
    BankTransaction,
    creditor_references,
    invalid_references,
    pagopa_iuvs,
    remittance_words,
)
from creditbox.domain.document_ownership import DocumentKind
from creditbox.domain.ids import position_id
from creditbox.domain.text_policy import key_problem

Candidate = tuple[str, str | None]  # (customer code, bill number or None)

TEXT_RULES = ("bill", "customer", "iuv")


@dataclass(frozen=True)
class Match:
    """The decision on one credit: a customer (and perhaps a bill) by a rule, or a problem and why."""

    customer: str | None = None
    bill: str | None = None
    rule: str | None = None
    problem: str | None = None
    reason: str | None = None
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)

    @property
    def matched(self) -> bool:
        return self.customer is not None


class Directory:
    """What the company knows of bill numbers and customer codes, looked up in batches: the bills'
    ownership claims and the positions (from the event store, not from a read model)."""

    def __init__(self, company: str, loader: BulkLoader) -> None:
        self._company = company
        self._loader = loader
        self._ownerships = Ownerships(company, loader)
        self._customers: dict[str, bool] = {}

    def prime(self, words: Iterable[str]) -> None:
        """Look up these words (as bill numbers and as customer codes) in one go."""
        wanted = {w for w in words if w and key_problem(w) is None}
        self._ownerships.load_documents((DocumentKind.BILL, w) for w in wanted)
        codes = [w for w in wanted if w not in self._customers]
        if codes:
            ids = {position_id(self._company, code): code for code in codes}
            found = self._loader.load_many(ids)
            for aggregate_id, code in ids.items():
                self._customers[code] = aggregate_id in found

    def bill_owner(self, number: str) -> str | None:
        return self._ownerships.document_owner(DocumentKind.BILL, number)

    def is_customer(self, code: str) -> bool:
        return self._customers.get(code, False)


def words_of(transaction: BankTransaction) -> list[str]:
    """Everything a transaction's matching may look up."""
    return [*creditor_references(transaction), *remittance_words(transaction), *pagopa_iuvs(transaction)]


class Matcher:
    """Matches the credits of one chunk: ``directory`` primed with their words, ``iban_customers`` the
    customers each of their debtors' IBANs is known to pay for."""

    def __init__(self, directory: Directory, iban_customers: Mapping[str, list[str]]) -> None:
        self._directory = directory
        self._ibans = iban_customers

    def match(self, transaction: BankTransaction) -> Match:
        found = self._candidates(transaction)
        for rule, candidates in found.items():
            if not candidates:
                continue
            customers = sorted({customer for customer, _ in candidates})
            if len(customers) > 1:
                return _ambiguous(rule, candidates)
            customer = customers[0]
            later = [r for r in TEXT_RULES if r in found and list(found).index(r) > list(found).index(rule)]
            others = sorted({c for r in later for c, _ in found[r] if c != customer})
            if others:
                every = tuple(dict.fromkeys([*candidates, *(c for r in later for c in found[r])]))
                return _ambiguous(rule, every)
            bills = sorted({bill for _, bill in candidates if bill is not None})
            bill = bills[0] if len(bills) == 1 else None
            reason = None
            if len(bills) > 1:
                reason = f"più bollette dello stesso cliente ({', '.join(bills)}): pagamento in acconto"
            return Match(customer, bill, rule, reason=reason, candidates=tuple(candidates))
        return Match(problem=UNMATCHED, reason=_unmatched_reason(transaction))

    def _candidates(self, transaction: BankTransaction) -> dict[str, list[Candidate]]:
        d = self._directory
        found: dict[str, list[Candidate]] = {}
        rf: list[Candidate] = []
        for body in creditor_references(transaction):
            owner = d.bill_owner(body)
            if owner is not None:
                rf.append((owner, body))
            if d.is_customer(body):
                rf.append((body, None))
        found["rf"] = rf
        words = remittance_words(transaction)
        found["bill"] = [(owner, w) for w in words if (owner := d.bill_owner(w)) is not None]
        found["customer"] = [(w, None) for w in words if d.is_customer(w)]
        found["iuv"] = [(owner, iuv) for iuv in pagopa_iuvs(transaction) if (owner := d.bill_owner(iuv)) is not None]
        iban = transaction.debtor_iban
        found["iban"] = [(c, None) for c in self._ibans.get(iban, [])] if iban else []
        return found


def _ambiguous(rule: str, candidates: Iterable[Candidate]) -> Match:
    listed = tuple(dict.fromkeys(candidates))
    shown = ", ".join(f"cliente {c}" + (f" (bolletta {b})" if b else "") for c, b in listed)
    return Match(problem=AMBIGUOUS, rule=rule, reason=f"più clienti possibili: {shown}", candidates=listed)


def _unmatched_reason(transaction: BankTransaction) -> str:
    bad = invalid_references(transaction)
    if bad:
        return f"riferimento RF con cifre di controllo errate ({', '.join(bad)}); nessun altro riscontro"
    if not transaction.remittance and not transaction.references:
        return "nessuna causale né riferimento, IBAN del pagatore non noto"
    return "nessuna bolletta, codice cliente o IUV riconosciuto nella causale; IBAN del pagatore non noto"
