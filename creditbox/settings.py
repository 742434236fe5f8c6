"""Settings from the environment (``CREDITBOX_*``), read once at the composition root."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from creditbox.domain.business_dates import DEFAULT_FUTURE_TOLERANCE_DAYS

DEFAULT_DATABASE_URL = "sqlite:///creditbox.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDITBOX_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # PostgreSQL: the URL of the schema's owner, for creating the event store tables and applying the
    # migrations, when the application connects (``database_url``) as a role of its own that owns
    # nothing and is held to the row-level security of the company-keyed tables (docs/operations.md,
    # "Database roles"). Unset: ``database_url`` does both (one role).
    migration_database_url: str | None = None
    broker_url: str = "memory://"
    timezone: str = "Europe/Rome"
    # PostgreSQL connection pool size for the event store.
    pool_size: int = 5
    # Read models: "inline" catches up in-process after each command (embedded mode);
    # "external" leaves it to `creditbox projections run` processes (production).
    projections: str = "inline"
    # PostgreSQL: a run applying at least this many records (a big import) saves its batches
    # through a second writer process, overlapped with the parsing and applying (0 = never).
    background_write_threshold: int = 50_000
    # The inbox root: one folder per company code (``inbox/ACQ/``), imported by `creditbox inbox run`.
    inbox_dir: str = "inbox"
    # The file channel's root: each message one file under ``<channel_dir>/<COMPANY>/<channel>/``.
    channel_dir: str = "channels"
    # The evidence of the channels' answers: each PEC receipt kept unchanged as
    # ``<evidence_dir>/<COMPANY>/<aa>/<sha256>.eml`` (content-addressed), for the litigation dossier.
    evidence_dir: str = "evidence"
    # The documents attached to the milestones of the legal proceedings (decrees, notices of service,
    # judgments ...), kept content-addressed as ``<legal_documents_dir>/<COMPANY>/<aa>/<sha256>``, and
    # the largest one accepted (bytes).
    legal_documents_dir: str = "legal-documents"
    legal_document_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # The outbox: attempts of a send before it is recorded as failed (*invii falliti*), the wait after
    # the first failed attempt (doubling each time, at most ``outbox_max_retry_seconds``), how long an
    # entry handed to the workers is held before it is handed out again, and after how long an entry
    # left ``sending`` (its worker died) is reconciled through the channel.
    outbox_max_attempts: int = Field(default=5, ge=1)
    outbox_first_retry_seconds: float = Field(default=30.0, ge=0)
    outbox_max_retry_seconds: float = Field(default=3600.0, ge=0)
    outbox_hold_seconds: float = Field(default=300.0, gt=0)
    outbox_lease_seconds: float = Field(default=600.0, gt=0)
    # How long a process keeps the channel configuration and templates it read (a change made by
    # another process is seen within this time; one made through the same process at once).
    channel_documents_cache_seconds: float = Field(default=5.0, ge=0)
    # Workers: the prefix of the broker's queue names (``creditbox.positions``, ``creditbox.actions``),
    # and the worker threads the embedded broker (``memory://``) runs inside the process.
    queue_prefix: str = "creditbox"
    embedded_worker_threads: int = Field(default=2, ge=1)
    # Work is enqueued in chunks: positions of one company and business date per ``run_positions``
    # message, action keys per ``send_actions`` message (``workers/queue.py``).
    worker_position_chunk: int = Field(default=50, ge=1)
    worker_action_chunk: int = Field(default=50, ge=1)
    # A test hook, never set in production: a worker process sending an action kills itself (SIGKILL)
    # at this point of ``OutboxService.send`` — just before the channel call or just after it, before
    # the entry is marked sent — so the fault tests stop a real worker exactly there
    # (``workers/crash_points.py``). Unset (the default), nothing is installed.
    test_crash_at: Literal["before_channel", "after_channel"] | None = None
    # Outcomes, payments, locks and case commands may be dated at most this many days after the
    # business date (today); later dates are refused as typing errors (a wrong year).
    future_date_tolerance_days: int = Field(default=DEFAULT_FUTURE_TOLERANCE_DAYS, ge=0, le=31)
    # Writes: how long a write may wait for the database (SQLite: its turn among the process's writers;
    # both backends: retries of a version clash on one aggregate) before it is refused as "busy, retry
    # later" (API: 503 with Retry-After).
    write_wait_seconds: float = 10.0
    # PostgreSQL: seconds one attempt of a write waits for the event table's write lock (held by each
    # writing transaction for its duration); the event store makes 10 attempts before the write fails.
    lock_timeout_seconds: int = 5
    # API: failed authentications (no token, malformed, unknown or revoked) allowed per client address
    # within the window; past them the address is refused with 429 for the window (0 = no limit).
    auth_failure_limit: int = 10
    auth_failure_window_seconds: float = 300.0
    # The back-office console (docs/console.md): a session ends after this many idle minutes, and in any
    # case this many hours after the sign-in; cookies are marked ``Secure`` on HTTPS requests, and always
    # when ``console_secure_cookies`` is set (behind a proxy that ends TLS and forwards plain HTTP).
    console_session_idle_minutes: int = Field(default=30, ge=1)
    console_session_max_hours: float = Field(default=10.0, gt=0)
    console_secure_cookies: bool = False
    # Reading workbooks (docs/excel-import.md, "Limits"): each file is checked, then read in a
    # child process with these limits; a file beyond them is refused (422, exit 2, failed/).
    import_max_rows: int = 1_100_000  # per sheet: the last row of any cell
    import_max_columns: int = 256  # per sheet: the last column of any cell
    import_max_cells: int = 20_000_000  # per sheet: rows × columns, and cells written
    import_max_uncompressed_mb: int = 4096  # all the members of the zip, decompressed
    import_max_ratio: int = 200  # decompressed / compressed size of a member above 1 MiB
    import_reader_memory_mb: int = 3072  # address space of the reading process
    import_reader_seconds: float = 900.0  # wall time of the check and the read
    # The scheduler (durable timers): seconds between two rounds of `creditbox scheduler`, positions
    # claimed from the due index at a time, and how long a claim lasts when its holder dies.
    scheduler_interval_seconds: float = Field(default=60.0, gt=0)
    scheduler_chunk_size: int = Field(default=500, ge=1)
    scheduler_lease_seconds: float = Field(default=300.0, gt=0)
    # Late-payment rates (statement of account): a company's own CSV in the format of the shipped
    # ``creditbox/data/interest-rates.csv``; unset, the shipped table (docs/statement-and-interest.md).
    interest_rates_file: str | None = None
    # Observability (docs/operations.md, "Metrics, logs and health"). Logs: ``text`` or ``json`` (one JSON
    # object a line with the request or message id), at this level. ``/metrics`` on the API answers only
    # with ``Authorization: Bearer <metrics_token>`` (unset: the route is off, 404); the scheduler, the
    # projectors and the workers expose theirs on ``metrics_host:metrics_port`` (unset: not exposed).
    # ``/readyz`` is not ready while a projection is more than ``ready_max_projection_lag`` events behind.
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    metrics_token: str | None = None
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
    ready_max_projection_lag: int = Field(default=10_000, ge=0)
    # Each check of ``/readyz`` waits at most this long (a database that does not answer is not ready).
    ready_check_timeout_seconds: float = Field(default=3.0, gt=0)
