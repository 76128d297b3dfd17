"""Question style (open before closed: Calgary-Cambridge's cone) and empathic statements."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from bot.nlu.segments import Segment

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

#: Questions that start like open ones but ask for a number, a time or a choice ("How long
#: exactly?", "What dose?"): closed by their form.
_NARROW = re.compile(
    r"^(?:\W*(?:ok(?:ay)?|so|right|and|thanks?(?: you)?|great|alright|um+|well|now)\b[,.]?\s*)*"
    r"(?:how (?:long|many|much|often|old|bad|severe|far|frequently|big|soon)|"
    r"what (?:time|dose|age|number|day|year|month|score)|which)\b",
    re.IGNORECASE,
)

_EMPATHIC = re.compile(
    r"\b(?:that|this|it)(?: all)? (?:sounds|must be|must have been|seems)\b[^.?!]{0,30}\b(?:hard|difficult|tough|awful|exhausting|frightening|scary|"
    r"lonely|painful|upsetting|frustrating|stressful|a lot|overwhelming|horrible|draining|worrying|rough|miserable|"
    r"full-on|intense|heavy|grim|brutal|relentless|hectic|gruelling|grueling)|"
    r"\bi (?:honestly |really |genuinely )?don'?t know how you (?:do it|manage|cope|keep going)\b|"
    r"\b(?:is|was|that'?s|that is) (?:such )?(?:huge|massive|a huge loss|a big loss|a big deal|a lot to lose)\b|"
    r"\b(?:aches|pains?|headaches?|symptoms?|(?:sleep |stomach )?problems?|tiredness|they|it|this)(?:'s| is| are) "
    r"(?:very |completely |totally |absolutely |definitely )?real\b|"
    r"\bi'?m (?:so |really |very |truly )?sorry (?:to hear|you|about|that)|\bi can (?:see|hear|imagine|understand|tell) (?:how|that|why|this|it)|"
    r"\bi hear (?:you|that)\b|\bmakes (?:complete |total |perfect )?sense (?:that|you)|\bi believe you\b|"
    r"\b(?:you'?re|you are) not (?:imagining|making (?:it|this) up|overreacting)|\bnot in your head\b|"
    r"\b(?:you did|you'?ve done) the right thing\b|\btake (?:this|it|you) (?:very )?seriously\b|"
    r"\bthank you for (?:telling|sharing|being (?:so )?open)|\btake your time\b|\bno wonder you\b|"
    r"\b(?:that|this|it) (?:can'?t|cannot) (?:be|have been) (?:easy|fun|nice|much fun)\b|\byou poor (?:thing|love|soul)\b|"
    r"\bi can (?:only )?imagine\b|\bwhat a (?:lot|nightmare|horrible|awful|tough|rough)\b|"
    r"\b(?:that'?s|that is) (?:really |so |pretty |absolutely |just )?(?:rough|tough|rubbish|awful|horrible|hard going|"
    r"a lot to|brutal|grim|miserable|exhausting|draining|relentless|a nightmare)\b|"
    r"\b(?:that'?s|that is|it'?s) (?:a lot|so much|an awful lot|a great deal) (?:for|to|on)\b|"
    r"\byou must (?:be|feel|have been) (?:so |really |very |absolutely |completely |totally )?(?:exhausted|shattered|"
    r"worn out|drained|fed up|frustrated|worried sick|worried|tired|scared|frightened|knackered|run down|"
    r"at the end of your tether|at your wits'? end)\b|"
    r"\bi'?m (?:so|really|very|truly|terribly) sorry\b|"
    r"\b(?:a long time|so long|ages|years) to (?:be in pain|put up with|live with|cope with|suffer|struggle)\b|"
    r"\bsounds? (?:really |so |pretty |very )?(?:heavy|grim|brutal|exhausting|lonely|isolating|scary|rough)\b|"
    r"\bthanks? (?:you )?for (?:being (?:so )?(?:honest|open)|telling me|sharing|explaining that)\b|"
    r"\b(?:that'?s|that is|it'?s) (?:a lot|so much)\s*(?:[.!,;\-\u2013\u2014]|$)|"
    r"\bi'?m (?:so |really |very )?sorry (?:they|it|he|she|this|that'?s|that was|for what)\b|"
    r"\b(?:completely |totally |really |very |perfectly )?understandable\b|"
    r"\b(?:that|it) makes (?:total |complete |perfect |a lot of )?sense\b(?! to (?:me|you) (?:so far|now))|"
    r"\b(?:you'?re|you are) not (?:a )?(?:bad|weak|useless|lazy|silly|daft|stupid|failing|a burden|a failure)\b|"
    r"\b(?:isn'?t|is not|it'?s not) (?:a )?(?:weakness|a sign of weakness|your fault|a failure)\b|"
    r"\bnot your fault\b|\bi don'?t think that (?:at all|of you)\b",
    re.IGNORECASE,
)


def _clause_style(clause: str) -> str:
    stripped = clause.strip()
    if _NARROW.search(stripped):
        return "closed"
    if _OPEN.search(stripped):
        return "open"
    if _CLOSED.search(stripped) or stripped.endswith("?"):
        return "closed"
    return "statement"


def question_style(text: str) -> str:
    """'open', 'closed' or 'statement', judged on the turn's question clauses: a greeting or
    an empathic sentence before the question does not make it a statement."""
    from bot.nlu.segments import segments

    styles = [_clause_style(s.text) for s in segments(text)] or ["statement"]
    questions = [s for s in styles if s != "statement"]
    if not questions:
        return "statement"
    return "open" if "open" in questions else "closed"


def empathic_phrase(text: str) -> bool:
    return bool(_EMPATHIC.search(text))


#: Words that keep the symptoms real ("it's real", "I believe you", "not in your head"): one
#: lexicon for the patient's view and the teaching pack (docs/scoring.md).
_LEGITIMISING = re.compile(
    r"\b(?:(?:is|are|it'?s|they'?re) (?:very |completely |absolutely |clearly )?real\b|i believe you|"
    r"not in your head|not (?:imagining|making (?:it|this) up|overreacting|faking)|right to come|"
    r"(?:did|done) the right thing|take (?:this|it|you) (?:very )?seriously|(?:completely |very )?understandable|"
    r"makes (?:a lot of |complete |total )?sense|deserves? (?:proper )?attention)",
    re.IGNORECASE)


def legitimising_phrase(text: str) -> bool:
    return bool(_LEGITIMISING.search(text))


#: Invitations to say more about a feeling ("tell me more", "that must...", "I'm sorry"): with
#: the empathic phrases above, what makes a reply to a cue a continuer (docs/scoring.md).
_EXPLORING = re.compile(
    r"\b(?:tell me (?:more|a bit more|about)|say more|how (?:does|did|has) (?:that|this|it) (?:make you feel|felt|been for you|affect)|"
    r"what'?s (?:that|it) been like|how are you (?:feeling|coping) (?:about|with) (?:that|it)|"
    r"what do you mean (?:by|when)|can you (?:tell|say) (?:me )?more|go on|that must|sounds (?:really |so |incredibly )?"
    r"(?:hard|difficult|tough|awful|exhausting|frightening|scary|lonely|painful|upsetting|frustrating|stressful|like a lot)|"
    r"i'?m (?:so |really |very )?sorry|i can (?:see|hear|imagine|understand)|i hear you|that'?s (?:a lot|really hard|so hard|awful|tough))",
    re.IGNORECASE,
)


def exploring_phrase(text: str) -> bool:
    return bool(_EXPLORING.search(text) or _EMPATHIC.search(text))


# --- clinical shorthand (the patient's view and the teaching pack) ---------------------

#: Case-sensitive abbreviations that belong in notes, not in a conversation with a patient.
_ABBREVIATIONS = re.compile(
    r"(?<![\w/&])(?:PMHx?|PHx|FHx?|SHx|DHx|HPC|PC|ROS|SOBOE|SOB|N&V|N/V|BNO|BO|PR|PV|LMP|LOC|EtOH|ETOH|OTC|NKDA|"
    r"IBD|GORD|GERD|FODMAP|TFTs?|FBC|U&Es?|LFTs?|CRP|ESR|NSAIDs?|prn|PRN|Hx|Sx|Rx|[Hh]x|obs)(?![\w/&])")
#: Clinical words a patient may not use themselves.
_JARGON = re.compile(
    r"\b(?:radiat(?:e|es|ing|ion)|exacerbat\w+|alleviat\w+|aggravating factors?|relieving factors?|nocturnal|"
    r"haematochezia|hematochezia|mela?ena|dysuria|dyspno?ea|pa?ra?esthesi\w+|syncop\w+|post-?prandial|tenesmus|"
    r"dyspepsia|antispasmodics?|degenerative|mechanical (?:low )?(?:back )?pain|cauda equina|anhedonia|"
    r"somati[sz]\w*|psychosomatic|rectal bleeding|bowel habit|sleep hygiene|red flags?|incontinence)\b",
    re.IGNORECASE)
_LEAD_FILLER = re.compile(r"^(?:\W*(?:and|so|ok(?:ay)?|right|now|also|um+|er+)\b[,.]?\s*)+", re.IGNORECASE)
#: First words that make a short question a normal question ("How long?", "Any fever?").
_QUESTION_START = frozenset(
    "what how why when where who whose which whom do does did is are was were have has had can could will would "
    "should shall may might tell any anything anyone anywhere go sorry really pardon yes yeah no right ok okay "
    "hmm is that and".split())


def shorthand(text: str, parts: Optional[Sequence["Segment"]] = None) -> Optional[Tuple[str, str]]:
    """The first clause of a learner turn that uses clinical shorthand, as (verbatim clause,
    kind): kind "jargon" for an abbreviation or clinical word ("Any PMH?", "Does it
    radiate?"), "telegraphic" for a verbless question ("Bowels ok?", "Meds?").
    ``parts`` are the turn's clauses when already split (text.segments)."""
    from bot.nlu.segments import segments

    for seg in (segments(text) if parts is None else parts):
        clause = seg.text
        if _ABBREVIATIONS.search(clause) or _JARGON.search(clause):
            return clause, "jargon"
        if not clause.endswith("?"):
            continue
        body = _LEAD_FILLER.sub("", clause).strip(" ?")
        words = body.split()
        first = re.sub(r"['\u2019]s$", "", words[0].lower().strip(",.")) if words else ""
        if not words or len(words) > 4 or first in _QUESTION_START:
            continue
        if len(words) <= 2 or re.search(r"\b(?:ok|okay|alright|fine|out of (?:10|ten))\b", body, re.IGNORECASE):
            return clause, "telegraphic"
    return None
