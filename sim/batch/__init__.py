"""Batches of runs: experiment designs and seeds, executors, a resumable Parquet store."""
