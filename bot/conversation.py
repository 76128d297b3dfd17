"""Read a Rasa tracker as an interview: which persona, and the learner's acts since it began.

Kept free of the NLG so the web app, the scorer and the CLI read conversations the same way.
Each learner turn may carry several acts (a compound turn, bot/nlu/reading.py); a
follow-up ("How many?") takes the topic of the question it follows (resolve_turn).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Set, Tuple

from bot import topics
from bot.nlu.reading import (
    DISMISSIVE_ACTS,
    RARE_WORDS,
    WARM_PREFACE_ACTS,
    looks_like_question,
    question_acts,
    subject_put_first,
)
from bot.nlu.segments import segments

PERSONA_KEY = "persona_id"


def plain_act(act: str) -> str:
    """A resolved follow-up ``follow_up:<topic>`` as its topic; any other act unchanged."""
    prefix = topics.FOLLOW_UP_INTENT + ":"
    return act[len(prefix):] if act.startswith(prefix) else act


def acts_with_dismissal(acts: Sequence[str], dismissal: str) -> Tuple[str, ...]:
    """The turn's acts with its hurt as the dismissal reader found it ("dismiss",
    "reassure_premature", or "" for none), so patient and score report agree: the act model's
    own dismissal gives way to it, and a statement the reader is sure of is that dismissal
    whatever else the act model called it ("It's all in your head." is no reflection); the
    questions of the turn are still asked (docs/scoring.md, "One reading for patient and report")."""
    kept = tuple(a for a in acts if a not in DISMISSIVE_ACTS)
    if not dismissal:
        return kept or (topics.FALLBACK_INTENT,)
    questions = question_acts()
    if kept and plain_act(kept[0]) in questions:
        return (*kept, dismissal)
    return (dismissal, *[a for a in kept if plain_act(a) in questions])


def resolve_turn(acts: Sequence[str], earlier: Sequence[Sequence[str]], mark: bool = False) -> Tuple[str, ...]:
    """The acts of one turn with a follow-up replaced by the topic it follows up: the latest
    history topic of an earlier turn, else an open invitation ("Tell me more" said first).
    With ``mark`` a follow-up is kept as ``follow_up:<topic>``, for the patient engine."""
    followable = topics.history_question_ids()
    previous = next((plain_act(act) for turn in reversed(earlier) for act in turn
                     if plain_act(act) in followable), None)
    out: List[str] = []
    for act in acts:
        if act == topics.FOLLOW_UP_INTENT:
            act = (f"{topics.FOLLOW_UP_INTENT}:{previous}" if mark else previous) if previous else "ask_open"
        if act not in out:
            out.append(act)
    return tuple(out) or (topics.FALLBACK_INTENT,)


#: Below this confidence a turn that picks up a word of the patient's last reply, or starts
#: like a follow-up ("and at night?"), is read as a follow-up on that reply's topic.
CONTEXT_CONFIDENCE = 0.6
ELLIPTICAL_CONFIDENCE = 0.75
#: A history question this sure is a change of topic even when it starts with "and".
SURE_OTHER_TOPIC = 0.25
#: A short turn picking up a specific word of the last reply is a follow-up unless the
#: model is this sure of another act.
PICK_UP_CONFIDENCE = 0.9
PICK_UP_WORDS = 12
#: A question the model cannot read, this short, right after an answer, follows it up.
UNREAD_WORDS = 12
UNREAD_CONFIDENCE = 0.25
#: Below this an uncovered reading that picks up the last answer's words follows it up,
#: and at or below the second (the FallbackClassifier's threshold in config.yml) it is no reading.
UNCOVERED_FOLLOWED_CONFIDENCE = 0.6
UNCOVERED_UNREAD_CONFIDENCE = 0.15
#: A reflection, empathy or dismissal this sure is what it says, not a follow-up.
COMMUNICATION_CONFIDENCE = 0.45
_QUANTITY = re.compile(r"\b(?:how (?:many|much|often|long|old|soon|far)|since when|which one|what kind|what sort|"
                       r"what type|what happened|how come|why(?:'s| is| was)? (?:that|the)|in what way|like what|such as)\b",
                       re.IGNORECASE)
#: Words that point back at what the patient just said (not "it": that is the complaint).
#: Nor "he"/"she": in a proxy case they are the patient.
_ANAPHOR = re.compile(r"\b(?:that|this|those|these|them|they)\b(?!\s+(?:is|are|was|were)\s+(?:all|it)\b)"
                      r"(?!\s+(?:year|week|month|morning|afternoon|evening|time|winter|summer|spring|autumn)s?\b)",
                      re.IGNORECASE)
ANAPHOR_WORDS = 10
#: A word after one of these names a thing ("the salon"); the pointer then means it.
_DETERMINER = r"\b(?:the|your|ur|his|her|their|a|an|my|this|that)\s+"
FRAGMENT_WORDS = 3
#: A fragment read as another history question this surely asks that question ("and kids?").
FRAGMENT_OTHER_TOPIC = 0.4
_CIRCUMSTANCE = re.compile(r"^\W*(?:and|what about|how about|or|but|so)\s+(?:on|at|in|during|after|before|over|"
                           r"through|first thing|last thing)\b", re.IGNORECASE)
_ELLIPTICAL = re.compile(r"^\W*(?:and|what about|how about|or|so|but)\b", re.IGNORECASE)
#: "Tell me more" said after an answer asks for more of that answer (docs/intent-guide.md).
_MORE = re.compile(r"\b(?:tell me (?:a (?:bit|little) )?more|say (?:a (?:bit|little) )?more|go on|carry on|"
                   r"expand on|elaborate|more about (?:that|it|this|them|him|her))\b", re.IGNORECASE)
#: Words of four letters or more, and the short number words ("worse than a six?" picks up "a six").
_WORD = re.compile(r"[a-z][a-z'\-]{3,}|\b(?:two|six|ten)\b")
#: Words too common to show that a turn picks up what the patient said.
_COMMON = frozenset("""
about after again also always anything been before being could does doing done down each even ever every feel
feeling felt from getting going good have having here into just keep know like little look lots made make many
more most much need never nothing okay only other over really right said same says seem should since some
something sometimes sorry still such sure take tell than that thats their them then there these they thing
things think this those though through time times told very want well were what when where which while will
with would yeah your you're yours been back because thank thanks maybe quite pretty mean means kind sort
""".split())


@lru_cache(maxsize=16384)
def content_words(text: str, plain: bool = False) -> FrozenSet[str]:
    """The turn's less common words; with ``plain`` each in a plain form ("dad's" is "dad",
    "knees" "knee"), so that a reflection gives back the patient's word in another form. (A
    follow-up must pick up the word itself: "which mornings?" after "in the morning" asks anew.)
    Remembered: every reply replays the interview, reading the same replies again."""
    if plain:
        return frozenset(_plain_form(w) for w in _WORD.findall(text.lower())) - _COMMON_PLAIN
    return frozenset(w.strip("'") for w in _WORD.findall(text.lower())) - _COMMON


def _plain_form(word: str) -> str:
    word = word.strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word


_COMMON_PLAIN = frozenset(_plain_form(w) for w in _COMMON)


def contextual_follow_up(text: str, main: str, confidence: float, previous_topic: Optional[str],
                         previous_reply: str, rare_words: Sequence[str] = (), names: Sequence[str] = (),
                         previous_question: str = "") -> bool:
    """True when a turn follows up the patient's last answer: it asks for more ("say a bit
    more about that"), picks up something specific the patient just said (a word the model
    rarely meets in questions: "your cousin, what was that?", "any sleepwalking?"), or, when
    unsure, asks how much or how long ("roughly how many a day?"), starts like a follow-up
    ("and first thing?") or picks up any of the answer's words ("the landing light - all
    night?"). A sure question on another topic is a change of topic. ``names`` (the people
    of the case) are not picked-up words: "Leo, what about school?" speaks to Leo. The words
    of the learner's own ``previous_question`` count as said too ("where do you get the weed?"
    after "booze, weed?" and an answer about "a joint")."""
    # Only an answer can be followed up: a greeting or a reaction ("Thank you") cannot.
    if previous_topic not in topics.history_question_ids() | {"ask_open"} or main == topics.START_INTENT:
        return False
    words = len(text.split())
    said = content_words(previous_reply) | content_words(previous_question)
    case_names = {n.lower() for n in names}
    picked_up = set(rare_words) & said - case_names
    question = looks_like_question(text)
    if main == previous_topic:
        # The same topic straight after its answer asks for a detail of it when it asks how
        # long or how often, or picks up a word of the answer ("how long did you give the
        # Fybogel?"), unless it says it asks again; otherwise it is asked again.
        asks_detail = bool(_QUANTITY.search(text)) or bool(picked_up)
        return question and words <= PICK_UP_WORDS and asks_detail \
            and not _ASKED_AGAIN.search(text)
    if words <= 12 and _MORE.search(text):
        return True
    # An open invitation is no change of topic: "what happened?" after an answer asks for more of it.
    history = main in topics.history_question_ids() and main != "ask_open"
    if main in topics.load_topics() and topics.category_of(main) == "communication" \
            and confidence >= COMMUNICATION_CONFIDENCE:
        return False
    after_history = previous_topic in topics.history_question_ids()
    # A question, not a reflection: "so the clenching is when you're wound up" picks up
    # the patient's words by design.
    # A short question the model cannot read at all, just after an answer, asks about that
    # answer, as a human patient would take it ("what time does the alarm go off?" after the nights).
    unread = main == topics.FALLBACK_INTENT or (confidence < UNREAD_CONFIDENCE and (
        main != topics.UNCOVERED_INTENT or confidence <= UNCOVERED_UNREAD_CONFIDENCE))
    if unread and question and after_history and words <= UNREAD_WORDS:
        return True
    # An unsure uncovered reading that picks up the answer's words asks about the answer
    # ("how old was your uncle when he got it?" after the uncle), not about something new;
    # so does a surer one that starts like a follow-up ("and before the holiday?").
    picks_up_answer = bool(content_words(text) & said - case_names)
    if main == topics.UNCOVERED_INTENT and question and after_history and words <= UNREAD_WORDS and picks_up_answer \
            and (confidence < UNCOVERED_FOLLOWED_CONFIDENCE
                 or (_ELLIPTICAL.search(text) and confidence < PICK_UP_CONFIDENCE)):
        return True
    if picked_up and words <= PICK_UP_WORDS and confidence < PICK_UP_CONFIDENCE and question and after_history:
        return True
    # "the thyroid, is your mum on tablets for it?": something of the answer named first and
    # a question pointing back at it ask about the answer, however common the word.
    subject = subject_put_first(text) if after_history and confidence < PICK_UP_CONFIDENCE else None
    if subject is not None and content_words(subject) & said - case_names:
        return True
    if words <= 8 and (_ELLIPTICAL.search(text) or _QUANTITY.search(text)) and confidence < ELLIPTICAL_CONFIDENCE \
            and not (history and confidence >= SURE_OTHER_TOPIC):
        return True
    # "what about on work nights?", "and in the mornings?": a when or where put to the last
    # answer, not a new topic, unless the model is very sure of one.
    if words <= 8 and _CIRCUMSTANCE.search(text) and confidence < PICK_UP_CONFIDENCE and after_history:
        return True
    # A question pointing back at what was just said ("how long has it been like that?",
    # "is that because of your uncle?"), or a verbless fragment ("wine mostly?"), unless
    # the model is sure of another question.
    # Not when the turn names something new for "that" to mean ("and the salon, how's that going?"):
    # a rare word after a determiner; a verb ("remember what they were called?") names nothing.
    named_anew = {w for w in set(rare_words) - said - case_names
                  if re.search(_DETERMINER + re.escape(w) + r"\b", text, re.IGNORECASE)}
    if question and words <= ANAPHOR_WORDS and _ANAPHOR.search(text) and not named_anew \
            and confidence < PICK_UP_CONFIDENCE and after_history:
        return True
    asks_another = history or main == topics.UNCOVERED_INTENT  # "any pets?" asks what no topic covers
    if words <= FRAGMENT_WORDS and text.rstrip().endswith("?") and after_history \
            and not (asks_another and confidence >= FRAGMENT_OTHER_TOPIC):
        return True
    # A statement that picks up the patient's words is a reflection ("So the nights are the
    # worst of it"), not a follow-up: only a question, or a turn read as one, follows up.
    asks = question or main in topics.history_question_ids() or main == topics.FOLLOW_UP_INTENT
    return asks and confidence < CONTEXT_CONFIDENCE and picks_up_answer


#: How a reflection or summary starts ("So big meals and deadlines.", "Sounds like...").
_REFLECTION_START = re.compile(r"^\W*(?:(?:ok|okay|right|mm|hmm|yeah)\W+)?(?:so\b|sounds like|it sounds like|"
                               r"you'?re saying|what i'?m hearing|i'?m hearing|if i'?ve (?:got|understood)|"
                               r"if i understand|you mentioned|you said|it seems|i get the (?:sense|feeling|impression)|"
                               r"what you'?re (?:saying|describing|telling me)|"
                               r"(?:you|he|she|they)'?(?:re| are) (?:really |so |quite )?(?:worried|frightened|scared|"
                               r"concerned|afraid|anxious|feeling|finding|carrying|doing|struggling|stuck|left)|"
                               r"(?:you|he|she|they) (?:feel|felt|worry|fear|think|thought|reckon)|"
                               r"(?:you|he|she|they)(?:'ve| have) (?:been|felt|had|lost|got)|"
                               r"(?:the|your|his|her) (?:fear|worry|concern|hardest (?:part|thing)|trouble|problem) (?:is|was)|"
                               r"it'?s (?:been )?(?:stopping|making|taking|getting|affecting|wearing|costing|keeping))",
                               re.IGNORECASE)
#: "Tell me about...", "talk me through...": a request, not a statement giving something back.
_REQUEST = re.compile(r"^\W*(?:(?:so|and|ok|okay|right)\W+)*(?:tell|talk|walk|take|describe|explain|say|go)\b",
                      re.IGNORECASE)
#: A statement this long that the model reads as a history question reflects that topic back.
REFLECTED_TOPIC_WORDS = 5
#: Empathy this sure is empathy, even when it starts like a reflection and uses the answer's words.
SURE_EMPATHY = 0.9
#: Words of an earlier reply (not the last) a reflection gives back.
REFLECTED_EARLIER_WORDS = 2
#: A reflection may end by checking itself ("..., have I got that right?"): still a statement.
_CHECK_TAIL = re.compile(r"[\s,;:.\-\u2013\u2014]*(?:is that (?:right|fair|it|correct)|have i got (?:that|it|this)"
                         r"(?: right)?|did i get (?:that|it)(?: right)?|am i right|does that sound right|"
                         r"right|yeah|fair|correct)\W*$", re.IGNORECASE)


#: A summary says it is one ("to sum up", "let me recap", "can I play that back?") ...
_SUMMARY_MARKER = re.compile(r"\b(?:recap|sum(?:mari[sz]e|mary|ming)?\b(?: (?:it|that|things|everything))? ?up|"
                             r"(?:in|a quick) summary|summari[sz]e|pull (?:it|that|this|everything) together|"
                             r"(?:play|run|read) (?:it|that|this|everything) back|run back (?:through|over)|"
                             r"go (?:back )?over what|(?:check|make sure|see if) (?:that )?i'?ve (?:got|understood))",
                             re.IGNORECASE)
#: ... or it is long and gives the patient's account back: a reflection is one point
#: (docs/intent-guide.md, "Reflections and summaries").
SUMMARY_WORDS = 28
SUMMARY_MARKED_WORDS = 15
SUMMARY_SHARED_WORDS = 4
#: ... drawn from this many of the patient's replies (two words or more from each).
SUMMARY_REPLIES = 2
_CHECK_TAG = re.compile(r"(?:is that (?:right|fair|it|correct|about it)|have i got (?:that|it|this)(?: right)?|"
                        r"did i get (?:that|it|everything)|(?:that|does that) sound (?:about )?right|about right|"
                        r"fair(?: summary| enough)?|right|correct|anything i'?ve missed|have i missed anything)\W*$",
                        re.IGNORECASE)


def summarises(text: str, earlier_replies: Sequence[str]) -> bool:
    """A turn that sums up the patient's account: marked as a summary, or long, shaped like a
    reflection (or ending "is that right?") and giving back the patient's own words."""
    length = len(text.split())
    if length >= SUMMARY_MARKED_WORDS and _SUMMARY_MARKER.search(text):
        return True
    if length < SUMMARY_WORDS or not (_REFLECTION_START.search(text) or _CHECK_TAG.search(text)):
        return False
    words = content_words(text, plain=True)
    given_back = [words & content_words(reply, plain=True) for reply in earlier_replies]
    drawn_on = [shared for shared in given_back if len(shared) >= 2]
    shared_words: Set[str] = set().union(*drawn_on)
    return len(drawn_on) >= SUMMARY_REPLIES and len(shared_words) >= SUMMARY_SHARED_WORDS


