"""PostgreSQL: a projections process woken by NOTIFY keeps the views well under a second behind the writes."""

from __future__ import annotations

import statistics
import threading
import time
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.bootstrap import bootstrap
from creditbox.clock import FixedClock
from creditbox.projections.runner import follow
from creditbox.projections.schema import projection_tracking
from creditbox.settings import Settings
from tests.builders import details, supply
from tests.conftest import reset_postgres

WRITES = 60
PAUSE = 0.02  # seconds between two writes: a steady load of about 50 commands a second


def test_views_follow_a_steady_write_load_well_within_a_second(postgres_url: str) -> None:
    reset_postgres(postgres_url)
    settings = Settings(database_url=postgres_url, projections="external")
    with (
        bootstrap(settings, clock=FixedClock(date(2026, 3, 2))) as writer,
        bootstrap(settings, clock=FixedClock(date(2026, 3, 2))) as projector,
    ):
        writer.companies.register("ACQ", "Acque", by="test")
        runner = projector.projections.runner()
        stop = threading.Event()
        thread = threading.Thread(target=follow, args=(runner, projector.projections.waiter(2.0), stop), daemon=True)
        thread.start()
        lags: list[float] = []
        try:
            for n in range(WRITES):
                code = f"C{n}"
                records = [
                    CustomerRecord(code, details(name=f"Cliente {n}")),
                    SupplyRecord(code, supply(f"S{n}")),
                    BillRecord(f"B{n}", code, f"S{n}", date(2026, 1, 1), date(2026, 1, 31), Decimal("10.00")),
                ]
                writer.ingestor().ingest("ACQ", records, by="test")
                written = int(writer.app.recorder.max_notification_id() or 0)
                started = time.perf_counter()
                while time.perf_counter() - started < 5.0:  # bounded wait
                    with projector.projections.engine.connect() as conn:
                        slowest = conn.scalar(select(func.min(projection_tracking.c.notification_id)))
                    if slowest is not None and slowest >= written:
                        break
                    time.sleep(0.002)
                lags.append(time.perf_counter() - started)
                time.sleep(PAUSE)
        finally:
            stop.set()
            thread.join(timeout=10)
        assert not thread.is_alive()
    print(f"lag over {WRITES} writes: median {statistics.median(lags) * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms")
    # The polling interval is 2 s: staying far below it shows the NOTIFY wake-up at work.
    assert max(lags) < 1.0, f"slowest lag {max(lags):.3f} s"
    assert statistics.median(lags) < 0.25, f"median lag {statistics.median(lags):.3f} s"
