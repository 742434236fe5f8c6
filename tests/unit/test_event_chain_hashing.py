"""The chain's canonical encoding and the seal's Merkle tree, recomputed by hand from their definitions
(``docs/audit.md``): anyone can check a store with nothing but SHA-256."""

from __future__ import annotations

import hashlib
from uuid import UUID

from creditbox.domain.event_chain import GENESIS, canonical, changed_fields, field_digests, link_hash, merkle_root

ID = UUID("12345678-1234-5678-1234-567812345678")


def test_the_canonical_encoding_is_four_length_prefixed_fields() -> None:
    encoded = canonical(ID, 12, "creditbox.position.BillIssued", b'{"a":1}')
    expected = b"".join(
        len(part).to_bytes(8, "big") + part
        for part in (str(ID).encode(), b"12", b"creditbox.position.BillIssued", b'{"a":1}')
    )
    assert encoded == expected


def test_a_link_hashes_the_previous_link_and_the_event() -> None:
    first = link_hash(GENESIS, ID, 1, "t", b"{}")
    assert first == hashlib.sha256(bytes(32) + canonical(ID, 1, "t", b"{}")).digest()
    second = link_hash(first, ID, 2, "t", b"{}")
    assert second == hashlib.sha256(first + canonical(ID, 2, "t", b"{}")).digest()
    assert link_hash(GENESIS, ID, 2, "t", b"{}") != second  # the chain, not the event alone


def _leaf(i: str, v: int, h: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + canonical(i, v, "", h)).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def test_the_merkle_root_sorts_the_leaves_and_carries_an_odd_one_up() -> None:
    a, b, c = ("a" * 8, 3, b"\x01" * 32), ("b" * 8, 1, b"\x02" * 32), ("c" * 8, 7, b"\x03" * 32)
    assert merkle_root([]) == hashlib.sha256(b"").digest()
    assert merkle_root([a]) == _leaf(*a)
    assert merkle_root([b, a]) == _node(_leaf(*a), _leaf(*b))
    assert merkle_root([c, a, b]) == _node(_node(_leaf(*a), _leaf(*b)), _leaf(*c))


def test_the_field_digests_name_what_changed() -> None:
    recorded = field_digests(b'{"amount":"120.00","number":"B1","old":1}')
    assert changed_fields(recorded, b'{"amount":"12.00","number":"B1","new":2}') == (["amount"], ["new"], ["old"])
    assert field_digests(b"not json") is None and field_digests(b"[1]") is None