def reflects_last_answer(text: str, main: str, confidence: float, previous_reply: str,
                         earlier_replies: Sequence[str] = ()) -> bool:
    """A statement that starts like a reflection and gives back the patient's own words
    ("So a few days a week, on and off."): a reflection, whatever topic its words suggest.
    The words may be from the last reply, or two of them from an earlier one ("You mentioned
    your dad's knees earlier..."). A question ("so is it worse at night?") or a sure
    dismissal is not."""
    statement = _CHECK_TAIL.sub("", text)
    if not statement.strip() or looks_like_question(statement):
        return False
    if not _REFLECTION_START.search(text):
        return _gives_back_unmarked(text, main, confidence, previous_reply)
    if main in ("dismiss", "reassure_premature") and confidence >= COMMUNICATION_CONFIDENCE:
        return False
    if main == "empathize" and confidence >= SURE_EMPATHY:
        return False  # "Sounds like it's been a really rough year for him." acknowledges a feeling
    if main in topics.history_question_ids() and len(text.split()) >= REFLECTED_TOPIC_WORDS \
            and not _REQUEST.search(text):
        return True  # a statement about a topic ("You're worried it's something serious.")
    words = content_words(text, plain=True)
    if words & content_words(previous_reply, plain=True):
        return True
    return any(len(words & content_words(reply, plain=True)) >= REFLECTED_EARLIER_WORDS for reply in earlier_replies)



