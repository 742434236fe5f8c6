"""Processes starting together on a fresh PostgreSQL database all come up: the first one creates
the event store and the read-model schema, the others wait for it and find them made."""

from __future__ import annotations

import multiprocessing
from urllib.parse import urlparse

import psycopg
from psycopg import sql

from creditbox.bootstrap import bootstrap
from creditbox.settings import Settings

PROCESSES = 4
ROUNDS = 3


def _start(url: str) -> str:
    try:
        with bootstrap(Settings(database_url=url)) as container:
            container.projections.ensure_schema()
            container.companies.register(f"P{multiprocessing.current_process().pid}", "Azienda", by="test")
    except Exception as error:  # reported to the test, which shows it
        return f"{type(error).__name__}: {error}"
    return "ok"


def _recreate(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    admin = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def test_processes_starting_together_on_a_fresh_database_all_come_up(postgres_url: str) -> None:
    url = urlparse(postgres_url)._replace(path=urlparse(postgres_url).path + "_startup").geturl()
    for _ in range(ROUNDS):
        _recreate(url)
        with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
            outcomes = pool.map(_start, [url] * PROCESSES)
        assert outcomes == ["ok"] * PROCESSES
        with psycopg.connect(url) as conn:
            (companies,) = conn.execute(
                "SELECT count(*) FROM creditbox_events WHERE topic = 'creditbox.company.CompanyRegistered'"
            ).fetchone() or (0,)
            (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone() or ("",)
        assert companies == PROCESSES
        assert revision
