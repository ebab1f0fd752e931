"""IVIg infusion-rate titration assistant: the desktop app, or a headless command (see --help)."""
import sys

from titration.cli import main

if __name__ == "__main__":
    sys.exit(main())