#: A statement with no reflection opening still reflects when the model is this unsure of
#: it and it gives back this many of the last answer's words ("Thirty-one years, and now
#: a van and a scanner beeping at you").
UNMARKED_REFLECTION_CONFIDENCE = 0.5
UNMARKED_REFLECTION_WORDS = 3


def _gives_back_unmarked(text: str, main: str, confidence: float, previous_reply: str) -> bool:
    if confidence >= UNMARKED_REFLECTION_CONFIDENCE or main in DISMISSIVE_ACTS \
            or _REQUEST.search(text):
        return False
    shared = content_words(text, plain=True) & content_words(previous_reply, plain=True)
    return len(shared) >= UNMARKED_REFLECTION_WORDS


#: A turn that says it asks again ("Again please...", "where did you say it was?", "just to
#: be sure, ...") asks the earlier question it shares words with, not the last answer's topic.
_ASKED_AGAIN = re.compile(r"\b(?:again|did you say|remind me|once more|one more time|come again|"
                          r"just to (?:be sure|check|confirm|double[- ]check))\b", re.IGNORECASE)
_ASKED_WORD = re.compile(r"[a-z][a-z'\-]{2,}")
#: Words that show no particular question ("what", "how" start most of them).
_NOT_ASKED = frozenset("""
the and you your you're did say said again please sorry just sure check confirm remind once more one time come
tell about was were are is it's its that this there have has had been any can could would with for what how
was not all but get got does feel like
""".split())
#: Above this confidence the model's own reading of a question asked "again" stands.
ASKED_AGAIN_CONFIDENCE = 0.75


