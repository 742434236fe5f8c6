"""Letters: the PDF of each letter and the daily postal batch of each company."""
