"""Numba kernels of mobsim (installed as mobsim.kernels): they import NumPy and Numba only."""
