"""Rasa input channels hardened for a cohort: validated input, size and rate limits,
clear errors. Configured in credentials.yml in place of Rasa's rest and socketio."""
