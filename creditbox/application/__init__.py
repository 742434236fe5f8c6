"""Use cases: one module per concern. They load aggregates, call their commands and save."""
