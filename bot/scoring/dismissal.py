"""Dismissive and stigmatising language, with its kind (rubric-sources.md).

Two layers per clause: patterns for the recognised forms (denial, psychologising,
implying faking, normal tests therefore nothing, premature reassurance, lecturing,
either/or framing), and the NLU model's own dismiss / reassure_premature probability
for rewordings the patterns do not know. Guards keep a good mind-body explanation, a
legitimising negation ("this is not in your head") and reported speech ("the last
doctor said it was all in your head") from being flagged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Pattern, Sequence, Tuple

from bot.nlu.reading import DISMISSIVE_MAIN_CONFIDENCE
from bot.nlu.segments import Segment
from bot.scoring.classifier import Prediction

KINDS = ("denial", "psychologising", "faking", "normal_tests", "premature_reassurance", "lecturing", "either_or")


def _rx(*parts: str) -> Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


_MIND = r"(?:in your (?:head|mind)|(?:psycholog|psychosomat|mental|emotional)\w*|stress(?:ed)?|anxiety|anxious|nerves|worry\w*|your (?:head|mind|emotions|feelings|thoughts)|emotions|feelings|in the mind|head thing)"
_BODY = r"(?:physical\w*|real|body|bodily|medical|organic|your (?:stomach|gut|back|bowel|body|spine|joints|muscles))"

PATTERNS: Sequence[Tuple[str, Pattern[str]]] = (
    ("normal_tests", _rx(
        r"\b(?:tests?|scans?|bloods?|results?|x-?rays?|mri|ct|endoscopy|colonoscopy|camera|investigations?|everything)\b"
        r"[^.?!]{0,70}\b(?:normal|clear|fine|negative|came back (?:ok|okay|fine|clear|normal))\b"
        r"[^.?!]{0,50}\b(?:so|therefore|which means|that means|meaning|means|then)\b[^.?!]{0,50}"
        r"\b(?:nothing|no\b|can'?t|cannot|isn'?t|not\b|fine|healthy|must|has to|probably|just)",
        r"\b(?:nothing|no ?thing) (?:showed|show(?:ed|s)? up|was found|on the (?:tests?|scans?|results?))\b[^.?!]{0,40}\b(?:so|therefore|means)\b",
        r"\b(?:tests?|scans?|bloods?|results?|investigations?)\b[^.?!]{0,40}\b(?:normal|clear|fine|negative)\b[^.?!]{0,40}"
        r"\b(?:nothing (?:to find|there|wrong|physical)|physically (?:fine|nothing|healthy))",
    )),
    ("either_or", _rx(
        rf"\b(?:whether|if|is) (?:it'?s |this is |it is )?(?:a )?{_BODY}\b[^.?!]{{0,40}}\bor (?:whether |if )?(?:it'?s |this is )?(?:a |just |all )?{_MIND}",
        rf"\b{_MIND}\b[^.?!]{{0,30}}\bor (?:is it )?(?:a |something )?{_BODY}\b",
        r"\breal or (?:not|imagined|in your head|made up|mental|psychological)\b",
        r"\b(?:your )?body or (?:your )?mind\b",
    )),
    ("lecturing", _rx(
        r"\b(?:just|simply|really|only) (?:need|have|got|ought) to (?:relax|calm down|chill|stop\b|think positive|toughen up|get on with|push through|lose weight|exercise more|sleep more|switch off|not think|cheer up|cut out|stop worrying|man up)",
        r"\byou (?:need|have|ought|should|must) to (?:relax|calm down|chill out|stop worrying|think positive|toughen up|get over it|man up|cheer up|snap out of it|pull yourself together)\b",
        r"\byou should (?:just )?(?:relax|calm down|stop worrying|think positive|try not to think)\b",
        r"\b(?:try|have you tried|why not|why don'?t you) (?:to )?(?:just |simply )?(?:relax(?:ing)?\b(?! (?:exercise|technique|training))|not (?:to )?(?:worry|think)|not worrying|not thinking|thinking (?:more )?positive|think(?:ing)? positive|calm(?:ing)? down|stop(?:ping)? worrying|ignor(?:e|ing) it|distract(?:ing)? yourself)",
        r"\b(?:stop|quit) (?:worrying|thinking about it|stressing|focusing on (?:it|the pain|your symptoms)|dwelling)\b",
        r"\b(?:think positive(?:ly)?|positive thinking|mind over matter|pull yourself together|toughen up|man up|snap out of it|get on with it|push through it|chin up)\b",
        r"\bif you (?:just |only )?(?:relaxed|stopped\b|lost (?:some )?weight|exercised|slept more|calmed down|cut (?:that |it |this )?(?:out|down|back)|gave up|got (?:more )?(?:sleep|exercise))\b[^.?!]{0,60}\b(?:go away|better|fine|disappear|sort|come right|on (?:its|their) own|settle|improve)",
        r"\b(?:focus(?:ing|ed)?|dwell(?:ing)?|fixat\w+) on (?:it|this|the pain|your symptoms|your stomach|your sleep)\b[^.?!]{0,20}\b(?:too much|a lot|a bit much)",
    )),
    ("faking", _rx(
        r"\b(?:over-?react\w*|exaggerat\w*|over-?dramati\w*|dramatic|drama queen|making a (?:big )?(?:fuss|deal)|attention[- ]seek\w*|putting it on|faking|hysteric\w*|hypochondria\w*)",
        r"\bblow\w* (?:it |this |things )?(?:a (?:bit|little) )?out of proportion\b",
        r"\bmaking (?:more|a (?:bit )?more|too much|a mountain) (?:of|out of) (?:it|this|this than)",
        r"\bcan'?t (?:really |possibly |actually )?be (?:that|so|all that|as) (?:bad|painful|severe|serious)\b",
        r"\bcan'?t (?:really |possibly |actually )?(?:hurt|ache|be hurting)(?: that| so| as)? (?:much|badly)\b",
        r"\b(?:sound|seem|look|make)s? (?:it )?(?:sound )?(?:a bit |a little |much |even )?(?:worse|bigger|more serious) than (?:it is|it really is|it actually is)\b",
        r"\b(?:seems?|sounds?) (?:a (?:little|bit) |rather |quite |very )?(?:high|extreme|over the top|a lot) for (?:what|someone|a)\b",
        r"\b(?:find it|it'?s) (?:hard|difficult) to believe\b",
        r"\b(?:is it|it can'?t be|surely it'?s not) (?:really )?(?:that|so) bad\b",
        r"\b(?:people|others|patients|folks|plenty of people)\b[^.?!]{0,25}\b(?:much |far |a lot )?worse(?: off)?\b",
        r"\b(?:worse|tougher|harder) off than you\b",
        r"\b(?:can'?t|couldn'?t) be as bad as you\b",
        r"\b(?:not|isn'?t|wasn'?t) (?:really |quite )?(?:as|so|that) bad as (?:you|it)(?:'re| are| is)? (?:think|thinking|say|saying|make|making|feel|feels|seem|seems|describe)",
        r"\b(?:really|actually) as bad as (?:you|you'?re|you are) (?:say|saying|making|describ)",
        r"\b(?:milking|making it up|imagining (?:it|things|this))\b",
    )),
    ("psychologising", _rx(
        rf"\b(?:all|just|only|mostly|mainly|purely|largely|simply|basically|entirely|merely)\b[^.?!]{{0,30}}\b{_MIND}",
        rf"\b(?:it'?s|this is|that'?s|this'?s|it is) (?:probably|likely|most likely|really) (?:just |all |only )?{_MIND}",
        rf"\b(?:more|mostly|mainly|largely|really) (?:about|to do with|down to|related to|a matter of|coming from) (?:the |your )?{_MIND}",
        r"\bthan (?:anything|something) (?:physical|wrong|in (?:the|your) (?:spine|back|gut|stomach|bowel|body))\b",
        r"\b(?:your )?(?:mind|head|brain|emotions|thoughts) (?:is |are )?(?:causing|creating|making|producing|behind)\b",
        r"\b(?:more|rather) (?:of )?(?:a )?(?:stress|mental|psychological|anxiety|emotional|nerves?|head|mind|worry) (?:thing|issue|problem|situation)\b",
        rf"\b(?:not|rather than|instead of|isn'?t) (?:a |really |actually )?(?:real|physical|your (?:stomach|gut|back|body|bowel))\b[^.?!]{{0,40}}\b{_MIND}",
        rf"\b{_MIND}\b[^.?!]{{0,30}}\b(?:not|rather than|instead of|more than) (?:a |really |actually )?(?:real|physical|your (?:stomach|gut|back|body|bowel|spine))\b",
        r"\b(?:it'?s|this is|that'?s|it is|sounds|seems|looks|i think it'?s|probably) (?:like )?(?:a |an |just )?(?:psycholog|psychosomat)\w*",
        r"\b(?:it'?s|this is|that'?s|it is|sounds like|seems like|looks like) (?:just |all |only |mostly )?(?:your )?(?:anxiety|stress|nerves|depression|worry|worrying)\b(?! (?:can|could|may|might|and|is|are|has|have|makes?|plays?|you|about|me|in particular))",
        r"\b(?:stress[- ]related|anxiety[- ]related|all in the mind|head case)\b",
        r"\bnot a real (?:illness|problem|condition|disease|pain|stomach problem)\b",
        r"\b(?:down to|because of|caused by) (?:your )?(?:worrying|nerves|stress|anxiety|your head|your mind)\b",
        r"\b(?:you'?re|you are) (?:just |probably |a bit )?(?:stressed|anxious|depressed|a worrier)\b[^.?!]{0,25}\b(?:that'?s (?:all|it|why)|nothing more)",
    )),
    ("denial", _rx(
        r"\bnothing (?:(?:is|really|actually|physically|medically|seriously|much|at all) ){0,2}(?:wrong|the matter)\b",
        r"\b(?:don'?t|do not|doesn'?t|haven'?t|have not) (?:really |actually )?(?:have|got) anything (?:really |actually |physically |medically )?wrong\b",
        r"\byour (?:body|stomach|gut|back|bowels?|spine|joints|heart|brain)(?:'s| is| are) (?:completely |perfectly |totally |absolutely |physically |entirely )?(?:fine|healthy|normal|perfect|in good shape)\b",
        r"\b(?:not|isn'?t|aren'?t) (?:a |an )?(?:real|proper|genuine) (?:\w+ )?(?:issue|problem|illness|condition|disease|diagnosis)\b",
        r"\b(?:physically|medically|technically|objectively)\b[^.?!]{0,30}\b(?:fine|healthy|normal|nothing|perfect|well)\b",
        r"\bno (?:real|actual|physical|medical|genuine|underlying) (?:problem|disease|illness|issue|cause|reason|condition)\b",
        r"\b(?:there'?s|there is|you have) no (?:disease|illness|condition)\b",
        r"\b(?:part of (?:life|getting older|being|growing)|normal (?:at|for) your age|everyone gets\b|we all get\b|comes with age|just (?:getting )?older|just age)",
        r"\b(?:lots|plenty|loads|most) of (?:people|women|men|students|folks)(?: your age)? (?:get|have|feel|struggle)\b[^.?!]{0,40}\b(?:part of life|just life|normal|that'?s life)\b",
        r"\bnot (?:a )?(?:real|proper|genuine) (?:disease|condition|diagnosis)\b",
    )),
    ("premature_reassurance", _rx(
        r"\b(?:i'?m|i am|i feel) (?:sure|certain|confident|positive)\b[^.?!]{0,40}\b(?:nothing|fine|not (?:anything )?serious|be (?:ok|okay|fine|alright)|go away|settle|pass|harmless|clear up|get better)\b",
        r"\b(?:don'?t|do not|try not to|no need to|you shouldn'?t) (?:you )?(?:\w+ )?worry\b",
        r"\b(?:probably|likely|almost certainly|most likely) nothing\b",
        r"\b(?:it|this|that|they|everything)'?(?:ll| will) (?:probably |surely |definitely |soon )?(?:all )?(?:pass|settle|go away|clear up|sort itself out|be (?:fine|ok|okay|alright)|get better on its own|disappear)\b",
        r"\bnothing (?:to worry about|serious|sinister|to be concerned about)\b",
        r"\byou (?:look|seem) (?:perfectly |totally |completely |absolutely |very )?(?:fine|well|healthy|great|ok|okay)\b",
        r"\b(?:you'?re|you are) too young (?:for|to)\b",
        r"\bit'?s (?:very )?(?:common|harmless) and (?:harmless|nothing|goes away)\b",
    )),
)

# Clauses that keep the symptoms real, or report someone else's words: never a dismissal.
_LEGITIMISING = _rx(
    r"\b(?:not|never|isn'?t|aren'?t|wasn'?t|doesn'?t|don'?t|didn'?t|won'?t|nobody|no one|none)\b[^.?!]{0,40}\b(?:in your head|imagin\w+|making (?:it|this) up|faking|mental|psycholog\w*|just stress|all stress|exaggerat\w*|overreact\w*|nothing wrong|nothing there|not real|isn'?t real)",
    r"\b(?:doesn'?t|does not|don'?t|do not|didn'?t) (?:mean|rule out|make)\b[^.?!]{0,60}\b(?:nothing|not real|isn'?t real|aren'?t real|imagin|fine|no problem|not (?:there|happening|serious))",
    r"\b(?:is|are|feels?|it'?s) (?:very |completely |absolutely |100% )?real\b",
    r"(?<!no )(?<!not a )(?<!n't a )(?<!no real )\b(?:real|genuine) (?:pain|symptoms?|problem|condition|illness)\b",
    r"\bi (?:believe|don'?t doubt) you\b",
    r"\b(?:both|and) (?:physical and (?:mental|emotional|psychological)|body and mind|mind and body)\b",
    r"\bnot (?:an? )?either[ /-]?or\b|\bnot (?:one or the other|a choice between)\b",
    r"\b(?:turns? up the volume|more sensitive|sensitis|sensitiz|amplif|feed(?:ing)? (?:into |off )?each other|vicious (?:circle|cycle)|nervous system|gut[- ]brain|brain[- ]gut)\w*",
    r"\b(?:take|taking) (?:this|it|you|your \w+) (?:very )?seriously\b",
)
_REPORTED_SPEECH = _rx(
    r"\b(?:(?:doctor|gp|they|he|she|people|someone|others|everyone|your (?:family|boss|partner|mum|dad|husband|wife))\b[^.?!]{0,30}\b(?:said|told you|suggested|implied|say|says|think|thought|called it|made you feel))\b",
    r"\b(?:you (?:were|have been|'ve been|got) told|you mentioned|you said|you feel like|you felt like|you'?ve felt|felt that|feel that|worried (?:that|people)|afraid (?:that|people))\b",
)
_QUESTION_ABOUT = _rx(
    r"^(?:do|does|did|have|has|would|could|is|are)\s+(?:you|stress|anything|worry|work|things)\b[^.?!]{0,60}\?\s*$",
)

#: NLU probability above which a clause counts as dismissive without a pattern: the same
#: bar at which the patient takes a turn as a dismissal (bot/nlu/reading.py).
MODEL_THRESHOLD = DISMISSIVE_MAIN_CONFIDENCE
MODEL_THRESHOLD_REASSURANCE = 0.6
#: Questions are rarely dismissive unless a pattern says so.
MODEL_THRESHOLD_QUESTION = 0.8


@dataclass(frozen=True)
class Dismissal:
    kind: str
    quote: str
    source: str  # "pattern" | "model"


def _pattern_kind(text: str) -> Optional[str]:
    for kind, pattern in PATTERNS:
        if pattern.search(text):
            return kind
    return None


def _guess_kind(text: str, model_topic: str) -> str:
    """Kind for a clause the model flagged but no pattern named."""
    if model_topic == "reassure_premature":
        return "premature_reassurance"
    low = text.lower()
    if re.search(r"\b(test|scan|blood|result|x-?ray|mri|endoscop|investigation)", low):
        return "normal_tests"
    if re.search(r"\b(relax|positive|calm|should|need to|have to|try to|stop)\b", low):
        return "lecturing"
    if re.search(r"\b(worse|bad|exaggerat|overreact|fuss|dramatic)", low):
        return "faking"
    if re.search(r"\bor\b", low) and re.search(r"\b(real|physical|body)\b", low):
        return "either_or"
    if re.search(r"\b(nothing|fine|healthy|normal|wrong)\b", low):
        return "denial"
    return "psychologising"


_DOUBTING = _rx(r"^(?:\W*\w+,?\s+)?(?:are you sure|could you be|might you be|you'?re not \w+ (?:it|this) up,? are you)\b")


def is_protected(text: str) -> bool:
    """A clause that legitimises or reports another's words (not a doubting question)."""
    if _DOUBTING.search(text):
        return False
    return bool(_LEGITIMISING.search(text) or _REPORTED_SPEECH.search(text))