@lru_cache(maxsize=16384)
def _asked_words(text: str) -> FrozenSet[str]:
    return frozenset(_plain_form(w) for w in _ASKED_WORD.findall(text.lower())) - _NOT_ASKED


def asked_topic(acts: Sequence[str]) -> str:
    """The history topic a turn asked (its first), "" when none: what asked_again matches."""
    followable = topics.history_question_ids()
    return next((plain_act(a) for a in acts if plain_act(a) in followable), "")


def asked_again(text: str, main: str, confidence: float, earlier_questions: Sequence[Tuple[str, str]]) -> Optional[str]:
    """The history topic of the earlier question a turn asks again (docs/intent-guide.md):
    the turn says so, the model is unsure of it (or reads that same topic), and it shares the
    most words with that question (the latest one on a tie). None otherwise."""
    if not _ASKED_AGAIN.search(text):
        return None
    followable = topics.history_question_ids()
    words = _asked_words(text)
    best: Optional[str] = None
    best_shared = 0
    for earlier_text, topic in earlier_questions:
        shared = len(words & _asked_words(earlier_text))
        if topic in followable and shared and shared >= best_shared:
            best, best_shared = topic, shared
    if best is None or (main != best and main in followable and confidence >= ASKED_AGAIN_CONFIDENCE):
        return None
    return best


