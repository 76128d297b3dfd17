"""The patient's view: the simulated patient rates the encounter on the ten CARE-measure themes.

This is a *simulated* patient's view, derived deterministically from the scorer's analysis
(the same topics, empathic statements, dismissals and cues the rubric uses) and from the
patient's rapport over time, replayed with the patient engine's own rules
(bot/patient/engine.py). It is not a validated CARE score: the CARE measure is answered by
real patients. See docs/scoring.md, "The patient's view".

Each item starts from a neutral 3 and moves up or down by the points of the turns that
speak to it; every such turn is evidence, and the comment (first person, in the persona's
voice when the persona is known) quotes the learner's words from the turn it cites. An
item nothing in the interview speaks to stays at 3 with an honest comment.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple, cast

from bot.nlu.segments import clip, segments
from bot.patient.rapport import Rapport
from bot.personas.model import Persona
from bot.scoring.analysis import Analysis, LearnerTurn
from bot.scoring.dismissal import patient_act
from bot.scoring.rubric import BACKGROUND, CHARACTERISATION
from bot.scoring.style import legitimising_phrase, shorthand

#: The ten CARE-measure themes (Mercer et al. 2004), in the instrument's order.
ITEMS: Tuple[Tuple[str, str], ...] = (
    ("at_ease", "Making me feel at ease"),
    ("tell_story", "Letting me tell my story"),
    ("really_listening", "Really listening"),
    ("whole_person", "Being interested in me as a whole person"),
    ("understand_concerns", "Fully understanding my concerns"),
    ("care_compassion", "Showing care and compassion"),
    ("being_positive", "Being positive"),
    ("explaining_clearly", "Explaining things clearly"),
    ("take_control", "Helping me take control"),
    ("making_plan", "Making a plan of action with me"),
)
ITEM_IDS = tuple(i for i, _ in ITEMS)
NOTE = ("A simulated patient's view of the encounter on the ten CARE-measure themes, derived from "
        "the transcript; not a validated CARE score.")

#: Life beyond the symptoms (whole person). Sleep, alcohol and lifestyle are left out: they are
#: often asked as part of the symptom or risk history.
LIFE_TOPICS = ("ask_stress", "ask_mood", "ask_anxiety", "ask_work", "ask_relationships",
               "ask_daily_function", "ask_coping", "ask_support")
QUOTE_LIMIT = 100
#: Questions asked before the patient's view of "letting me tell my story" is judged on style.
MIN_QUESTIONS = 4

_INTRODUCTION = re.compile(r"\b(?:i'?m|i am|my name)\b", re.IGNORECASE)
_REFLECTING = re.compile(r"\byou (?:mentioned|said|told me|were saying)\b", re.IGNORECASE)
_INVOLVING = re.compile(
    r"\b(?:together|what do you think|how (?:would|do) you feel|tell me what you think|does that sound|"
    r"how does that sound|would that be (?:ok|okay|alright|all right)|are you happy with|what would you prefer|"
    r"up to you|your (?:choice|decision)|what would (?:help|work) (?:for )?you)\b",
    re.IGNORECASE)

#: Dismissal kinds that reject the reality or the explanation of the symptoms.
_REJECTING = frozenset({"denial", "normal_tests", "psychologising", "faking", "either_or", "age_normalising",
                        "secondary_gain"})
_EVERY_KIND = _REJECTING | {"premature_reassurance", "lecturing"}
#: The CARE items a dismissal of each kind touches (a confident one; one shown for review
#: touches none): being closed up and uncared for follow any dismissal, the rest only the
#: kinds that concern them (docs/scoring.md, "The patient's view").
TOUCHED_BY = {
    "at_ease": _EVERY_KIND,
    "tell_story": frozenset({"premature_reassurance", "psychologising", "either_or"}),
    "understand_concerns": frozenset({"denial", "normal_tests", "premature_reassurance", "age_normalising"}),
    "care_compassion": frozenset({"faking", "secondary_gain", "denial", "lecturing"}),
    "making_plan": frozenset({"lecturing", "normal_tests"}),
}


# --- rapport over time --------------------------------------------------------------------

def learner_acts(turn: LearnerTurn) -> List[str]:
    """The acts of one learner turn as the scorer saw them: its topics (after the scorer's
    guards) plus 'dismiss' / 'reassure_premature' for each dismissal and 'empathize' for an
    empathic clause the model did not label."""
    acts = set(turn.topics) | {turn.topic}
    if not turn.dismissals:
        acts -= {"dismiss", "reassure_premature"}
    if turn.empathy_quote is None:
        acts -= {"empathize", "legitimize"}
    for d in turn.dismissals:
        acts.add(patient_act(d.kind))
    if turn.empathy_quote is not None and not acts & {"empathize", "legitimize"}:
        acts.add("empathize")
    return sorted(acts)


@dataclass
class RapportPoint:
    turn: int
    rapport: float
    delta: float
    guarded: bool  # still in the guarded spell after a dismissal


def replay_rapport(a: Analysis) -> List[RapportPoint]:
    """Rapport after each learner turn, by the patient's own rule (bot/patient/rapport.py):
    a cue picked up with a continuer first, then every act of the turn, the hurt of a
    dismissal and its repair included."""
    state = Rapport(a.persona.rapport_start if a.persona is not None else 0.0)
    answered = {learner for _, learner, _ in a.cues_answered}
    out: List[RapportPoint] = []
    for turn in a.learner:
        before = state.rapport
        if turn.number in answered:
            state.acknowledge_cue()
        guarded = state.take_turn(state.repaired_acts(learner_acts(turn), turn.text))
        out.append(RapportPoint(turn.number, state.rapport, state.rapport - before, guarded))
    return out


# --- the persona's voice ------------------------------------------------------------------

_COMPLAINT_WORD = {"gut": "stomach", "chronic_pain": "pain", "sleep": "sleep"}
_DEMEANOUR = {  # (after a good rating, after a poor one)
    "anxious": ("That settled my nerves a bit.", "It made me more worried, not less."),
    "tearful": ("I nearly cried, in a good way.", "I went home feeling worse."),
    "irritable": ("Fair enough, I'll give you that.", "Honestly, it got my back up."),
    "reserved": ("I don't say much, but I noticed.", "I didn't say anything, but I noticed."),
    "talkative": ("After that I could have talked all day!", "I went quiet after that, which isn't like me."),
}


@dataclass(frozen=True)
class Voice:
    me: str = "me"           # the patient, as object: "me" / "Leo"
    my: str = "my"           # the patient's: "my" / "Leo's"
    their: str = "my"        # the patient's, once named: "my" / "his"
    problem: str = "my symptoms"
    complaint: str = "symptoms"  # "stomach", "pain", "sleep"
    known: bool = False      # the persona is known (else a generic patient's voice)
    school: bool = False     # the patient is at school (work -> school)
    demeanour: str = "neutral"

    def fill(self, template: str, **quotes: str) -> str:
        return template.format(me=self.me, my=self.my, their=self.their, problem=self.problem,
                               complaint=self.complaint, **quotes)

    def flavour(self, good: bool) -> str:
        lines = _DEMEANOUR.get(self.demeanour)
        return (" " + lines[0 if good else 1]) if lines else ""


def voice_for(persona: Optional[Persona]) -> Voice:
    if persona is None:
        return Voice()
    word = _COMPLAINT_WORD.get(persona.complaint, "symptoms")
    school = bool(re.search(r"\b(?:pupil|school|student|year \d+)\b", persona.occupation, re.IGNORECASE))
    if persona.proxy is not None:
        first = persona.name.split()[0]
        if persona.age < 16 and word == "stomach":
            word = "tummy"
        pronoun = persona.pronouns.split("/")[0].strip().lower() if persona.pronouns else \
            {"male": "he", "female": "she"}.get(persona.sex, "they")
        their = {"he": "his", "she": "her"}.get(pronoun, "their")
        return Voice(me=first, my=f"{first}'s", their=their, problem=f"{first}'s {word}", complaint=word,
                     school=school, known=True, demeanour=persona.demeanour)
    return Voice(problem=f"my {word}", complaint=word, school=school, known=True, demeanour=persona.demeanour)


def _topic_phrase(topic: str, v: Voice) -> str:
    return {
        "ask_stress": "what else is going on in {my} life",
        "ask_mood": "{my} mood",
        "ask_anxiety": "{my} worries",
        "ask_work": "{my} school" if v.school else "{my} work",
        "ask_relationships": "things at home",
        "ask_daily_function": "{my} day-to-day life",
        "ask_coping": "how we get through the bad days" if v.me != "me" else "how I get through the bad days",
        "ask_support": "who's there for {me}",
    }.get(topic, "{my} life")


# --- items --------------------------------------------------------------------------------

@dataclass
class _Point:
    points: float
    turn: int
    quote: str
    sentence: str  # first person, with {q} where the quote goes
    more: bool = False  # the quote stops before the end of the words it comes from

    @property
    def shown(self) -> str:
        return self.quote + ("..." if self.more else "")


@dataclass
class _Item:
    id: str
    none: str  # the honest comment when nothing in the interview spoke to this theme
    points: List[_Point] = field(default_factory=list)

    def add(self, points: float, turn: int, text: str, sentence: str) -> None:
        quote = _quote(text)
        if quote:
            more = bool(text.strip()[len(quote):].strip(" .,;:!?-\u2013\u2014\"'"))
            self.points.append(_Point(points, turn, quote, sentence, more))


def _quote(text: str) -> str:
    """A short verbatim prefix of a learner's words (cut at a comma or a space when long),
    without trailing commas or full stops."""
    text = text.strip()
    q = text
    if len(text) > QUOTE_LIMIT:
        cut = text[:QUOTE_LIMIT]
        comma = max(cut.rfind(", "), cut.rfind("; "), cut.rfind(" - "))
        q = cut[:comma] if comma > QUOTE_LIMIT // 2 else clip(text, QUOTE_LIMIT)
    stripped = q.rstrip(" .,;:!-\u2013\u2014")
    return stripped or q


def _round(value: float) -> int:
    """Nearest whole score; exact halves go towards the neutral 3 (half a point of evidence
    is not enough to move a rating)."""
    r = math.ceil(value - 0.5) if value > 3 else math.floor(value + 0.5)
    return int(max(1, min(5, r)))


def _capped(item: _Item, entries: Sequence[Tuple[int, str]], each: float, cap: float, sentence: str) -> None:
    """``each`` points per entry until ``cap`` is reached (both of the same sign)."""
    total = 0.0
    for turn, text in entries:
        step = each if abs(total + each) <= abs(cap) + 1e-9 else cap - total
        if abs(step) < 1e-9:
            break
        item.add(step, turn, text, sentence)
        total += step


def _finish(item: _Item, label: str, v: Voice, flavoured: bool) -> Dict[str, object]:
    value = 3.0 + sum(p.points for p in item.points)
    score = _round(value)
    pos = sorted((p for p in item.points if p.points > 0), key=lambda p: (-p.points, p.turn))
    neg = sorted((p for p in item.points if p.points < 0), key=lambda p: (p.points, p.turn))
    cited: List[_Point] = []
    if pos and neg and (pos[0].turn, pos[0].quote) == (neg[0].turn, neg[0].quote):
        # One clause on both sides ("sleep hygiene" plan): tell the other side with other words, or not at all.
        if score >= 3:
            neg = [p for p in neg if p.turn != pos[0].turn]
        else:
            pos = [p for p in pos if p.turn != neg[0].turn]
    # Both sides are told when the rating is neutral, or when a full point pulled the other way.
    both = bool(pos and neg) and (score == 3 or (neg[0].points <= -1 if score > 3 else pos[0].points >= 1))
    if score >= 4 and pos and not both:
        cited = [pos[0]]
        comment = v.fill(pos[0].sentence, q=pos[0].shown)
    elif score <= 2 and neg and not both:
        cited = [neg[0]]
        comment = v.fill(neg[0].sentence, q=neg[0].shown)
    elif both and score <= 2:
        cited = [neg[0], pos[0]]
        second = v.fill(pos[0].sentence, q=pos[0].shown)
        if not re.match(r"I\b", second):
            second = second[:1].lower() + second[1:]
        comment = v.fill(neg[0].sentence, q=neg[0].shown) + " Still, " + second
    elif both:
        cited = [pos[0], neg[0]]
        second = v.fill(neg[0].sentence, q=neg[0].shown)
        if not re.match(r"I\b", second):
            second = second[:1].lower() + second[1:]
        comment = v.fill(pos[0].sentence, q=pos[0].shown) + " But " + second
    elif pos or neg:
        cited = [(pos or neg)[0]]
        comment = v.fill(cited[0].sentence, q=cited[0].shown)
    else:
        comment = v.fill(item.none)
    if flavoured and (score >= 4 or score <= 2) and len(cited) == 1:
        comment += v.flavour(score >= 4)
    evidence: List[Dict[str, object]] = []
    seen = set()
    for p in cited + sorted(pos + neg, key=lambda p: (-abs(p.points), p.turn)):
        if (p.turn, p.quote) not in seen and len(evidence) < 3:
            seen.add((p.turn, p.quote))
            evidence.append({"turn": p.turn, "quote": p.quote})
    return {"id": item.id, "label": label, "score": score, "comment": comment, "evidence": evidence}


@dataclass
class _Context:
    """What the ten items read from one analysis (patient_experience builds it once)."""

    v: Voice
    cov: Dict[str, Tuple[int, str]]
    learner: List[LearnerTurn]
    rapport: List[RapportPoint]
    open_at: float
    start: float
    by_number: Dict[int, LearnerTurn]
    dismissals: List[Tuple[int, str, str]]
    empathic: List[Tuple[int, str]]
    legit: List[Tuple[int, str]]
    answered: List[Tuple[int, str]]
    moved_on: List[Tuple[int, str]]
    short: List[Tuple[int, str, str]]
    questions: List[LearnerTurn]
    opens: List[LearnerTurn]
    last: LearnerTurn
    interview: bool

    def rejecting(self, kinds: Iterable[str]) -> List[Tuple[int, str]]:
        """The confident dismissals of these kinds, as (turn, quote)."""
        wanted = set(kinds)
        return [(n, q) for n, q, k in self.dismissals if k in wanted]


def _context(a: Analysis) -> _Context:
    v = voice_for(a.persona)
    cov = a.covered()
    learner = a.learner
    rapport = replay_rapport(a)
    open_at = a.persona.open_at if a.persona is not None else 1.0
    start = a.persona.rapport_start if a.persona is not None else 0.0
    by_number = {t.number: t for t in learner}

    dismissals = [(t.number, d.quote, d.kind) for t in learner for d in t.dismissals]
    empathic = [(t.number, t.empathy_quote) for t in learner if t.empathy_quote and not t.dismissals]
    legit = [(t.number, q) for t in learner
             if not t.dismissals and ("legitimize" in t.topics or legitimising_phrase(t.text))
             for q in [_legit_quote(t)] if q]
    answered = [(learner_turn, quote) for _, learner_turn, quote in a.cues_answered]
    moved_on = [(m.answered_by, by_number[m.answered_by].text) for m in a.missed_cues
                if m.answered_by is not None]
    short = [(t.number, found[0], found[1]) for t in learner if not t.dismissals
             for found in [shorthand(t.text, t.segments)] if found]
    questions = [t for t in learner if t.style in ("open", "closed")
                 and t.topic not in ("greet", "goodbye", "empathize", "legitimize", "out_of_scope")]
    opens = [t for t in questions if t.style == "open"]
    last = learner[-1]
    interview = len(questions) >= MIN_QUESTIONS  # enough happened to judge what was left out


    return _Context(v, cov, learner, rapport, open_at, start, by_number, dismissals, empathic, legit, answered,
                    moved_on, short, questions, opens, last, interview)


def _at_ease(c: _Context) -> _Item:
    """At ease: a welcome, the patient opening up as rapport rises, not being dismissed."""
    cov, learner, rapport, open_at = c.cov, c.learner, c.rapport, c.open_at
    start, by_number, short = c.start, c.by_number, c.short
    it = _Item("at_ease", "You didn't really get to that: I didn't feel especially at ease or ill at ease.")
    first_learner = {t.number for t in learner[:2]}
    if "greet" in cov and cov["greet"][0] in first_learner:
        n = cov["greet"][0]
        intro = _from_match(by_number[n].text, _INTRODUCTION) if _INTRODUCTION.search(by_number[n].text) else cov["greet"][1]
        it.add(0.5, n, intro, "You introduced yourself (\"{q}\"), which was a nice start.")
    # Rapport over time: the share of the interview the patient spent open (engine rules).
    open_turns = [p for p in rapport if p.rapport >= open_at and not p.guarded]
    opened = next((p for p in rapport if p.rapport >= open_at and not p.guarded and p.delta > 0), None)
    if start < open_at and opened is not None:
        it.add(round(2.0 * len(open_turns) / len(rapport), 2), opened.turn, _source_quote(by_number[opened.turn]),
               "When you said \"{q}\", I started to relax and could really talk to you.")
    _capped(it, c.rejecting(TOUCHED_BY["at_ease"]), -1.5, -3.0,
            "When you said \"{q}\", I closed up. I didn't feel I could say much after that.")
    if rapport[-1].rapport < start:
        drop = next((p for p in reversed(rapport) if p.delta < 0), None)
        if drop is not None:
            it.add(-0.5, drop.turn, _source_quote(by_number[drop.turn]),
                   "After \"{q}\", I was on my guard for the rest of it.")
    telegraphic = [(n, q) for n, q, kind in short if kind == "telegraphic"]
    if len(short) >= 3 and telegraphic:
        it.add(-1.0, telegraphic[0][0], telegraphic[0][1],
               "Questions like \"{q}\" came one after another; it felt like ticking boxes.")
    return it


def _tell_story(c: _Context) -> _Item:
    """Letting me tell my story: an open invitation, "anything else?", open questions."""
    cov, learner, moved_on, questions, opens = c.cov, c.learner, c.moved_on, c.questions, c.opens
    it = _Item("tell_story", "You didn't really get to that: you didn't invite my story as such, but you didn't cut it short either.")
    if "ask_open" in cov:
        early = cov["ask_open"][0] in {t.number for t in learner[:3]}
        it.add(1.0 if early else 0.5, cov["ask_open"][0], cov["ask_open"][1],
               "When you asked \"{q}\", I could tell it in my own words.")
    if "ask_anything_else" in cov:
        it.add(0.5, cov["ask_anything_else"][0], cov["ask_anything_else"][1],
               "You asked \"{q}\", so I got everything out.")
    if len(questions) >= MIN_QUESTIONS:
        ratio = len(opens) / len(questions)
        later_open = [t for t in opens if "ask_open" not in t.topics]
        if ratio >= 0.4 and later_open:
            it.add(0.5, later_open[0].number, _from_match(later_open[0].text, re.compile(r"\?")),
                   "Questions like \"{q}\" let me explain things properly.")
        elif ratio < 0.25:
            closed = [t for t in questions if t.style == "closed"]
            it.add(-1.0, closed[0].number, closed[0].text,
                   "After \"{q}\" it was mostly yes-or-no questions, and I never really told it my way.")
    _capped(it, moved_on, -0.5, -1.0, "I was just getting to the hard part and you moved on with \"{q}\".")
    _capped(it, c.rejecting(TOUCHED_BY["tell_story"]), -0.5, -1.0,
            "When you said \"{q}\", I felt you'd made up your mind before I'd finished.")
    return it


def _really_listening(c: _Context) -> _Item:
    """Really listening: cues picked up, reflecting back, a summary; cues passed over."""
    cov, learner, answered, moved_on = c.cov, c.learner, c.answered, c.moved_on
    it = _Item("really_listening", "I can't really say: nothing showed me you'd taken in what I said, but nothing showed me you hadn't.")
    _capped(it, answered, 1.0, 2.0, "When you said \"{q}\", I knew you'd actually heard me.")
    reflecting = [(t.number, t.text) for t in learner if not t.dismissals and _REFLECTING.search(t.text)]
    if reflecting:
        n, text = reflecting[0]
        it.add(0.5, n, _from_match(text, _REFLECTING), "You picked up what I'd said (\"{q}\"), so I knew you were paying attention.")
    if "summarize" in cov:
        it.add(1.0, cov["summarize"][0], cov["summarize"][1],
               "When you summed it up (\"{q}\"), I could tell you'd been listening.")
    _capped(it, moved_on, -1.0, -2.0,
            "I told you something that mattered to me and you went on with \"{q}\". I felt you weren't really listening.")
    return it


def _whole_person(c: _Context) -> _Item:
    """Interested in me as a whole person: life beyond the symptoms."""
    v, cov, questions, last, interview = c.v, c.cov, c.questions, c.last, c.interview
    it = _Item("whole_person", "We didn't get far enough for you to ask about {my} life.")
    life = [(cov[t][0], cov[t][1], t) for t in LIFE_TOPICS if t in cov]
    life.sort()
    if life:
        n, quote, topic = life[0]
        asked = ("When you asked about " + _topic_phrase(topic, v) + " (\"{q}\")") if v.known else "When you asked \"{q}\""
        it.add(1.0 if len(life) >= 2 else 0.5, n, quote,
               asked + ", I felt you were interested in {me} as a person, not just {their} {complaint}.")
        for n, quote, topic in life[1:4]:
            it.add(0.5, n, quote, ("You asked about " + _topic_phrase(topic, v) + " too (\"{q}\").") if v.known
                   else "You asked \"{q}\" too.")
    elif interview:
        physical = next((t for t in questions if t.topic in CHARACTERISATION + BACKGROUND), questions[-1])
        it.add(-1.0, physical.number, physical.text,
               "You asked about {problem}, like \"{q}\", but nothing about {my} life. I felt like a list of symptoms.")
        it.add(-1.0, last.number, last.text,
               "By \"{q}\" you still didn't know anything about {my} life outside {problem}.")
    if life:
        _capped(it, c.rejecting({"psychologising", "either_or"}), -1.0, -2.0,
                "When you said \"{q}\", I felt you'd only asked about {my} life to put it all down to stress.")
    return it


def _understand_concerns(c: _Context) -> _Item:
    """Fully understanding my concerns: ICE, checking back; not overlooking or dismissing."""
    cov, moved_on, last, interview = c.cov, c.moved_on, c.last, c.interview
    it = _Item("understand_concerns", "We didn't get as far as what worries me.")
    for topic, points, sentence in (
            ("ask_concerns", 1.0, "When you asked \"{q}\", I could finally say what frightens me."),
            ("ask_ideas", 0.5, "You asked what I thought was going on (\"{q}\"), and nobody had asked me that."),
            ("ask_expectations", 0.5, "You asked \"{q}\", so I could say what I'd hoped for.")):
        if topic in cov:
            it.add(points, cov[topic][0], cov[topic][1], sentence)
    if "summarize" in cov:
        it.add(1.0, cov["summarize"][0], cov["summarize"][1],
               "When you checked it back with me (\"{q}\"), I felt understood.")
    _capped(it, c.rejecting(TOUCHED_BY["understand_concerns"]), -1.5, -3.0,
            "When you said \"{q}\", I felt my worries had been brushed aside.")
    _capped(it, moved_on, -0.5, -1.0, "I'd just told you something important and you went on with \"{q}\".")
    if interview and not any(t in cov for t in ("ask_concerns", "ask_ideas", "ask_expectations", "summarize")):
        it.add(-1.0, last.number, last.text,
               "By the time you said \"{q}\", you still hadn't asked what I was worried about.")
    return it


def _care_compassion(c: _Context) -> _Item:
    """Care and compassion: empathic statements; dismissals, cues passed over, detachment."""
    empathic, moved_on, last, interview = c.empathic, c.moved_on, c.last, c.interview
    it = _Item("care_compassion", "We didn't get to the point where I could tell if you cared.")
    _capped(it, empathic, 1.0, 2.0, "When you said \"{q}\", I felt you cared about what this is like for {me}.")
    _capped(it, c.rejecting(TOUCHED_BY["care_compassion"]), -1.5, -3.0, "When you said \"{q}\", I felt you didn't care.")
    if not empathic and moved_on:
        it.add(-1.0, moved_on[0][0], moved_on[0][1],
               "When I told you how hard it's been, you just said \"{q}\". It felt a bit cold.")
    elif not empathic and interview:
        it.add(-0.5, last.number, last.text,
               "You were polite, right up to \"{q}\", but it felt a bit detached.")
    return it


def _being_positive(c: _Context) -> _Item:
    """Being positive: legitimising, hopeful explanation and plan; not negative or empty."""
    cov, dismissals, legit = c.cov, c.dismissals, c.legit
    it = _Item("being_positive", "You didn't say much either way about what could be done, so I'm not sure yet.")
    if legit:
        it.add(1.0, legit[0][0], legit[0][1], "When you said \"{q}\", I felt you believed me.")
    if "explain_mind_body" in cov:
        it.add(0.5, cov["explain_mind_body"][0], cov["explain_mind_body"][1],
               "When you explained \"{q}\", I felt there was something we could do.")
    if "propose_plan" in cov and not dismissals:
        it.add(0.5, cov["propose_plan"][0], cov["propose_plan"][1],
               "When you said \"{q}\", I left feeling more hopeful.")
    _capped(it, c.rejecting(_REJECTING), -1.5, -3.0, "When you said \"{q}\", I felt you didn't believe me.")
    _capped(it, c.rejecting({"premature_reassurance"}), -1.0, -1.0,
            "When you said \"{q}\", it was before you'd even heard me out, so it didn't reassure me.")
    _capped(it, c.rejecting({"lecturing"}), -1.0, -1.0, "When you said \"{q}\", it felt like a telling-off.")
    return it


def _explaining_clearly(c: _Context) -> _Item:
    """Explaining things clearly: an explanation that fits; not jargon, not "tests are normal so..."."""
    cov, short = c.cov, c.short
    it = _Item("explaining_clearly", "You didn't really explain anything yet, so I can't say.")
    if "explain_mind_body" in cov:
        it.add(1.5, cov["explain_mind_body"][0], cov["explain_mind_body"][1],
               "When you explained \"{q}\", it finally made sense to me.")
    if "summarize" in cov:
        it.add(0.5, cov["summarize"][0], cov["summarize"][1], "You put it all together clearly (\"{q}\").")
    if "propose_plan" in cov:
        it.add(0.5, cov["propose_plan"][0], cov["propose_plan"][1], "You were clear about what happens next (\"{q}\").")
    _capped(it, c.rejecting({"normal_tests"}), -1.5, -2.0,
            "When you said \"{q}\", that wasn't an explanation. Normal tests don't explain what's happening to {me}.")
    _capped(it, c.rejecting({"denial"}), -1.5, -2.0,
            "When you said \"{q}\", that didn't explain anything. Something is happening to {me}, and I still don't know what.")
    _capped(it, c.rejecting({"psychologising", "either_or"}), -1.0, -1.0,
            "When you said \"{q}\", I was left more confused about what's actually wrong.")
    _capped(it, [(n, q) for n, q, kind in short if kind == "jargon"], -0.5, -1.0,
            "When you said \"{q}\", I didn't really know what you meant.")
    return it


def _take_control(c: _Context) -> _Item:
    """Helping me take control: what I can do, what I want; encouraging, not lecturing."""
    cov, by_number = c.cov, c.by_number
    it = _Item("take_control", "We didn't get to what I could do about it myself.")
    if "ask_coping" in cov:
        it.add(0.5, cov["ask_coping"][0], cov["ask_coping"][1],
               "You asked \"{q}\", as if what I already do counts for something.")
    if "ask_expectations" in cov:
        it.add(0.5, cov["ask_expectations"][0], cov["ask_expectations"][1],
               "You asked \"{q}\", so I had a say in what happens.")
    if "propose_plan" in cov:
        n, quote = cov["propose_plan"]
        involving = _INVOLVING.search(by_number[n].text) is not None
        it.add(1.0 if involving else 0.5, n, quote,
               "When you said \"{q}\", I felt I had something I could actually do.")
    _capped(it, c.rejecting({"lecturing"}), -2.0, -2.0, "When you said \"{q}\", I felt lectured, not helped.")
    _capped(it, c.rejecting(_REJECTING | {"premature_reassurance"}), -0.5, -1.0,
            "After \"{q}\", I didn't see what I could do about it.")
    return it


def _making_plan(c: _Context) -> _Item:
    """Making a plan with me: a plan, involving me in it, after hearing what I hoped for."""
    cov, learner, by_number, last, interview = c.cov, c.learner, c.by_number, c.last, c.interview
    it = _Item("making_plan", "We didn't get as far as a plan.")
    if "propose_plan" in cov:
        n, quote = cov["propose_plan"]
        involving = _INVOLVING.search(by_number[n].text) is not None
        it.add(1.5 if involving else 0.5, n, quote,
               "When you said \"{q}\", I felt the plan was ours, not just yours." if involving
               else "You told me the plan (\"{q}\"), though I'd have liked more of a say.")
        expectations = cov.get("ask_expectations")
        if expectations and expectations[0] < n:
            it.add(0.5, expectations[0], expectations[1],
                   "You'd asked \"{q}\" first, so the plan fitted what I wanted.")
    elif interview and last.number > learner[0].number:
        it.add(-0.5, last.number, last.text, "We got to \"{q}\" without deciding anything together.")
    _capped(it, c.rejecting(TOUCHED_BY["making_plan"]), -1.0, -2.0,
            "After \"{q}\", I didn't feel my view would count in whatever we decided.")
    return it


_RATERS: Dict[str, Callable[[_Context], _Item]] = {
    "at_ease": _at_ease,
    "tell_story": _tell_story,
    "really_listening": _really_listening,
    "whole_person": _whole_person,
    "understand_concerns": _understand_concerns,
    "care_compassion": _care_compassion,
    "being_positive": _being_positive,
    "explaining_clearly": _explaining_clearly,
    "take_control": _take_control,
    "making_plan": _making_plan,
}


def patient_experience(a: Analysis, domains: Sequence[object] = ()) -> Dict[str, object]:
    """The simulated patient's ratings (1-5) on the ten CARE themes, with comments and evidence.

    ``domains`` are the rubric's scored domains (report.build_report passes them). The ratings
    read the analysis the domains were scored from, rather than the domain scores, so that
    each item can cite its own turns; the parameter keeps the call in step with the report.
    """
    c = _context(a)
    v, rapport, start = c.v, c.rapport, c.start
    items = {item_id: rate(c) for item_id, rate in _RATERS.items()}
    # A clause shown to the assessor for review is neither held against the learner nor
    # quoted in their favour: the patient's view never cites it (docs/scoring.md).
    review = [(t.number, d.quote) for t in a.learner for d in t.for_review]
    for item in items.values():
        item.points = [p for p in item.points
                       if not any(p.turn == n and (p.quote in q or q in p.quote) for n, q in review)]
    out_items = [_finish(items[item_id], label, v, item_id in ("at_ease", "care_compassion"))
                 for item_id, label in ITEMS]
    return {
        "items": out_items,
        "total": sum(cast(int, i["score"]) for i in out_items),
        "max": 50,
        "rapport": {"start": start, "end": rapport[-1].rapport if rapport else start,
                    "lowest": min([p.rapport for p in rapport], default=start),
                    "by_turn": [{"turn": p.turn, "rapport": p.rapport} for p in rapport]},
        "voice": "proxy" if a.persona is not None and a.persona.proxy is not None else
                 ("persona" if a.persona is not None else "generic"),
        "note": NOTE,
    }


def _legit_quote(turn: LearnerTurn) -> Optional[str]:
    """The legitimising clause of a turn (verbatim), or its empathic quote."""
    for seg in turn.segments:
        if legitimising_phrase(seg.text):
            return seg.text
    return turn.empathy_quote or (turn.topics.get("legitimize"))


def _source_quote(turn: LearnerTurn) -> str:
    """What in a turn moved the patient: its empathic clause, else the turn."""
    return turn.empathy_quote or _legit_quote(turn) or turn.text


def _from_match(text: str, pattern: "re.Pattern[str]") -> str:
    """The clause of ``text`` where ``pattern`` matches (verbatim)."""
    for seg in segments(text):
        if pattern.search(seg.text):
            return seg.text
    return text


__all__ = ["patient_experience", "replay_rapport", "learner_acts", "ITEMS", "ITEM_IDS", "NOTE"]
