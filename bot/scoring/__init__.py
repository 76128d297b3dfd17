"""Scoring: rate an interview like a trained assessor, with evidence for every point.

``score_transcript(transcript)`` returns the contract report (docs/contracts.md, section 5) plus more:
domain rationales, cue suggestions and advice. See docs/scoring.md.
"""
from bot.scoring.report import score_many, score_transcript

__all__ = ["score_many", "score_transcript"]
