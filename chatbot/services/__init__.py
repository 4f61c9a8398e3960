"""Business rules: the only layer that commits, and that calls the cache invalidation after commit."""
