"""Observability: Prometheus metrics (``metrics``), structured JSON logs with request and message ids
(``logs``). The readiness checks and the gauges read from the database are in
``creditbox.infrastructure.health_checks``; the API's middleware in ``creditbox.api.observability``."""