def acts_in_context(acts: Sequence[str], text: str, confidence: float, previous_topic: Optional[str],
                    previous_reply: str, rare_words: Sequence[str] = (), names: Sequence[str] = (),
                    earlier_replies: Sequence[str] = (),
                    earlier_questions: Sequence[Tuple[str, str]] = ()) -> Tuple[str, ...]:
    """A turn's acts with its one question read as a reflection when it gives the last answer
    back (reflects_last_answer), as an earlier question asked again (asked_again: each earlier
    learner turn's words and history topic in ``earlier_questions``), or as a follow-up on the
    last answer when it is one (contextual_follow_up), marked ``follow_up:<topic>``; its other
    acts (the empathy of "Oh no, I'm so sorry. What happened?") stay. The patient and the
    scorer both use this."""
    if summarises(text, earlier_replies):
        return ("summarize",)
    asking = topics.history_question_ids() | {"ask_open", topics.FOLLOW_UP_INTENT, topics.UNCOVERED_INTENT}
    questions = [0] if len(acts) == 1 else [i for i, a in enumerate(acts) if plain_act(a) in asking]
    if not any(plain_act(acts[i]) in asking for i in questions):
        # "sorry, my writing's awful, can you go through his meds one more time?": read as
        # empathy alone, it still asks an earlier question again.
        again = asked_again(text, topics.FALLBACK_INTENT, 0.0, earlier_questions)
        if again is not None:
            return tuple(dict.fromkeys((*[a for a in acts if a != topics.FALLBACK_INTENT], again)))
    if len(questions) != 1:
        return tuple(acts)
    unread_tail = _unread_question_after_preface(acts, text)
    if unread_tail and previous_topic and contextual_follow_up(
            unread_tail, topics.FALLBACK_INTENT, 0.0, previous_topic, previous_reply, rare_words, names):
        return (*acts, f"{topics.FOLLOW_UP_INTENT}:{previous_topic}")
    if reflects_last_answer(text, plain_act(acts[0]), confidence, previous_reply, earlier_replies):
        return tuple(dict.fromkeys("reflect" if i == questions[0] else a for i, a in enumerate(acts)))
    at = questions[0]
    again = asked_again(text, plain_act(acts[at]), confidence, earlier_questions)
    if again is not None:
        return tuple(dict.fromkeys(again if i == at else a for i, a in enumerate(acts)))
    if not previous_topic:
        return tuple(acts)
    previous_question = earlier_questions[-1][0] if earlier_questions else ""
    if not contextual_follow_up(text, plain_act(acts[at]), confidence, previous_topic, previous_reply,
                                rare_words, names, previous_question):
        return tuple(acts)
    marked = f"{topics.FOLLOW_UP_INTENT}:{previous_topic}"
    return tuple(marked if i == at else a for i, a in enumerate(acts))


