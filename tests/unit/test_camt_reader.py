"""Reading bank files: safe (no entity, no DTD, no network), validated, each version's structure."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from creditbox.application.bank_files import BankFileRefused
from creditbox.domain.bank import BankTransaction, Movement, StatementBalances
from creditbox.infrastructure.camt_reader import CamtReader
from tests.bank_files import FILES, Tx, Writer, fixture
from tests.hostile_xml import BILLION_LAUGHS, EXTERNAL_FILE, UTF16_DOCTYPE, external_url

reader = CamtReader()


def transactions(content: bytes) -> list[BankTransaction]:
    return [t for t in reader.read(content) if isinstance(t, BankTransaction)]


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_fixture_is_read_and_the_001_08_ones_are_valid_against_the_official_schema(name: str) -> None:
    info = reader.check(fixture(name))
    assert info.schema_validated is (info.version == "001.08")
    assert info.entries == len(transactions(fixture(name))) > 0


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_FILE, UTF16_DOCTYPE], ids=["laughs", "file", "utf16"])
def test_entity_expansion_and_external_entities_are_refused_unread(hostile: bytes) -> None:
    with pytest.raises(BankFileRefused, match="DOCTYPE"):
        reader.check(hostile)
    with pytest.raises(BankFileRefused, match="DOCTYPE"):
        list(reader.read(hostile))


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server that records every request it gets."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<!ENTITY x 'y'>")

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def test_an_external_entity_on_the_network_is_never_fetched(http_server: tuple[str, list[str]]) -> None:
    url, requests = http_server
    with pytest.raises(BankFileRefused):
        reader.check(external_url(url))
    assert requests == []


def test_a_file_that_is_not_a_camt_message_is_refused() -> None:
    with pytest.raises(BankFileRefused, match="non è un file della banca ISO 20022"):
        reader.check(b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>')
    with pytest.raises(BankFileRefused, match="XML non leggibile: riga 2"):
        reader.check(b'<?xml version="1.0"?>\n<Document><unclosed></Document>')


def test_a_schema_error_names_the_line_and_the_element() -> None:
    content = fixture("camt054_v08_notifica.xml").replace(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"", 1)
    with pytest.raises(BankFileRefused) as refused:
        reader.check(content)
    message = str(refused.value)
    assert message.startswith("file non valido secondo lo schema ISO 20022 camt.054.001.08: riga 1")
    assert "elemento Sts" in message and "urn:iso" not in message


def test_an_older_version_missing_what_the_reader_needs_is_refused_with_line_and_element() -> None:
    content = fixture("camt053_v02_estratto.xml").replace(b"<Sts>BOOK</Sts>", b"", 1)
    with pytest.raises(BankFileRefused, match=r"riga \d+, elemento Ntry: manca Sts"):
        reader.check(content)
    bad_amount = fixture("camt054_v04_notifica.xml").replace(b">120.00<", b">12O.00<", 1)
    with pytest.raises(BankFileRefused, match=r"riga \d+, elemento Amt: importo non valido"):
        reader.check(bad_amount)


def test_each_version_puts_the_debtor_status_and_amount_where_it_does() -> None:
    tx = Tx(
        "12.34", bank_ref="R1", end_to_end="E1", tx_id="T1", text="BOLLETTA X1", debtor="Ada", debtor_iban="IT02 A03"
    )
    for version in ("02", "04", "08"):
        [read] = transactions(Writer("camt.054", version).document("M", [tx]))
        assert (read.amount, read.debtor_name, read.debtor_iban, read.remittance) == (
            Decimal("12.34"),
            "Ada",
            "IT02A03",
            ("BOLLETTA X1",),
        ), version
        assert (read.ids.bank_ref, read.ids.end_to_end, read.ids.tx_id) == ("R1", "E1", "T1")


def test_fees_and_returns_are_told_apart_from_payments() -> None:
    [payment, _, _, _, _, _, _, fee, returned] = transactions(fixture("camt053_v08_estratto.xml"))
    assert payment.movement is Movement.PAYMENT
    assert fee.movement is Movement.OTHER
    assert returned.movement is Movement.RETURN and returned.return_reason == "AM04"


def test_a_statement_reports_its_balances() -> None:
    [balances] = [b for b in reader.read(fixture("camt053_v08_non_quadra.xml")) if isinstance(b, StatementBalances)]
    assert (balances.opening, balances.credits, balances.debits, balances.closing) == (
        Decimal("500.00"),
        Decimal("45.00"),
        Decimal("0.00"),
        Decimal("555.00"),
    )
    assert balances.difference == Decimal("10.00") and not balances.balanced


def test_a_statement_without_an_opening_balance_cannot_be_checked() -> None:
    content = fixture("camt053_v08_estratto.xml").replace(b"<Cd>OPBD</Cd>", b"<Cd>ITBD</Cd>")
    [balances] = [b for b in reader.read(content) if isinstance(b, StatementBalances)]
    assert balances.problem() is not None and "saldo di apertura mancante" in (balances.problem() or "")
