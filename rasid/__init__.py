"""rasid (راصد): an always-on watcher of Arabic news outlets that alerts analysts on watch topics."""

__version__ = "0.1.0"
