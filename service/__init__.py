"""Mitra: partner-district matching for Indonesia's stunting-reduction programme."""

__version__ = "0.1.0"
