"""gadesign: generative design by evolutionary search."""

__version__ = "0.1.0"
