"""PEC: reading receipts (``receipts.py``) and fetching them from the mailbox (``mailbox.py``)."""
