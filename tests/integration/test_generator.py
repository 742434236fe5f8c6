"""``creditbox generate``: the group's exports and bank files import cleanly through the real import
(the flat company through its profile), every bank movement matches, and the behaviours show."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from creditbox.bootstrap import Container
from creditbox.domain.position import Position
from creditbox.generator.group import MANIFEST, PROFILE_NAME, generate_group
from creditbox.generator.model import Behaviour, GroupSpec, companies, customers
from tests.conftest import AFTER_THE_SAMPLE_DATA

pytestmark = [pytest.mark.today(AFTER_THE_SAMPLE_DATA)]

SPEC = GroupSpec(companies=2, customers=120, months=6, seed=11)


def test_the_generated_group_imports_without_a_rejection_and_every_bank_movement_matches(
    container: Container, tmp_path: Path
) -> None:
    generate_group(SPEC, tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert [c["layout"] for c in manifest["companies"]] == ["standard", "piatto"]
    for company in manifest["companies"]:
        code = company["code"]
        container.companies.register(code, company["name"], by="test")
        parser = None
        if company["profile"]:
            profile = json.loads((tmp_path / company["profile"]).read_text(encoding="utf-8"))
            container.import_profiles().set(code, PROFILE_NAME, profile, by="test")
            parser = container.import_profiles().parser(code, PROFILE_NAME)
        export = tmp_path / company["export"]
        result = container.importer().run(export.read_bytes(), export.name, code, by="test", parser=parser)
        assert result.rejected == [], result.rejected[:3]
        counts = company["counts"]
        assert result.sheets["Clienti"].accepted == counts["clienti"]
        assert result.sheets["Bollette"].accepted == counts["bollette"]
        assert result.sheets["Pagamenti"].accepted == counts["pagamenti"]

        accepted = duplicates = 0
        for name in company["bank_files"]:
            path = tmp_path / name
            bank = container.inbound_files().import_file("banca", code, path.name, path.read_bytes(), by="test")
            assert bank.unmatched == [] and bank.rejected == [], (name, bank.unmatched[:2])
            assert bank.details["balance_problems"] == []
            accepted += bank.accepted
            duplicates += bank.duplicates
        # Every credit and every returned direct debit recorded once; the notification's credits are repeats.
        assert accepted == counts["accrediti_banca"] + counts["addebiti_banca"]
        assert duplicates > 0
        assert container.bank_files().unmatched(code) == []


def test_the_behaviours_show_in_the_positions(container: Container, tmp_path: Path) -> None:
    plan = companies(SPEC)[0]
    people = list(customers(SPEC, plan))
    by_behaviour = {b: [c for c in people if c.behaviour is b] for b in Behaviour}
    assert all(by_behaviour.values()), {b.value: len(c) for b, c in by_behaviour.items()}
    generate_group(SPEC, tmp_path)
    container.companies.register(plan.code, plan.name, by="test")
    export = tmp_path / plan.code / f"{plan.code}-export.xlsx"
    container.importer().run(export.read_bytes(), export.name, plan.code, by="test")
    for path in sorted((tmp_path / plan.code / "banca").glob("*.xml")):
        container.inbound_files().import_file("banca", plan.code, path.name, path.read_bytes(), by="test")

    def position(customer_code: str) -> Position:
        return container.positions.load(plan.code, customer_code)

    never = by_behaviour[Behaviour.NEVER][0]
    assert position(never.code).payments == {} and position(never.code).balance() > 0
    returned = next(c for c in by_behaviour[Behaviour.RETURNED_DIRECT_DEBIT] if any(not m.credit for m in c.movements))
    assert any(p.amount < 0 for p in position(returned.code).payments.values())
    slow = by_behaviour[Behaviour.PUBLIC_BODY_SLOW][0]
    bills = {b.number: b for b in slow.bills}
    late = [p for p in position(slow.code).payments.values() if p.bill_number in bills]
    assert late and all(p.payment_date >= bills[p.bill_number].due + timedelta(days=90) for p in late)
    after = next(c for c in by_behaviour[Behaviour.AFTER_SUSPENSION] if c.movements)
    assert any(p.bill_number is None for p in position(after.code).payments.values())
    partial = next(c for c in by_behaviour[Behaviour.PARTIAL] if c.payments or c.movements)
    paid = {b.number: b.amount for b in partial.bills}
    amounts = [m.amount for m in partial.movements] + [p.amount for p in partial.payments]
    assert amounts and any(a not in paid.values() for a in amounts)