#: The warm or social acts a turn may open with before its question.
_PREFACES = WARM_PREFACE_ACTS | {"greet"}


def _unread_question_after_preface(acts: Sequence[str], text: str) -> str:
    """The closing question of a turn read only as its preface ("Oh no. How did your mum
    and dad take the break-up?": the model read the sympathy, not the question), or ""."""
    if not acts or any(plain_act(a) not in _PREFACES for a in acts):
        return ""
    parts = segments(text)
    if len(parts) < 2 or looks_like_question(parts[0].text) or not looks_like_question(parts[-1].text):
        return ""
    return parts[-1].text


class TurnContext(NamedTuple):
    """One learner turn's words as the patient engine reads them in context."""

    text: str
    confidence: float  # of its main act
    rare_words: Tuple[str, ...] = ()
    #: The scorer's dismissal reading of the turn (bot/scoring/patient_reading.py):
    #: "dismiss" or "reassure_premature" when sure, "" when not dismissive, None when unread
    #: or unsure (the NLU's acts stand).
    dismissal: Optional[str] = None
    #: Empathic wording by the scorer's lexicon ("that can't be easy"): True adds empathy.
    empathic: bool = False


@dataclass
class Interview:
    persona_id: Optional[str] = None
    turns: List[Tuple[str, ...]] = field(default_factory=list)  # each learner turn's acts, resolved
    texts: List[str] = field(default_factory=list)  # each learner turn's words
    confidences: List[float] = field(default_factory=list)  # each learner turn's main-act confidence
    rare_words: List[Tuple[str, ...]] = field(default_factory=list)  # each turn's rare words (reading.RARE_WORDS)
    started_explicitly: bool = False

    def context(self) -> List["TurnContext"]:
        """What the patient engine needs of each turn's words to read it in context."""
        return [TurnContext(t, c, r) for t, c, r in zip(self.texts, self.confidences, self.rare_words)]

    @property
    def acts(self) -> List[str]:
        """The main act of each turn (the first of its acts)."""
        return [turn[0] for turn in self.turns]


