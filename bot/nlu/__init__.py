"""Rasa NLU components of SP Trainer."""
