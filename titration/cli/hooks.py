"""Entry points that need Qt live outside the core; main.py hands them in (gui, export)."""
HOOKS: dict = {}
