"""Adapters: event store, SQL, Excel, channels. Nothing in the domain imports from here."""
