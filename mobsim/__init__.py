"""mobsim: emergency mobilization simulation of a grid-governance district."""

__version__ = "0.1.0"
