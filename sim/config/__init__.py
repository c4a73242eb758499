"""Settings and the files that declare them: every key, scenario files, the cost of a run."""