def _persona_from(entities: Iterable[Dict[str, Any]], metadata: Any) -> Optional[str]:
    for entity in entities or ():
        if isinstance(entity, dict) and entity.get("entity") == PERSONA_KEY and entity.get("value") is not None:
            return str(entity["value"])
    if isinstance(metadata, dict) and metadata.get(PERSONA_KEY) is not None:
        return str(metadata[PERSONA_KEY])
    return None


#: One step of a conversation, as the interview needs it: ("restart", (), None, "", 0, ()) or
#: ("user", acts of that message in order, persona id named by it, its text, main confidence,
#: its rare words).
_Step = Tuple[str, Tuple[str, ...], Optional[str], str, float, Tuple[str, ...]]


def turn_acts(parse: Dict[str, Any]) -> Tuple[str, ...]:
    """A parse's acts in the order said (bot/nlu/reading.py). The main act is Rasa's intent
    (after the fallback classifier), so a message it did not understand stays ``nlu_fallback``."""
    main = (parse.get("intent") or {}).get("name") or topics.FALLBACK_INTENT
    names = (a.get("name") for a in parse.get("acts") or () if isinstance(a, dict))
    acts = [a for a in names if isinstance(a, str)]
    if main == topics.FALLBACK_INTENT:
        # A plain question whose likeliest reading is "no topic covers this" ("do you play
        # any instruments?") is one, not a misunderstanding: the patient says so honestly.
        text = str(parse.get("text") or "")
        if acts[:1] == [topics.UNCOVERED_INTENT] and (looks_like_question(text) or any(
                looks_like_question(part.text) for part in segments(text))):
            return (topics.UNCOVERED_INTENT,)
        return (main,)
    return tuple(acts) if main in acts else (main, *[a for a in acts if a != main])


