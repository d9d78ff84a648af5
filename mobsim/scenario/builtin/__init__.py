"""Data shipped inside the package: the built-in baseline scenario."""
