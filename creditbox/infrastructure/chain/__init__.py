"""The hash chain of the event store: recorders that write each event's link in the event's own
transaction, and what reads, backfills and seals the chain (``docs/audit.md``)."""
