"""The package's version, apart from the package's root: the client names it in its User-Agent, and
the root imports the engine (``provider``), which the client must not."""

__version__ = "0.1.0"
