"""A store written before the hash chain existed (each exported version, inserted through eventsourcing's
plain recorder, as the code of its day did) is chained as it is and sealed by migration 0015, then
verifies clean; the same events written through today's chained recorder verify clean without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from creditbox.bootstrap import bootstrap
from creditbox.clock import FixedClock
from creditbox.infrastructure.database_url import DatabaseUrl
from creditbox.infrastructure.event_store import CreditBoxApplication
from creditbox.settings import Settings
from tests.compatibility.digest import as_then
from tests.compatibility.stored_events import export_path, import_events, originators, read_export, replayed_digests
from tests.compatibility.test_event_stores import EXPECTATIONS, VERSIONS

PLAIN = {"sqlite": "eventsourcing.sqlite", "postgres": "eventsourcing.postgres"}


@pytest.mark.parametrize("version", VERSIONS)
def test_an_old_store_is_sealed_as_it_is_by_the_migration(
    database_url: str, backend: str, clock: FixedClock, tmp_path: Path, version: str
) -> None:
    exported = read_export(export_path(version))
    env = DatabaseUrl(database_url).eventsourcing_env() | {"PERSISTENCE_MODULE": PLAIN[backend]}
    old = CreditBoxApplication(env=env)  # the recorder of the days before the chain
    import_events(old, exported)
    old.close()
    settings = Settings(database_url=database_url, channel_dir=str(tmp_path / "canali"))
    with bootstrap(settings, clock=clock) as container:
        integrity = container.integrity()  # migration 0015 runs here
        seal = integrity.last_seal()
        assert seal is not None and seal.sealed_by == "migrazione 0015"
        assert seal.chains == len(originators(exported)) and seal.links == len(exported)
        result = integrity.verify()
        assert result.findings == []
        assert result.backfilled == len(exported) and result.events == len(exported) + 1  # and the seal's own
        assert as_then(replayed_digests(container.app, exported), EXPECTATIONS[version]) == EXPECTATIONS[version]


@pytest.mark.parametrize("version", VERSIONS)
def test_an_export_written_through_the_chained_recorder_verifies(
    database_url: str, clock: FixedClock, tmp_path: Path, version: str
) -> None:
    exported = read_export(export_path(version))
    settings = Settings(database_url=database_url, channel_dir=str(tmp_path / "canali"))
    with bootstrap(settings, clock=clock) as container:
        container.projections.ensure_schema()
        import_events(container.app, exported)
        result = container.integrity().verify()
        assert result.findings == [] and result.backfilled == 0 and result.events == len(exported)
        assert container.integrity().last_seal() is None  # nothing older than the chain to seal
