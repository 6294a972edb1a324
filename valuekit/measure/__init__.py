"""Scores and instruments: the value equation per customer (:mod:`.scoring`, with the
array engine in :mod:`.model`), reliability (alpha, omega, item statistics), and the
structural models: confirmatory factor analysis, validity and the value path (:mod:`.sem`).

Imports only the survey stage and the shared checks below it.
"""
