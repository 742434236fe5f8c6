"""Request and response models of the HTTP API (pydantic v2): amounts as decimal strings, dates ISO."""
