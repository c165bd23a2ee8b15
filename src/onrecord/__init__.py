"""onrecord: who said what, on whose authority, in news reporting."""

__version__ = "0.1.0"
