"""Statement counts, lazy loading and compression of the hot read paths."""