def detect(segments: Sequence[Segment], predictions: Sequence[Prediction], turn_text: str,
           red_flags_checked: bool = False) -> List[Dismissal]:
    """Dismissive clauses of one learner turn (``predictions`` are per segment)."""
    found: List[Dismissal] = []
    turn_legitimises = bool(_LEGITIMISING.search(turn_text))
    for segment, prediction in zip(segments, predictions):
        text = segment.text
        if is_protected(text):
            continue
        kind = _pattern_kind(text)
        if kind == "premature_reassurance" and red_flags_checked and turn_legitimises:
            kind = None  # reassurance after checking, alongside taking it seriously
        source = "pattern"
        if kind is None:
            p_dismiss, p_reassure = prediction.p("dismiss"), prediction.p("reassure_premature")
            threshold = MODEL_THRESHOLD if not text.rstrip().endswith("?") else MODEL_THRESHOLD_QUESTION
            # Reassurance has well-known wording (the patterns above); the model alone must be
            # surer before calling an ordinary sentence premature reassurance.
            p_reassure_counted = p_reassure if p_reassure >= MODEL_THRESHOLD_REASSURANCE else 0.0
            if max(p_dismiss, p_reassure_counted) >= threshold and not turn_legitimises \
                    and not _QUESTION_ABOUT.search(text):
                if p_reassure_counted > p_dismiss and red_flags_checked:
                    continue
                kind = _guess_kind(text, "dismiss" if p_dismiss >= p_reassure_counted else "reassure_premature")
                source = "model"
        if kind:
            found.append(Dismissal(kind, text, source))
    return found
