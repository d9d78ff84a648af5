"""Where replications run: the local process pool and a Dask cluster."""
