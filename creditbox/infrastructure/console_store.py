"""The console's passwords and sessions on SQL (``ConsoleStore``): the ``console_passwords`` and
``console_sessions`` process tables. Writes hold the process's write gate (SQLite takes turns)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from creditbox.application.console_accounts import StoredPassword, StoredSession
from creditbox.infrastructure.write_gate import WriteGate
from creditbox.projections.database import WRITE
from creditbox.projections.schema import console_passwords, console_sessions

p = console_passwords.c
s = console_sessions.c


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class SqlConsoleStore:
    def __init__(self, engine: Engine, gate: WriteGate) -> None:
        self._engine = engine
        self._gate = gate

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self._gate.hold(), self._engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            yield conn

    def password(self, login: str) -> StoredPassword | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(p.login, p.company, p.password_hash).where(p.login == login)).first()
        return None if row is None else StoredPassword(row.login, row.company, row.password_hash)

    def set_password(self, entry: StoredPassword, at: datetime, by: str) -> None:
        values: dict[str, Any] = {
            "login": entry.login,
            "company": entry.company,
            "password_hash": entry.password_hash,
            "set_at": _utc(at),
            "set_by": by,
        }
        with self._writing() as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            statement = dialect.insert(console_passwords).values(values)
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["login"],
                    set_={k: statement.excluded[k] for k in ("company", "password_hash", "set_at", "set_by")},
                )
            )

    def open_session(self, session: StoredSession) -> None:
        with self._writing() as conn:
            conn.execute(
                console_sessions.insert().values(
                    session_hash=session.session_hash,
                    login=session.login,
                    company=session.company,
                    csrf_token=session.csrf_token,
                    created_at=_utc(session.created_at),
                    last_seen_at=_utc(session.last_seen_at),
                    expires_at=_utc(session.expires_at),
                    flash=None,
                )
            )

    def session(self, session_hash: str) -> StoredSession | None:
        columns = (
            s.session_hash,
            s.login,
            s.company,
            s.csrf_token,
            s.created_at,
            s.last_seen_at,
            s.expires_at,
            s.flash.is_not(None).label("has_flash"),
        )
        with self._engine.connect() as conn:
            row = conn.execute(select(*columns).where(s.session_hash == session_hash)).first()
        if row is None:
            return None
        return StoredSession(
            session_hash=row.session_hash,
            login=row.login,
            company=row.company,
            csrf_token=row.csrf_token,
            created_at=_utc(row.created_at),
            last_seen_at=_utc(row.last_seen_at),
            expires_at=_utc(row.expires_at),
            has_flash=bool(row.has_flash),
        )

    def touch(self, session_hash: str, last_seen_at: datetime, expires_at: datetime) -> None:
        with self._writing() as conn:
            conn.execute(
                update(console_sessions)
                .where(s.session_hash == session_hash)
                .values(last_seen_at=_utc(last_seen_at), expires_at=_utc(expires_at))
            )

    def close_session(self, session_hash: str) -> None:
        with self._writing() as conn:
            conn.execute(delete(console_sessions).where(s.session_hash == session_hash))

    def close_sessions_of(self, login: str) -> int:
        with self._writing() as conn:
            return conn.execute(delete(console_sessions).where(s.login == login)).rowcount

    def purge(self, now: datetime) -> int:
        """Delete the expired sessions (run at each sign-in: the table holds only live ones)."""
        with self._writing() as conn:
            return conn.execute(delete(console_sessions).where(s.expires_at <= _utc(now))).rowcount

    def set_flash(self, session_hash: str, message: str | None) -> None:
        with self._writing() as conn:
            conn.execute(update(console_sessions).where(s.session_hash == session_hash).values(flash=message))

    def take_flash(self, session_hash: str) -> str | None:
        with self._writing() as conn:
            message = conn.execute(select(s.flash).where(s.session_hash == session_hash)).scalar()
            if message is not None:
                conn.execute(update(console_sessions).where(s.session_hash == session_hash).values(flash=None))
        return message
