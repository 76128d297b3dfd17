"""One learner turn read as acts: the main act and every act of its clauses, in order.

"That sounds hard. How's your sleep, and how's your mood?" is empathize, ask_sleep and
ask_mood, with ask_sleep as its main act. The classifier component writes this reading
into each parse (so the tracker keeps it) and the scorer reads turns the same way;
docs/intent-guide.md, "one turn, several acts", gives the labelling rules.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from bot import topics
from bot.nlu.segments import JOINING_WORDS, QUESTION_START, segments

#: A clause's act counts at this confidence; a dismissal needs more (it hurts the patient
#: and caps the score, so it must be the most precise act of all).
ACT_CONFIDENCE = 0.6
QUESTION_ACT_CONFIDENCE = 0.45
PREFACED_QUESTION_CONFIDENCE = 0.25
DISMISSIVE_ACT_CONFIDENCE = 0.75
#: A whole turn this sure of one question is one question, whatever its clauses say
#: ("Has anything been weighing on you, any pressures?").
SINGLE_QUESTION_CONFIDENCE = 0.85
#: The whole turn's own label stands when it is a question this sure.
WHOLE_QUESTION_CONFIDENCE = 0.5

#: The parse key listing a turn's rare words (TfidfModel.rare_words), kept in the tracker.
RARE_WORDS = "rare_words"

DISMISSIVE_ACTS = frozenset({"dismiss", "reassure_premature"})
_NEW_QUESTION = re.compile(r"(?:" + "|".join((*JOINING_WORDS, "or")) + r")\b", re.IGNORECASE)
_QUESTION_LIKE = re.compile(r"\?\s*$|^\W*(?:(?:and|so|right|ok|okay|um|erm|well|now|also)\W+)*" + QUESTION_START,
                            re.IGNORECASE)
#: "When you can't sleep, what helps?": a subordinate clause in front is not a question.
#: "when did it start" (an auxiliary straight after) is a question, though, and so is "when in
#: the day is it worst" (an auxiliary before the subject, after a few words of no subject).
_SUBORDINATE = re.compile(r"^\W*(?:[A-Za-z]+,\s*)?(?:when|whenever|if|because|since|as|after|before|while|once)\b"
                          r"(?!\s+(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could)\b)"
                          r"(?![^?]*\?\s*$)"
                          r"(?!(?:\s+(?!(?:i|you|u|he|she|it|we|they)\b)[\w']+){1,4}\s+(?:is|are|was|were|does|do|did|has|have"
                          r"|can|could|would|will)\s+(?:it|he|she|you|u|they|we|things)\b)",
                          re.IGNORECASE)
#: In a compound turn a question joined on ("..., and how many nights a week?"), and the
#: question it is joined to, are asked at this confidence; two clauses this sure of different questions make a compound even with
#: no joining word ("ok so any meds tried, any allergies").
JOINED_QUESTION_CONFIDENCE = 0.25
SURE_CLAUSE_CONFIDENCE = 0.9
#: An empathic or legitimising statement before a question ("Mornings like that sound so
#: hard for you both. What's home like?") counts at this confidence: the model splits such
#: prefaces between empathy and reflection. (Not a reflection: "You said after the rounds -
#: how soon after?" points back for the question that follows.)
WARM_PREFACE_ACTS = frozenset({"empathize", "legitimize"})
WARM_PREFACE_CONFIDENCE = 0.4
#: ...if it has this many words: "ok." or "right." before a question is no empathy.
WARM_PREFACE_WORDS = 3
#: "The herbal ones from the chemist, how long did you try them?": a short noun phrase put
#: first and a question pointing back at it are one question about the noun phrase.
#: A question word anywhere: "right so out of 10 how bad" asks, it names no subject.
_ASKS = re.compile(r"\b(?:what|what's|whats|how|how's|hows|when|where|whereabouts|why|who|which)\b", re.IGNORECASE)
_POINTS_BACK = re.compile(r"\b(?:they|them|their|it|its|that|those|these|he|she|him|her)\b", re.IGNORECASE)
TOPIC_PHRASE_WORDS = 7
#: A second question at least this share of the first, and this sure, is asked too.
BOTH_ASKED_SHARE = 0.9
BOTH_ASKED_CONFIDENCE = 0.3
#: Below this a whole-turn dismissal gives way to the next best act: an unsure accusation
#: is worse than a missed one.
DISMISSIVE_MAIN_CONFIDENCE = 0.65
#: A topic this share of an open invitation's confidence names what the invitation is about.
OPEN_GIVES_WAY_SHARE = 0.75
#: A history topic this share of an uncovered reading's confidence is what the question asks
#: ("Arlo, do you like school?" asks about school, the learner's work).
UNCOVERED_GIVES_WAY_SHARE = 0.6
#: A hedge tagged on to a question ("..., do you think?", "..., would you say?").
_HEDGE_TAG = re.compile(r"^\W*(?:do|d'?|would|wouldn'?t|don'?t)\s*(?:you|u|ya)\s+(?:think|say|reckon)\W*$|"
                        r"^\W*(?:you|u) reckon\W*$", re.IGNORECASE)
#: Below this an empathic reading of a one-clause question is no reading ("And Tom is...?").
UNSURE_EMPATHIC_QUESTION = 0.9
#: A summary has at least this many words ("right" read as one is no reading).
SUMMARY_MIN_WORDS = 4
#: A turn opening with a question word that the model reads as a reflection below this asks.
UNSURE_ASKING_REFLECTION = 0.5
_ASKS_FIRST = re.compile(r"^\W*(?:(?:and|ok|okay|um|erm|well|now|also)\W+)*" + QUESTION_START, re.IGNORECASE)
#: A question that says "you" asks about the patient; one that asks them to do something is a
#: request (out_of_scope stays).
_ABOUT_THE_PATIENT = re.compile(r"\b(?:you|your|yours|yourself|u|ur|ya)\b", re.IGNORECASE)
_REQUEST = re.compile(r"^\W*(?:(?:um|erm|ok|okay|so|hey)\W+)*(?:can|could|would|will) (?:you|u)\b(?! (?:remember|recall|tell me (?:if|whether)))|"
                      r"\bplease\b", re.IGNORECASE)
#: Below this an uncovered reading of a statement gives way to the next best act.
UNSURE_UNCOVERED_STATEMENT = 0.5
#: Below this a follow-up label gives way to the next best act ("and the salon, how's that
#: going?" is about work, not a follow-up).
FOLLOW_UP_MAIN_CONFIDENCE = 0.5
#: Whole-turn labels that a question in one of its clauses overrides: the social preface
#: of "Hi, I'm Sam. What brings you in?" or "That sounds hard. How's your sleep?".
PREFACE_ACTS = frozenset({"greet", "empathize", "legitimize", "goodbye", "reflect", "invite_questions",
                          "out_of_scope", topics.FOLLOW_UP_INTENT})
#: Acts that only make sense as the whole turn: a tag question ("is that right?") after a
#: summary is not a follow-up nor a check of understanding of its own.
WHOLE_TURN_ONLY = frozenset({topics.FOLLOW_UP_INTENT, "check_understanding", "invite_questions", "greet",
                             "goodbye", "out_of_scope"})


def looks_like_question(text: str) -> bool:
    """A question by its form: a question mark, or a question word first ("and how's work")."""
    return bool(_QUESTION_LIKE.search(text))


def question_acts() -> frozenset:
    """History questions: the acts a clause may contribute as the turn's main act."""
    return topics.history_question_ids() | {"ask_open", "ask_anything_else"}


