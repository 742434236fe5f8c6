"""The dunning workflow: cases, ladders, locks, repayment plans and the engine that decides.

Pure domain code. The Position aggregate records the events (``creditbox.position.*``) and keeps
its dunning state in a :class:`~creditbox.domain.workflow.cases.Dunning` value it delegates to.
"""
