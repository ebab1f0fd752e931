"""The command line: one module per command (design section 5)."""
