"""The ``creditbox`` command line (Typer): one module per group of commands."""
