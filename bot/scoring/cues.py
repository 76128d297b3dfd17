"""Emotional cues in patient turns (Suchman's empathic opportunities) and how the learner
answered them: a continuer acknowledges or explores, a terminator moves on."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from bot.nlu.segments import clip, segments
from bot.patient.engine import CONTINUERS
from bot.personas.model import Persona

_FEELING = re.compile(
    r"\b(?:i|i'm|i've|i'd|i am|i have|i feel|i felt|makes me|made me|leaves me|left me)\b[^.?!]{0,40}\b("
    r"useless|hopeless|worthless|helpless|alone|lonely|isolated|scared|frightened|terrified|afraid|anxious|worried|"
    r"down|low|depressed|sad|miserable|awful|terrible|guilty|ashamed|embarrassed|stupid|frustrated|fed up|"
    r"exhausted|overwhelmed|lost|stuck|trapped|angry|furious|resentful|a burden|a failure|failing|broken|"
    r"not myself|at the end of my tether|can'?t cope|can'?t take|can'?t go on|half a man|a fraud|invisible|"
    r"nobody (?:believes|listens|cares|understands)|no one (?:believes|listens|cares|understands)|"
    r"cry|cried|crying|in tears|tearful|panick?\w*|dread\w*|hate (?:it|myself|this)|give up|gave up|"
    r"what'?s the point|don'?t know what to do|falling apart|on edge|heartbroken|grief|griev\w*|miss (?:her|him|them))\b",
    re.IGNORECASE,
)
_DISTRESS = re.compile(
    r"\b(?:it'?s been|it has been|it'?s|things have been|life has been)\s+(?:so |really |just |quite )?"
    r"(?:hard|awful|horrible|tough|difficult|a nightmare|hell|too much|unbearable|exhausting)\b|"
    r"\b(?:nobody|no one) (?:believes|listens|takes me seriously)\b|\bkeep (?:thinking|worrying) about\b",
    re.IGNORECASE,
)

#: Learner acts that pick up a cue (continuers): the patient engine's own set.
CONTINUER_TOPICS = CONTINUERS
_EXPLORING = re.compile(
    r"\b(?:tell me (?:more|a bit more|about)|say more|how (?:does|did|has) (?:that|this|it) (?:make you feel|felt|been for you|affect)|"
    r"what'?s (?:that|it) been like|how are you (?:feeling|coping) (?:about|with) (?:that|it)|"
    r"what do you mean (?:by|when)|can you (?:tell|say) (?:me )?more|go on|that must|sounds (?:really |so |incredibly )?"
    r"(?:hard|difficult|tough|awful|exhausting|frightening|scary|lonely|painful|upsetting|frustrating|stressful|like a lot)|"
    r"i'?m (?:so |really |very )?sorry|i can (?:see|hear|imagine|understand)|i hear you|that'?s (?:a lot|really hard|so hard|awful|tough))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cue:
    turn: int
    quote: str


def cue_quote_from_text(text: str) -> Optional[str]:
    """The most emotional clause of a patient turn, or None when there is none."""
    for segment in segments(text):
        if _FEELING.search(segment.text) or _DISTRESS.search(segment.text):
            return clip(segment.text)
    return None


def persona_cue_quote(text: str, persona: Persona) -> Optional[str]:
    """When the turn contains a text the persona marks as a cue, quote its emotional part."""
    for cue_text in persona.cue_texts():
        if cue_text and cue_text in text:
            return cue_quote_from_text(cue_text) or clip(cue_text)
    return None


def find_cue(text: str, persona: Optional[Persona]) -> Optional[str]:
    if persona is not None:
        return persona_cue_quote(text, persona)
    return cue_quote_from_text(text)


def is_continuer(topic: str, turn_text: str, empathic: bool) -> bool:
    return empathic or topic in CONTINUER_TOPICS or bool(_EXPLORING.search(turn_text))


def suggestion_for(quote: str) -> str:
    """An example continuer for a missed cue: name the feeling, then invite more."""
    match = _FEELING.search(quote)
    if match:
        feeling = match.group(1).lower()
        if feeling in ("cry", "cried", "crying", "in tears", "tearful"):
            return "That sounds really upsetting. What's been bringing the tears on?"
        if feeling.startswith(("nobody", "no one")):
            return "It sounds like you haven't felt believed. I believe you, and I'd like to understand more."
        if feeling in ("scared", "frightened", "terrified", "afraid", "worried", "anxious") or feeling.startswith(("panic", "dread")):
            return f"It sounds like you've been feeling {feeling}. What is it that frightens you most about it?"
        return f"It sounds like you've been feeling {feeling}. That must be really hard. Can you tell me more about that?"
    return "That sounds really hard. Can you tell me more about how that's been for you?"
