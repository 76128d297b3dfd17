"""Rasa plug-ins named by module path in endpoints.yml: the in-process NLG that answers as
the persona, and the atomic Redis lock store of the scaled profile (docs/deploy.md). The
channels, also plug-ins, have their own package (bot/channels)."""