@dataclass(frozen=True)
class Act:
    name: str
    confidence: float
    start: int  # character offsets of the clause in the turn text
    end: int


@dataclass(frozen=True)
class Reading:
    main: str
    confidence: float
    acts: Tuple[Act, ...]


def _whole_reading(text: str, ranking: Sequence[Tuple[str, float]]) -> Tuple[str, float]:
    """The whole turn's act: the model's best, unless it is an unsure label that gives way to
    the next best (an unsure dismissal or follow-up, an open invitation or an uncovered
    question naming a history topic, an unsure uncovered reading of a statement)."""
    whole = ranking[0]
    if whole[0] == "dismiss" and whole[1] < DISMISSIVE_MAIN_CONFIDENCE:
        whole = next((r for r in ranking[1:] if r[0] not in DISMISSIVE_ACTS), whole)
    if whole[0] == topics.FOLLOW_UP_INTENT and whole[1] < FOLLOW_UP_MAIN_CONFIDENCE:
        whole = next((r for r in ranking[1:] if r[0] not in DISMISSIVE_ACTS), whole)
    if whole[0] == "ask_open" and len(ranking) > 1 and ranking[1][0] in topics.history_question_ids() \
            and ranking[1][1] >= OPEN_GIVES_WAY_SHARE * whole[1]:
        # "And what's work been like lately?": an open invitation about a named topic asks about it.
        whole = ranking[1]
    if whole[0] == topics.UNCOVERED_INTENT and len(ranking) > 1 and ranking[1][0] in topics.history_question_ids() \
            and ranking[1][1] >= UNCOVERED_GIVES_WAY_SHARE * whole[1]:
        whole = ranking[1]
    elif whole[0] == topics.UNCOVERED_INTENT and whole[1] < UNSURE_UNCOVERED_STATEMENT and not looks_like_question(text):
        # An unsure uncovered reading of a statement ("Thirty years in one place, and now a
        # van...") is no question at all: the next reading stands.
        whole = next((r for r in ranking[1:] if r[0] not in DISMISSIVE_ACTS), whole)
    elif whole[0] == "empathize" and whole[1] < UNSURE_EMPATHIC_QUESTION and text.rstrip().endswith("?") \
            and len(segments(text)) == 1:
        # "And Tom is...?": a question the model half reads as empathy is a question it cannot read.
        whole = (topics.FALLBACK_INTENT, 0.0)
    elif whole[0] == "summarize" and len(text.split()) < SUMMARY_MIN_WORDS:
        # "right": a summary gives back several things said; a word or two is none.
        whole = (topics.FALLBACK_INTENT, 0.0)
    elif whole[0] == "reflect" and whole[1] < UNSURE_ASKING_REFLECTION and _ASKS_FIRST.match(text):
        # "Did you find the surgery all right?": a reflection gives back a statement; a turn
        # that opens with a question word and is only half read as one asks something.
        whole = next((r for r in ranking[1:] if r[0] not in DISMISSIVE_ACTS), whole)
    elif whole[0] == "out_of_scope" and any(looks_like_question(part.text) for part in segments(text)) \
            and _ABOUT_THE_PATIENT.search(text) and not _REQUEST.search(text):
        # "Did you get caught in the rain on the way in?": a question about the patient's own
        # life that no topic covers, not trivia or a request to the bot ("can you write a poem?").
        whole = (topics.UNCOVERED_INTENT, whole[1])
    return whole


