"""What the export means: the codebook and its labels, the lever grammar and lever files,
reading exports (CSV, Excel, SPSS, Parquet), answers as numbers, the audit that keeps or
excludes every row with a reason, the drafted codebook of ``valuekit init``, and raking to
population margins.

The first stage of the flow: it imports nothing from the stages above it.
"""
