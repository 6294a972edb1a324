"""The same audit, scoring and tables over Dask partitions, for surveys larger than memory
(:mod:`.dask`): the per-partition work calls the pandas path's functions, no second copy.
"""
