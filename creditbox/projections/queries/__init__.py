"""Query functions over the read-model tables: plain functions taking a SQLAlchemy connection.

Used by the CLI and the HTTP API (``with container.projections.connect() as conn: ...``). Lists are
paged by opaque keyset cursors: pass ``page.next_cursor`` back to get the next page.
"""
