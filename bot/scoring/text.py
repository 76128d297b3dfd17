"""Splitting turns into clauses with offsets, so every quote is a verbatim substring."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

# Sentence ends, dashes and semicolons end a clause; "but" starts a new one (it often
# flips the stance: "Your scans were clear, but that doesn't mean it isn't real").
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\s+[-\u2013\u2014]+\s+|;\s+|\n+|,?\s+(?=but\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Segment:
    text: str  # verbatim slice of the turn text (stripped)
    start: int
    end: int


def segments(text: str) -> List[Segment]:
    out: List[Segment] = []
    pos = 0
    for match in _BOUNDARY.finditer(text):
        _add(out, text, pos, match.start())
        pos = match.end()
    _add(out, text, pos, len(text))
    return out


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
