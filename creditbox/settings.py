"""Settings from the environment (``CREDITBOX_*``), read once at the composition root."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///creditbox.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDITBOX_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
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
    # Reading workbooks (docs/excel-import.md, "Limits"): each file is checked, then read in a
    # child process with these limits; a file beyond them is refused (422, exit 2, failed/).
    import_max_rows: int = 1_100_000  # per sheet: the last row of any cell
    import_max_columns: int = 256  # per sheet: the last column of any cell
    import_max_cells: int = 20_000_000  # per sheet: rows × columns, and cells written
    import_max_uncompressed_mb: int = 4096  # all the members of the zip, decompressed
    import_max_ratio: int = 200  # decompressed / compressed size of a member above 1 MiB
    import_reader_memory_mb: int = 3072  # address space of the reading process
    import_reader_seconds: float = 900.0  # wall time of the check and the read
