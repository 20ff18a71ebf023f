"""Developer tools that are neither the library, the app nor tests: ``python -m tools.screenshots``."""
