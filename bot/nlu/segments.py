"""Splitting turns into clauses with offsets, so every quote is a verbatim substring.

One segmentation serves the patient (a compound turn is answered part by part) and the
scorer (each clause is judged on its own): docs/intent-guide.md, "one turn, several acts".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Tuple

from bot.nlu import lexicon

# Sentence ends, dashes and semicolons end a clause; "but" starts a new one (it often
# flips the stance: "Your scans were clear, but that doesn't mean it isn't real").
# A second question joined by "and"/"or" or a comma starts a clause too ("How's your sleep,
# and what about your mood?").
_QUESTION_WORDS = ("what", "what's", "how", "how's", "when", "where", "whereabouts", "why", "who", "which", "whether",
                   "do", "does", "did", "are", "is", "was", "were", "have", "has", "had", "can", "could", "would",
                   "will", "any", "anything", "anyone", "anybody")
#: The words a question starts with, and their texting forms: one home for the splitter and
#: for bot/nlu/reading.py's "is this clause a question?".
QUESTION_START = r"(?:" + "|".join(map(re.escape, (*_QUESTION_WORDS, *lexicon.texting_forms(*_QUESTION_WORDS)))) + r")\b"
#: Words that join a second question on: "and", "also", "plus", and the texting "n" ("hw
#: long n wat makes it worse").
JOINING_WORDS = ("and", "also", "plus", *lexicon.texting_forms("and"))
_AND = r"(?:" + "|".join(JOINING_WORDS) + r")"
#: A question tag asks nothing new ("... can't really be acid, can it?", "..., do you?"): it
#: stays with its clause.
_TAG = (r"(?:is|was|can|could|do|does|did|have|has|are|will|would|should)(?:n'?t)?\s+"
        r"(?:it|you|he|she|they|we|i|that|there|this)(?:\s+think)?\W*$")
#: "for you and your dad" joins two people, not two questions ("how's your sleep and your mood?").
_NOT_AFTER_PRONOUN = "".join(r"(?<!\b" + w + ")" for w in ("you", "u", "me", "him", "her", "them", "us"))
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\s+[-\u2013\u2014]+\s+|;\s+|\n+|,?\s+(?=but\b)"
                       r"|,?\s+(?=" + _AND + r"\s+(?:" + QUESTION_START + r"|(?:what|how) about\b))"
                       r"|" + _NOT_AFTER_PRONOUN + r",?\s+(?=" + _AND + r"\s+(?:your|ur)\b)"
                       r"|,\s+(?=" + QUESTION_START + r")(?!" + _TAG + r")", re.IGNORECASE)


#: A clause that only names whom the learner speaks to, before a comma ("Leo, how's
#: school?", "Mr Nowak, what are your nights like?"): it asks nothing, and a name the model has never met only blurs the reading.
_VOCATIVE = re.compile(r"^\W*(?:(?i:and|so|now|ok|okay|right)\W+)?(?:(?i:mr|mrs|ms|miss|dr)\.?\s+)?"
                       r"(?!(?:" + "|".join(sorted(lexicon.NOT_NAMES | {"Doctor", "Nurse"})) + r")\b)"
                       r"[A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+)?\W*$"
                       # "and what about yourself, Mr Finch, what would you like?" turns to them.
                       r"|^\W*(?i:and\s+)?(?i:what|how)\s+about\s+(?i:you|yourself|u)\W*"
                       r"(?:(?:(?i:mr|mrs|ms|miss)\.?\s+)?[A-Z][a-z'\-]+\W*)?$")


@dataclass(frozen=True)
class Segment:
    text: str  # verbatim slice of the turn text (stripped)
    start: int
    end: int


def segments(text: str) -> List[Segment]:
    """The turn's clauses in order (a new list each call; the split itself is remembered,
    because the patient, the NLU and the scorer each split the same turns)."""
    return list(_split(text))


@lru_cache(maxsize=65536)
def _split(text: str) -> Tuple[Segment, ...]:
    out: List[Segment] = []
    pos = 0
    for match in _BOUNDARY.finditer(text):
        _add(out, text, pos, match.start())
        pos = match.end()
    _add(out, text, pos, len(text))
    if len(out) > 1:
        kept = [seg for seg in out if not (_VOCATIVE.match(seg.text) and text[seg.end:seg.end + 1] == ",")]
        out = kept or out
    return tuple(out)


def reading_text(text: str) -> str:
    """The turn as the model reads it whole: without a name it only addresses someone by
    ("Leo, how are you finding school?" is read as "how are you finding school?")."""
    parts = _split(text)
    if not parts or (parts[0].start == 0 and parts[-1].end == len(text.rstrip())):
        return text
    return text[parts[0].start:parts[-1].end]


def clauses_of(text: str) -> List[Segment]:
    """The turn's clauses, or the whole turn as one when it splits into none (blank text)."""
    return segments(text) or [Segment(text, 0, len(text))]


def with_clauses(text: str) -> List[str]:
    """The whole turn, then each of its clauses when it has several: how a turn is read in
    one batch (the whole turn's label, then each clause's)."""
    parts = segments(text)
    return [reading_text(text), *(p.text for p in parts)] if len(parts) > 1 else [reading_text(text)]


def _add(out: List[Segment], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    offset = start + piece.index(stripped)
    out.append(Segment(stripped, offset, offset + len(stripped)))


def clip(quote: str, limit: int = 240) -> str:
    """A shorter verbatim prefix for very long quotes (still a substring)."""
    if len(quote) <= limit:
        return quote
    cut = quote[:limit]
    space = cut.rfind(" ")
    return cut[: space if space > limit // 2 else limit]
