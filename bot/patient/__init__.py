"""The simulated patient's behaviour: rapport, disclosure, repeats and cues, derived
deterministically from the learner's acts so replies and scores are reproducible."""
from bot.patient.engine import PatientReply, respond

__all__ = ["PatientReply", "respond"]
