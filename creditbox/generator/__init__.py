"""The data generator (``creditbox generate``): a group's billing exports and the bank's camt files,
realistic and reproducible, streamed so that a million customers fit in memory.

- ``model``: companies, customers, supplies, bills, payments and bank movements, one customer at a time,
  with the payment behaviours;
- ``identity``: codici fiscali, partite IVA, POD, PDR, IBAN and RF references with their check characters;
- ``workbooks``: the exports, in our layout and in a flat layout with its import profile;
- ``camt``: the monthly camt.053 statements and the camt.054 notification;
- ``group``: all of it under one folder, with the manifest ``gruppo.json``.
"""
