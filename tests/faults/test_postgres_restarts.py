"""PostgreSQL restarted (``pg_ctl stop -m immediate``, as a crash: no checkpoint, recovery from the WAL)
in the middle of the work of real processes: an import of a workbook, scheduler rounds (two schedulers
at once, several workers), a projection catch-up. After recovery — what a user would re-run re-run —
nothing is lost and nothing is there twice (``invariants.py``)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from creditbox.application.records import Sheet
from creditbox.sample_data import SampleSpec, generate, write_workbook
from tests.faults.conftest import Figures
from tests.faults.invariants import (
    Found,
    actions_once,
    balances,
    exactly_once,
    read_models_equal_a_rebuild,
    read_store,
)
from tests.faults.services import PrivatePostgres
from tests.faults.site import Site, stop, wait_until
from tests.faults.world import (
    COMPANY,
    OPENING,
    QUICK,
    container_of,
    customers,
    given_customers,
    json_count,
    sms_of,
    wait_for_notifications,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


# ---- an import -------------------------------------------------------------------------------------


def test_postgres_restarted_during_an_import_then_the_import_run_again_stores_every_row_once(
    site: Site, private_postgres: PrivatePostgres, figures: Figures, tmp_path: Path
) -> None:
    data = generate(SampleSpec(customers=100))
    workbook = tmp_path / "anagrafiche.xlsx"
    write_workbook(data, workbook)
    bills = [str(row[0]) for row in data.rows[Sheet.BILLS]]
    payments = [str(row[0]) for row in data.rows[Sheet.PAYMENTS]]
    codes = [str(row[0]) for row in data.rows[Sheet.CUSTOMERS]]
    with container_of(site) as c:
        c.companies.register(COMPANY, "Acque", by="test")
    before = wait_for_notifications(site.database_url, 1)

    importing = site.creditbox("import", str(workbook), "--company", COMPANY, "--json")
    wait_for_notifications(site.database_url, before + 300)  # a few chunks are in
    assert importing.poll() is None  # the import is still writing when the database goes down
    private_postgres.restart(down_seconds=1.0)
    figures.faults += 1
    # The store retries a transaction its connection lost: the import either ends well, or fails
    # with an error (never a half-told success); either way the user may run it again.
    first = importing.wait(timeout=120)
    assert first == 0 or "Traceback" not in site.log_of(importing), site.log_of(importing)
    code, out = site.run("import", str(workbook), "--company", COMPANY, "--json")  # the user runs it again
    assert code == 0, out

    with container_of(site) as c:
        store = read_store(c, COMPANY, codes)
        found = Found()
        found.add(exactly_once(bills, store.documents))
        found.add(exactly_once(payments, store.payments))
        found.add(balances(c, COMPANY, store))
        found.add(read_models_equal_a_rebuild(c))
    figures.rows = data.total_rows
    figures.payments = sum(store.payments.values())
    figures.found(found)
