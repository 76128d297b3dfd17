"""Question style (open before closed: Calgary-Cambridge's cone) and empathic statements."""
from __future__ import annotations

import re

_OPEN = re.compile(
    r"^(?:\W*(?:ok(?:ay)?|so|right|and|thanks?(?: you)?|great|alright|um+|well|now)\b[,.]?\s*)*"
    r"(?:what|how|why|tell me|describe|can you (?:tell|describe|talk|walk)|could you (?:tell|describe|talk|walk)|"
    r"would you (?:tell|describe|mind telling)|talk me through|walk me through|in what way|help me understand|"
    r"i'?d (?:like|love) to hear|i was wondering (?:what|how)|go on|take me (?:back|through)|in your own words)\b",
    re.IGNORECASE,
)
_CLOSED = re.compile(
    r"^(?:\W*(?:ok(?:ay)?|so|right|and|thanks?(?: you)?|great|alright|um+|well|now)\b[,.]?\s*)*"
    r"(?:do|does|did|is|are|was|were|have|has|had|can|could|will|would|any|anything|ever|on a scale|when|where|which|who|how (?:long|many|much|often|old))\b",
    re.IGNORECASE,
)

_EMPATHIC = re.compile(
    r"\b(?:that|this|it)(?: all)? (?:sounds|must be|must have been|seems)\b[^.?!]{0,30}\b(?:hard|difficult|tough|awful|exhausting|frightening|scary|"
    r"lonely|painful|upsetting|frustrating|stressful|a lot|overwhelming|horrible|draining|worrying|rough|miserable)|"
    r"\bi'?m (?:so |really |very |truly )?sorry (?:to hear|you|about|that)|\bi can (?:see|hear|imagine|understand|tell) (?:how|that|why|this|it)|"
    r"\bi hear (?:you|that)\b|\bmakes (?:complete |total |perfect )?sense (?:that|you)|\bi believe you\b|"
    r"\byour (?:pain|symptoms?|sleep problems?|stomach problems?|tiredness) (?:is|are) (?:very |completely )?real\b|"
    r"\b(?:you'?re|you are) not (?:imagining|making (?:it|this) up|overreacting)|\bnot in your head\b|"
    r"\b(?:you did|you'?ve done) the right thing\b|\btake (?:this|it|you) (?:very )?seriously\b|"
    r"\bthank you for (?:telling|sharing|being (?:so )?open)|\btake your time\b|\bno wonder you\b",
    re.IGNORECASE,
)


def _clause_style(clause: str) -> str:
    stripped = clause.strip()
    if _OPEN.search(stripped):
        return "open"
    if _CLOSED.search(stripped) or stripped.endswith("?"):
        return "closed"
    return "statement"


def question_style(text: str) -> str:
    """'open', 'closed' or 'statement', judged on the turn's question clauses: a greeting or
    an empathic sentence before the question does not make it a statement."""
    from bot.scoring.text import segments

    styles = [_clause_style(s.text) for s in segments(text)] or ["statement"]
    questions = [s for s in styles if s != "statement"]
    if not questions:
        return "statement"
    return "open" if "open" in questions else "closed"


def empathic_phrase(text: str) -> bool:
    return bool(_EMPATHIC.search(text))
