"""The history of one long position: every event with its description, and the position replayed
from them (``creditbox audit history``, the API's history route), for a position of 500 events.

The position is built through the domain (a bill a month and its payment, partial payments, the
dunning workflow run on the due dates) into a fresh SQLite store, then its history is read
``ROUNDS`` times through ``PositionReader.history`` — the whole history, and cut as of a business
date and as recorded at an instant. Printed: the median and the 95th percentile of each.

Goal (issue 14): the history of a position with 500 events in under 30 ms.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from bench.figures import record
from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, SupplyRecord
from creditbox.bootstrap import bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.codes import CustomerType, Service, SupplyType
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.ids import position_id
from creditbox.settings import Settings

EVENTS = 500
ROUNDS = 50
GOAL_MS = 30.0
COMPANY = "BENCH"
CUSTOMER = "C1"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="creditbox-bench-history-") as folder:
        clock = FixedClock(date(2020, 1, 1))
        settings = Settings(database_url=f"sqlite:///{Path(folder) / 'history.sqlite3'}", channel_dir=folder)
        with bootstrap(settings, clock=clock) as c:
            c.companies.register(COMPANY, "Azienda del banco di prova", by="bench")
            details = CustomerDetails("Cliente del banco", CustomerType.DOMESTIC, mobile="3330000000")
            supply = SupplyDetails("S1", Service.WATER, SupplyType.SUSPENDABLE)
            ingest = c.ingestor().ingest
            ingest(COMPANY, [CustomerRecord(CUSTOMER, details), SupplyRecord(CUSTOMER, supply)], by="bench")
            day, n, middle = date(2020, 1, 1), 0, None
            while c.app.repository.get(_position_id(c)).version < EVENTS:
                n += 1
                due = day + timedelta(days=20)
                ingest(COMPANY, [BillRecord(f"B{n}", CUSTOMER, "S1", day, due, Decimal("80.00"))], by="bench")
                clock.set(due + timedelta(days=15))
                c.dunning().run_due(COMPANY, due + timedelta(days=15))
                for part, amount in enumerate((Decimal("30.00"), Decimal("50.00"))):
                    paid_on = due + timedelta(days=16 + part)
                    ingest(COMPANY, [PaymentRecord(f"P{n}-{part}", CUSTOMER, paid_on, amount)], by="bench")
                if middle is None and n == 10:
                    middle = (due, datetime.now(UTC))
                day += timedelta(days=30)
            events = c.app.repository.get(_position_id(c)).version
            assert middle is not None
            zone = clock.now().tzinfo
            cuts = {
                "whole history": {},
                "as of a business date": {"as_of": middle[0]},
                "as recorded at an instant": {"as_recorded_at": middle[1]},
            }
            print(f"  a position of {events} events ({n} bills, their payments and the workflow's steps)")
            for label, cut in cuts.items():
                timings = []
                for _ in range(ROUNDS):
                    started = time.perf_counter()
                    history = c.positions.history(
                        COMPANY, CUSTOMER, as_of=cut.get("as_of"), zone=zone, as_recorded_at=cut.get("as_recorded_at")
                    )
                    timings.append((time.perf_counter() - started) * 1000)
                    assert history.entries
                p50, p95 = statistics.median(timings), _percentile(timings, 0.95)
                verdict = "OK" if p95 < GOAL_MS else "ABOVE GOAL"
                print(
                    f"  {label}: {len(history.entries)} events, median {p50:.1f} ms, p95 {p95:.1f} ms "
                    f"(goal: under {GOAL_MS:.0f} ms) {verdict}"
                )
                record(f"{label}, {len(history.entries)} events: median", p50, "ms")
                record(
                    f"{label}, {len(history.entries)} events: p95",
                    p95,
                    "ms",
                    goal=f"under {GOAL_MS:.0f} ms",
                    met=p95 < GOAL_MS,
                )


def _position_id(_c: object) -> UUID:
    return position_id(COMPANY, CUSTOMER)
