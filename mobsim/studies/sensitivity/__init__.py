"""Which placeholders the answer hangs on: ranges and priors, Morris and Sobol designs (SALib)."""
