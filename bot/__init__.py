"""SP Trainer: a Rasa standardized patient whose answers come from persona files."""

__version__ = "0.1.0"