def read_turn(text: str, ranking: Sequence[Tuple[str, float]], clauses: Sequence[Tuple[int, int, str, float]]) -> Reading:
    """``ranking`` is the whole turn's acts by confidence, best first (at least the top two);
    ``clauses`` are (start, end, act, confidence) for each clause when the turn has more than one."""
    questions = question_acts()
    whole = _whole_reading(text, ranking)
    whole_act = Act(whole[0], whole[1], 0, len(text))
    if len(clauses) < 2:
        return Reading(whole[0], whole[1], (whole_act, *_asked_as_well(text, whole, ranking, questions)))
    # A clause that asks anew ("..., and where is it?", "...? Any blood?") makes the turn a
    # compound; without one, a turn sure of one question only rounds it off ("..., any pressures?").
    joined = {start for start, end, _, _ in clauses[1:]
              if _NEW_QUESTION.match(text[start:end]) or text[:start].rstrip().endswith("?")}
    sure_questions = {name for _, _, name, confidence in clauses
                      if name in questions and confidence >= SURE_CLAUSE_CONFIDENCE}
    compound = bool(joined) or len(sure_questions) >= 2
    single_question = whole[0] in questions and whole[1] >= SINGLE_QUESTION_CONFIDENCE and not compound
    acts: List[Act] = []
    subordinate: List[str] = []  # what the "when you can't sleep," of a turn is about
    for index, (start, end, name, confidence) in enumerate(clauses):
        if _HEDGE_TAG.match(text[start:end]):
            continue  # "any depression at all, do you think?": the tag asks nothing of its own
        if name in DISMISSIVE_ACTS:
            needed = DISMISSIVE_ACT_CONFIDENCE
        elif name in questions:
            needed = 2.0 if single_question else QUESTION_ACT_CONFIDENCE
            if (_NEW_QUESTION.match(text[start:end]) or _joined_on_next(text, clauses, index)) \
                    and _QUESTION_LIKE.search(text[start:end]):
                needed = JOINED_QUESTION_CONFIDENCE
            if _SUBORDINATE.search(text[start:end]):
                needed = 2.0
                subordinate.append(name)
        elif name in WARM_PREFACE_ACTS and _question_follows(text, clauses, index) \
                and len(text[start:end].split()) >= WARM_PREFACE_WORDS:
            needed = WARM_PREFACE_CONFIDENCE
        else:
            needed = ACT_CONFIDENCE
        if confidence >= needed and name not in WHOLE_TURN_ONLY and name not in [a.name for a in acts]:
            acts.append(Act(name, confidence, start, end))
    about = _put_first(text, clauses, questions)
    if about is not None:
        return Reading(about.name, about.confidence, (about,))
    main = _main_act(text, whole, whole_act, clauses, acts, subordinate, questions)
    if whole[0] in DISMISSIVE_ACTS:
        # "Is this real pain or is it anxiety?": a dismissive turn's kind clauses do not repair it.
        acts = [a for a in acts if a.name not in ("legitimize", "empathize", "explain_mind_body")]
    if main.name not in [a.name for a in acts]:
        acts.append(main)
        acts.sort(key=lambda a: a.start)
    return Reading(main.name, main.confidence, tuple(acts))


