"""The version of labsim (a leaf: every module may import it, it imports nothing)."""

__version__ = "0.1.0"
