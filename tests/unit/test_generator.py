"""The data generator on its own: every code it writes passes the real checks, a seed gives the same
bytes, every customer type, service, supply type and status appears, and the flat export carries the
same business content as the standard one would."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from stdnum import iban, iso11649
from stdnum.it import codicefiscale, iva

from creditbox.domain.codes import CustomerType, Service, SupplyStatus, SupplyType
from creditbox.generator import identity
from creditbox.generator.group import MANIFEST, generate_group
from creditbox.generator.model import ELECTRICITY, GAS, Behaviour, GroupSpec, companies, customers
from creditbox.generator.workbooks import FLAT_PAYMENTS_SHEET, FLAT_SHEET
from tests.integration.command_line import invoke

SPEC = GroupSpec(companies=3, customers=300, months=4, seed=5)


def everyone(spec: GroupSpec = SPEC) -> list:  # type: ignore[type-arg]
    return [c for plan in companies(spec) for c in customers(spec, plan)]


def test_the_codes_pass_the_real_checks() -> None:
    people = everyone()
    for customer in people:
        if customer.vat_number:
            assert iva.is_valid(customer.vat_number), customer.vat_number
        if customer.fiscal_code and len(customer.fiscal_code) == 16:
            assert codicefiscale.is_valid(customer.fiscal_code), customer.fiscal_code
        assert iban.is_valid(customer.iban) and identity.iban_is_valid(customer.iban)
        for supply in customer.supplies:
            if supply.service == ELECTRICITY:
                assert supply.code.startswith("IT001E") and len(supply.code) == 14
            if supply.service == GAS:
                assert supply.code.isdigit() and len(supply.code) == 14
        for movement in customer.movements:
            if movement.rf:
                assert iso11649.is_valid(movement.rf)
    assert sum(1 for c in people if c.fiscal_code and len(c.fiscal_code) == 16) > 100


def test_a_person_s_codice_fiscale_is_derived_from_the_person() -> None:
    assert identity.fiscal_code("Rossi", "Mario", date(1980, 1, 1), False, "H501") == "RSSMRA80A01H501U"
    assert identity.fiscal_code("De Luca", "Giulia", date(1975, 12, 31), True, "F205").startswith("DLCGLI75T71F205")
    # The IBAN of the ISO 13616 example: CIN X, check digits 60.
    assert identity.iban("05428", "11101", "000000123456") == "IT60X0542811101000000123456"
    assert identity.rf_reference("539007547034") == "RF18539007547034"


def test_every_type_service_supply_type_status_and_behaviour_appears() -> None:
    people = everyone()
    assert {c.customer_type for c in people} == {t.code for t in CustomerType}
    supplies = [s for c in people for s in c.supplies]
    assert {s.service for s in supplies} == {s.code for s in Service}
    assert {s.supply_type for s in supplies} == {t.code for t in SupplyType}
    assert {s.status for s in supplies} == {s.code for s in SupplyStatus}
    assert {c.behaviour for c in people} == set(Behaviour)
    assert any(b.amount < 0 for c in people for b in c.bills)  # a credit note


def test_one_company_alone_offers_every_service() -> None:
    [plan] = companies(GroupSpec(companies=1, customers=10))
    assert plan.services == (1, 2, 3, 4)


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_data(tmp_path: Path) -> None:
    spec = GroupSpec(companies=2, customers=60, months=3, seed=9)
    generate_group(spec, tmp_path / "a")
    generate_group(spec, tmp_path / "b")
    generate_group(GroupSpec(companies=2, customers=60, months=3, seed=10), tmp_path / "c")
    first, second, other = digest(tmp_path / "a"), digest(tmp_path / "b"), digest(tmp_path / "c")
    assert first == second and len(first) == 1 + 2 + 1 + 2 * 4  # manifest, 2 exports, profile, 2×(3 + 1) camt
    assert not any(p.name.endswith((".entries", ".tmp")) for p in (tmp_path / "a").rglob("*"))
    assert first["ACQ1/ACQ1-export.xlsx"] != other["ACQ1/ACQ1-export.xlsx"]


def test_the_flat_export_carries_one_row_per_bill_and_its_profile(tmp_path: Path) -> None:
    spec = GroupSpec(companies=2, customers=40, months=3, seed=2)
    generate_group(spec, tmp_path)
    plan = companies(spec)[1]
    people = list(customers(spec, plan))
    book = load_workbook(tmp_path / plan.code / f"{plan.code}-estrazione.xlsx", read_only=True)
    assert book.sheetnames == [FLAT_SHEET, FLAT_PAYMENTS_SHEET]
    rows = list(book[FLAT_SHEET].iter_rows(values_only=True))
    assert len(rows) - 1 == sum(len(c.bills) for c in people)
    assert rows[0][0] == "Cod. Cliente" and isinstance(rows[1][-1], str) and "," in rows[1][-1]
    profile = json.loads((tmp_path / plan.code / f"{plan.code}-profilo.json").read_text(encoding="utf-8"))
    assert profile["sheets"]["Bollette"]["sheet"] == FLAT_SHEET


@pytest.mark.cli_or_api
def test_the_command_writes_the_group_and_says_what(tmp_path: Path) -> None:
    out = tmp_path / "gruppo"
    result = invoke("generate", "--aziende", "2", "--clienti", "30", "--mesi", "2", "--seed", "4", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "ACQ1" in result.output and "formato piatto" in result.output
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sum(c["counts"]["clienti"] for c in manifest["companies"]) == 30
    refused = invoke("generate", "--companies", "3", "--customers", "2", "--out", str(out))
    assert refused.exit_code == 2 and "almeno un cliente" in refused.output
