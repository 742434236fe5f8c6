"""CreditBox: credit management and dunning for an Italian multi-utility group."""

__version__ = "0.1.0"
