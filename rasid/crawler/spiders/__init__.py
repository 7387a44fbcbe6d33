"""Spiders of rasid: one generic spider driven by source entries (data, not code)."""
