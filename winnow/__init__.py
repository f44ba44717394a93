"""winnow: label every paragraph of a scraped news page as article or junk."""

__version__ = "0.1.0"
