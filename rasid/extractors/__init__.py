"""HTML page bytes -> Article: trafilatura plus Arabic decoding, dates and clean-up (pure: values in, out)."""

from .article import Article, ExtractionError, ExtractOptions
from .extract import extract_article

__all__ = ["Article", "ExtractOptions", "ExtractionError", "extract_article"]
