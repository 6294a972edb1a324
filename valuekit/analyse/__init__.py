"""Comparisons with their evidence: group against the rest (:mod:`.significance`), segments,
drivers, the competitor (relative value, the customer value map) and waves.

Imports only the stages below it (measure, datasets, survey).
"""
