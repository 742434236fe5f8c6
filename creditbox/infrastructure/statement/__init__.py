"""The statement of account rendered: Excel (``xlsx``) and PDF (``pdf``)."""
