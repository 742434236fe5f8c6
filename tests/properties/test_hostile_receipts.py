"""Hostile PEC receipts: whatever the bytes — garbage, a real receipt cut short, bytes flipped, a
``daticert.xml`` rewritten — reading a receipt either gives a receipt or refuses it with
``ReceiptUnreadable`` (an Italian reason); no other exception escapes, so an importer never stops on one
file. Bounded and stable: ``derandomize=True``, no example database, no deadline."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from creditbox.application.pec_receipts import RECEIPT_TYPES, ReceiptUnreadable
from creditbox.infrastructure.pec.receipts import parse_receipt

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pec"
RECEIPTS = sorted(FIXTURES.glob("*.eml"))
STABLE = settings(derandomize=True, database=None, deadline=None, max_examples=150)


def _read_or_refuse(content: bytes) -> None:
    try:
        receipt = parse_receipt(content)
    except ReceiptUnreadable as error:
        assert str(error)
        return
    assert receipt.kind in RECEIPT_TYPES
    assert receipt.issued_at.tzinfo is not None and receipt.reference.startswith("<")


@STABLE
@given(st.binary(max_size=4000))
def test_garbage_is_refused_or_read(content: bytes) -> None:
    _read_or_refuse(content)


@STABLE
@given(
    st.sampled_from(RECEIPTS),
    st.floats(0, 1),
    st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)), max_size=6),
)
def test_receipts_cut_short_or_damaged_are_refused_or_read(
    path: Path, cut: float, damages: list[tuple[float, bytes]]
) -> None:
    content = bytearray(path.read_bytes())
    for where, patch in damages:
        at = int(where * (len(content) - 1))
        content[at : at + len(patch)] = patch
    _read_or_refuse(bytes(content[: max(1, int(cut * len(content)))]))


@STABLE
@given(
    st.sampled_from(["accettazione", "cartolina", "", "avvenuta-consegna"]),
    st.text(max_size=40),
    st.text(max_size=20),
    st.text(max_size=12),
)
def test_any_daticert_is_refused_or_read(kind: str, msgid: str, day: str, zone: str) -> None:
    xml = (
        f'<postacert tipo="{kind}" errore="nessuno"><dati><data zona="{zone}"><giorno>{day}</giorno>'
        f"<ora>10:00:00</ora></data><msgid>{msgid}</msgid></dati></postacert>"
    ).encode("utf-8", "surrogatepass")
    content = (
        b"X-Ricevuta: accettazione\r\nMIME-Version: 1.0\r\nContent-Type: application/xml\r\n"
        b'Content-Disposition: attachment; filename="daticert.xml"\r\n\r\n' + xml
    )
    _read_or_refuse(content)
