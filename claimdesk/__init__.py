"""ClaimDesk: an offline case manager for people fighting an insurance denial."""

__version__ = "0.1.0"
