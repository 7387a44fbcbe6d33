"""Subcommands of `rasid`, one module per area; `rasid.cli` registers them."""
