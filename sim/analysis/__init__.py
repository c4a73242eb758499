"""Analyses that read batches: summaries, comparisons, the map, sensitivity, calibration."""
