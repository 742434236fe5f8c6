"""Excel: fast reading (python-calamine) and formatted writing (openpyxl)."""
