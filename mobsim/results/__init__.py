"""What runs produce: output schemas, rows of a replication, the store, statistics, run folders."""
