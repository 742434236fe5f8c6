"""Aggregate ids derived from natural keys (uuid5), so they can be computed without a lookup."""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID, uuid5

NAMESPACE = UUID("5b0f3d7e-3a53-4f5e-9a53-6a0c2b1f7c11")


def normalise_company_code(code: str) -> str:
    return code.strip().upper()


def company_id(company: str) -> UUID:
    return uuid5(NAMESPACE, f"company/{normalise_company_code(company)}")


@lru_cache(maxsize=1 << 16)
def position_id(company: str, customer_code: str) -> UUID:
    return uuid5(NAMESPACE, f"position/{normalise_company_code(company)}/{customer_code.strip()}")


@lru_cache(maxsize=1 << 16)
def supply_ownership_id(company: str, supply_code: str) -> UUID:
    return uuid5(NAMESPACE, f"supply/{normalise_company_code(company)}/{supply_code.strip()}")


@lru_cache(maxsize=1 << 18)
def document_ownership_id(company: str, kind: str, number: str) -> UUID:
    """A bill number or payment id in a company (``kind``: "bill" or "payment")."""
    return uuid5(NAMESPACE, f"document/{normalise_company_code(company)}/{kind}/{number.strip()}")


def actions_table_id(company: str) -> UUID:
    return uuid5(NAMESPACE, f"actions-table/{normalise_company_code(company)}")


def import_id(company: str, file_sha256: str) -> UUID:
    return uuid5(NAMESPACE, f"import/{normalise_company_code(company)}/{file_sha256}")
