"""The domain: pure aggregates and rules. Imports no infrastructure, reads no clock."""
