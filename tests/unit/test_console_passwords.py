"""Console passwords: scrypt with a random salt and the parameters recorded, checked in constant time."""

from __future__ import annotations

import pytest

from creditbox.application.passwords import ScryptCost, check_password_policy, hash_password, verify_password
from creditbox.domain.errors import InvalidCommand

CHEAP = ScryptCost(n=2**10, r=8, p=1)


def test_a_hash_records_its_parameters_and_checks_only_its_password() -> None:
    first, second = hash_password("una-password-lunga", CHEAP), hash_password("una-password-lunga", CHEAP)

    assert first.startswith("scrypt$1024$8$1$") and first != second  # a salt of its own each time
    assert verify_password("una-password-lunga", first) and verify_password("una-password-lunga", second)
    assert not verify_password("una-password-lungA", first)
    assert not verify_password("una-password-lunga", "scrypt$1024$8$1$zz$00")  # damaged: refused, no crash
    assert not verify_password("una-password-lunga", "bcrypt$x")


def test_a_password_hashed_with_other_parameters_still_checks() -> None:
    stronger = hash_password("una-password-lunga", ScryptCost(n=2**11, r=8, p=2))
    assert stronger.startswith("scrypt$2048$8$2$") and verify_password("una-password-lunga", stronger)


@pytest.mark.parametrize("password", ["corta", " spazio-davanti-lungo", "x" * 257])
def test_the_policy_refuses_weak_or_odd_passwords(password: str) -> None:
    with pytest.raises(InvalidCommand):
        check_password_policy(password)
