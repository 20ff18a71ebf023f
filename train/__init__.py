"""The training package: ``python -m train --help``."""