def _question_follows(text: str, clauses: Sequence[Tuple[int, int, str, float]], index: int) -> bool:
    """A later clause of the turn is a question: this one is a preface to it."""
    return any(_QUESTION_LIKE.search(text[start:end]) for start, end, _, _ in clauses[index + 1:])


def _joined_on_next(text: str, clauses: Sequence[Tuple[int, int, str, float]], index: int) -> bool:
    """The next clause joins a question on to this one ("can I ask what meds you're on, and
    any allergies?"): both halves of an "and" are asked, the first as much as the second."""
    if index + 1 >= len(clauses):
        return False
    start, end = clauses[index + 1][:2]
    return bool(_NEW_QUESTION.match(text[start:end]) and _QUESTION_LIKE.search(text[start:end]))


def subject_put_first(text: str) -> Optional[str]:
    """The noun phrase a two-clause turn names first and then asks about ("the thyroid, is
    your mum on tablets for it?" -> "the thyroid"), else None: one home for that shape."""
    parts = segments(text)
    if len(parts) != 2:
        return None
    phrase, question = parts[0].text, parts[1].text
    if (len(phrase.split()) <= TOPIC_PHRASE_WORDS and not looks_like_question(phrase) and not _ASKS.search(phrase)
            and looks_like_question(question) and _POINTS_BACK.search(question)):
        return phrase
    return None


def _put_first(text: str, clauses: Sequence[Tuple[int, int, str, float]], questions: frozenset) -> Optional[Act]:
    """The act of a two-clause turn that names its subject first and then asks about it
    ("and your boss, what did they actually say?"), else None."""
    if len(clauses) != 2:
        return None
    name, confidence = clauses[0][2], clauses[0][3]
    if name in questions and confidence >= QUESTION_ACT_CONFIDENCE and subject_put_first(text) is not None:
        return Act(name, confidence, 0, len(text))
    return None


def _main_act(text: str, whole: Tuple[str, float], whole_act: Act, clauses: Sequence[Tuple[int, int, str, float]],
              acts: List[Act], subordinate: List[str], questions: frozenset) -> Act:
    """The turn's point: the whole turn's act, unless a social preface or a subordinate
    clause gave the whole turn its label and a question clause is the real question."""
    main = whole_act
    if not (whole[0] in questions and whole[1] >= WHOLE_QUESTION_CONFIDENCE) and whole[0] in PREFACE_ACTS:
        # After a social or empathic preface a plainer question clause is still the point.
        prefaced = [Act(name, confidence, start, end) for start, end, name, confidence in clauses
                    if name in questions and confidence >= PREFACED_QUESTION_CONFIDENCE
                    and _QUESTION_LIKE.search(text[start:end])]
        if prefaced:
            main = max(prefaced, key=lambda a: a.confidence)
    asked = [a for a in acts if a.name in questions]
    unsupported = whole[0] not in [a.name for a in acts]
    if main is whole_act and whole[0] in subordinate and unsupported and asked:
        # "Sam, when you can't get to sleep, what helps?": the whole turn took its label
        # from the subordinate clause; the question is the clause after it.
        main = max(asked, key=lambda a: a.confidence)
    elif main is whole_act and unsupported and len(asked) >= 2 and whole[1] < WHOLE_QUESTION_CONFIDENCE:
        # Two questions read clause by clause ("where is it, and how long has it been like
        # this?"): an unsure whole-turn label that neither clause says is a blend of them.
        main = asked[0]
    if main is whole_act:
        # The whole turn's act is as sure as its surest clause saying the same.
        same = [a.confidence for a in acts if a.name == main.name]
        if same and max(same) > main.confidence:
            main = Act(main.name, max(same), main.start, main.end)
    return main


def _asked_as_well(text: str, whole: Tuple[str, float], ranking: Sequence[Tuple[str, float]],
                   questions: frozenset) -> Tuple[Act, ...]:
    """"What makes it better or worse?": a second question the model finds about as likely
    as the first is asked too."""
    second = next((r for r in ranking[1:] if r[0] != whole[0]), None)
    if (second is not None and whole[0] in questions and second[0] in questions
            and second[1] >= BOTH_ASKED_SHARE * whole[1] and second[1] >= BOTH_ASKED_CONFIDENCE):
        return (Act(second[0], second[1], 0, len(text)),)
    return ()


def acts_to_json(reading: Reading) -> List[dict]:
    return [{"name": a.name, "confidence": round(a.confidence, 4), "start": a.start, "end": a.end}
            for a in reading.acts]