def rare_words_of(parse: Dict[str, Any]) -> Tuple[str, ...]:
    words = parse.get(RARE_WORDS)
    return tuple(w for w in words if isinstance(w, str)) if isinstance(words, list) else ()


def main_confidence(parse: Dict[str, Any]) -> float:
    try:
        return float((parse.get("intent") or {}).get("confidence") or 0.0)
    except (TypeError, ValueError):
        return 0.0


def _fold(steps: Iterable[_Step]) -> Interview:
    """The latest interview: a restart or a start_interview begins a new one."""
    interview = Interview()
    for kind, acts, persona, text, confidence, rare in steps:
        if kind == "restart":
            interview = Interview()
        elif acts and acts[0] == topics.START_INTENT:
            interview = Interview(persona_id=persona, turns=[(topics.START_INTENT,)], texts=[text],
                                  confidences=[1.0], rare_words=[()], started_explicitly=True)
        else:
            if interview.persona_id is None and persona is not None:
                interview.persona_id = persona
            interview.turns.append(resolve_turn(acts or (topics.FALLBACK_INTENT,), interview.turns, mark=True))
            interview.texts.append(text)
            interview.confidences.append(confidence)
            interview.rare_words.append(rare)
    return interview


def _steps_from_dicts(events: Iterable[Dict[str, Any]]) -> Iterator[_Step]:
    for event in events:
        if event.get("event") == "restart":
            yield "restart", (), None, "", 0.0, ()
        elif event.get("event") == "user":
            parse = event.get("parse_data") or {}
            yield ("user", turn_acts(parse), _persona_from(parse.get("entities") or [], event.get("metadata")),
                   str(event.get("text") or ""), main_confidence(parse), rare_words_of(parse))


def interview_from_events(events: Iterable[Dict[str, Any]]) -> Interview:
    """Events as dicts (tracker store / REST format)."""
    return _fold(_steps_from_dicts(events))


def interview_from_tracker(tracker: Any) -> Interview:
    """A live ``DialogueStateTracker``: uses its events without serialising them all."""
    from rasa.shared.core.events import Restarted, UserUttered

    def steps() -> Iterator[_Step]:
        for event in tracker.events:
            if isinstance(event, Restarted):
                yield "restart", (), None, "", 0.0, ()
            elif isinstance(event, UserUttered):
                parse = event.parse_data or {}
                yield ("user", turn_acts(parse), _persona_from(event.entities, event.metadata),
                       event.text or "", main_confidence(parse), rare_words_of(parse))

    interview = _fold(steps())
    if interview.persona_id is None:
        slot = tracker.get_slot(PERSONA_KEY) if hasattr(tracker, "get_slot") else None
        interview.persona_id = str(slot) if slot else None
    return interview
