"""PostgreSQL restarted (``pg_ctl stop -m immediate``, as a crash: no checkpoint, recovery from the WAL)
in the middle of the work of real processes: an import of a workbook, scheduler rounds (two schedulers
at once, several workers), a projection catch-up. After recovery — what a user would re-run re-run —
nothing is lost and nothing is there twice (``invariants.py``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from creditbox.application.records import PaymentRecord, Sheet
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
from tests.faults.site import Site, stop_together, wait_until
from tests.faults.world import (
    COMPANY,
    DUE,
    OPENING,
    QUICK,
    container_of,
    customers,
    given_customers,
    head,
    sms_of,
    tracking,
    until_every_action_is_sent,
    wait_for_notifications,
)

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.redis]


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


# ---- scheduler rounds: two schedulers, several workers -------------------------------------------------


def test_postgres_restarted_while_two_schedulers_and_several_workers_run_every_due_step_once(
    site: Site, private_postgres: PrivatePostgres, figures: Figures
) -> None:
    site.settings.update(QUICK)
    codes = customers(40)
    with container_of(site) as c:
        given_customers(c, codes)
    before = wait_for_notifications(site.database_url, 1)
    site.workers(processes=2, threads=2)
    args = ("scheduler", "--as-of", OPENING.isoformat(), "--every", "1", "--no-inbox")
    schedulers = [site.creditbox(*args) for _ in range(2)]  # two loops racing over the same due positions
    wait_for_notifications(site.database_url, before + 30)  # steps are being recorded
    private_postgres.restart(down_seconds=1.5)
    figures.faults += 1
    until_every_action_is_sent(site, len(codes))  # the loops go on after the restart
    for process in schedulers:
        assert process.poll() is None, site.log_of(process)  # a database restart does not stop a scheduler
    stop_together(schedulers)

    with container_of(site) as c:
        store = read_store(c, COMPANY, codes)
        found = exactly_once([sms_of(code) for code in codes], store.steps)  # no due step forgotten
        found.add(actions_once(c, COMPANY, store, site.channel_dir))
        found.add(balances(c, COMPANY, store))
        found.add(read_models_equal_a_rebuild(c))
    figures.rows = 3 * len(codes)
    figures.actions = sum(store.steps.values())
    figures.found(found)


# ---- a projection catch-up ---------------------------------------------------------------------------------


def test_postgres_restarted_during_a_projection_catch_up_the_read_models_equal_a_rebuild(
    site: Site, private_postgres: PrivatePostgres, figures: Figures
) -> None:
    site.settings["CREDITBOX_PROJECTIONS"] = "external"  # the read models are the projectors' own
    codes = customers(100)
    paying = codes[::2]
    with container_of(site, projections="external") as c:
        given_customers(c, codes, catch_up=False)
        payments = [PaymentRecord(f"P-{code}", code, DUE, Decimal("50.00"), f"B-{code}") for code in paying]
        c.ingestor().ingest(COMPANY, payments, by="test")  # type: ignore[arg-type]
    last = head(site.database_url)
    projecting = site.creditbox("projections", "run", "--batch-size", "20", "--poll", "0.5", "--no-relay")
    wait_until(lambda: sum(tracking(site.database_url).values()) > last, "the projectors to be under way")
    assert min(tracking(site.database_url).values(), default=0) < last  # the catch-up is not over
    private_postgres.restart(down_seconds=1.5)
    figures.faults += 1
    wait_until(
        lambda: len(t := tracking(site.database_url)) > 0 and min(t.values()) >= last,
        "the projectors to catch up after the restart",
    )
    assert projecting.poll() is None, site.log_of(projecting)  # a database restart does not stop them
    stop_together([projecting])

    with container_of(site) as c:
        store = read_store(c, COMPANY, codes)
        found = exactly_once([f"P-{code}" for code in paying], store.payments)
        found.add(exactly_once([f"B-{code}" for code in codes], store.documents))
        found.add(balances(c, COMPANY, store))
        found.add(read_models_equal_a_rebuild(c))
    figures.rows = 3 * len(codes) + len(paying)
    figures.payments = sum(store.payments.values())
    figures.found(found)
