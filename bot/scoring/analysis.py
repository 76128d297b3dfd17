"""What happened in an interview, turn by turn: topics, empathy, dismissals, cues.

The rubric (rubric.py) only reads this analysis, so every point it gives or takes can
point at the turn and the words behind it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from bot import topics
from bot.conversation import acts_in_context, acts_with_dismissal, asked_topic, plain_act, resolve_turn
from bot.nlu.reading import DISMISSIVE_ACTS, read_turn
from bot.nlu.segments import Segment, clauses_of, clip, with_clauses
from bot.patient import defaults
from bot.patient.people import acts_asking_who
from bot.personas.model import Persona
from bot.scoring import cues, dismissal
from bot.scoring.classifier import Prediction
from bot.scoring.cues import ClauseReading, Cue
from bot.scoring.dismissal_model import DismissalReading
from bot.scoring.style import empathic_phrase, question_style
from bot.transcripts import Transcript

#: A clause inside a longer turn counts towards coverage at this confidence.
SEGMENT_TOPIC_CONFIDENCE = 0.6
EMPATHIC_TOPICS = ("empathize", "legitimize")
#: A clause of fewer words than this is an acknowledgement token, not empathy on its own.
ACKNOWLEDGEMENT_WORDS = 3


@dataclass
class LearnerTurn:
    number: int
    text: str
    topic: str
    confidence: float
    style: str
    segments: List[Segment]
    segment_predictions: List[Prediction]
    topics: Dict[str, str] = field(default_factory=dict)  # topic -> quote that shows it
    empathy_quote: Optional[str] = None
    #: Confident dismissals (they cap the score) and unsure ones, shown for review.
    dismissals: List[dismissal.Dismissal] = field(default_factory=list)
    for_review: List[dismissal.Dismissal] = field(default_factory=list)


@dataclass
class PatientTurn:
    number: int
    text: str
    cue: Optional[Cue]

    @property
    def cue_quote(self) -> Optional[str]:
        return self.cue.quote if self.cue else None


@dataclass
class MissedCue:
    turn: int
    quote: str
    emotion: str
    suggestion: str
    answered_by: Optional[int]  # the learner turn that moved on, if any


@dataclass
class Analysis:
    transcript: Transcript
    persona: Optional[Persona]
    learner: List[LearnerTurn]
    patient: List[PatientTurn]
    cues_answered: List[Tuple[int, int, str]]  # (cue turn, learner turn, quote of the continuer)
    missed_cues: List[MissedCue]

    def covered(self) -> Dict[str, Tuple[int, str]]:
        """First turn (and quote) at which each topic was covered."""
        out: Dict[str, Tuple[int, str]] = {}
        for turn in self.learner:
            for topic_id, quote in turn.topics.items():
                out.setdefault(topic_id, (turn.number, quote))
        return out

    def turns_with(self, topic_id: str) -> List[Tuple[int, str]]:
        return [(t.number, t.topics[topic_id]) for t in self.learner if topic_id in t.topics]


def texts_to_classify(transcript: Transcript) -> List[str]:
    """Whole learner turns, then each clause of multi-clause turns (one batch per transcript)."""
    out: List[str] = []
    for turn in transcript.learner_turns():
        out.extend(with_clauses(turn.text))
    return out


def patient_clause_texts(transcript: Transcript) -> List[str]:
    """Every clause of every patient turn, in order (one batch for the cue reader)."""
    return [c.text for turn in transcript.turns if turn.speaker == "patient" for c in cues.patient_clauses(turn.text)]


@dataclass(frozen=True)
class Signals:
    """The models' readings of one transcript, computed in batches by the report."""

    predictions: Sequence[Prediction]  # for texts_to_classify(transcript), in that order
    dismissal: Sequence[DismissalReading]  # the same texts
    cues: Sequence[ClauseReading]  # for patient_clause_texts(transcript), read with its persona


def analyse(transcript: Transcript, signals: Signals, persona: Optional[Persona]) -> Analysis:
    queue = list(zip(signals.predictions, signals.dismissal))
    cue_queue = list(signals.cues)
    learner: List[LearnerTurn] = []
    patient: List[PatientTurn] = []
    red_flags_checked = False
    earlier: List[Tuple[str, ...]] = []
    asked: List[Tuple[str, str]] = []  # each learner turn's words and the history topic it asked
    last_patient = ""
    names = defaults.names_in_case(persona) if persona is not None else ()
    for turn in transcript.turns:
        if turn.speaker == "patient":
            clauses = cues.patient_clauses(turn.text)
            readings = [cue_queue.pop(0) for _ in clauses]
            after = learner[-1].topic if learner else None
            after_empathy = bool(learner) and learner[-1].empathy_quote is not None
            patient.append(PatientTurn(turn.number, turn.text, cues.find_cue(clauses, readings, after, after_empathy)))
            last_patient = turn.text
            continue
        whole, whole_dismissal = queue.pop(0)
        parts = clauses_of(turn.text)
        popped = [queue.pop(0) for _ in parts] if len(parts) > 1 else [(whole, whole_dismissal)]
        part_predictions = [p for p, _ in popped]
        acts, confidence = _acts_in_context(turn.text, whole, parts, part_predictions, earlier, last_patient, names,
                                            [p.text for p in patient], asked)
        if persona is not None:  # "And Tom is...?" asks who Tom is, as the patient reads it
            acts = acts_asking_who(persona, acts, turn.text, last_patient, names)
        earlier.append(acts)
        asked.append((turn.text, asked_topic(acts)))
        lt = LearnerTurn(turn.number, turn.text, acts[0], confidence, question_style(turn.text),
                         parts, part_predictions)
        for act in acts:
            lt.topics.setdefault(act, _quote_for(lt, act))
        for part, prediction in zip(parts, part_predictions):
            if (len(parts) > 1 and prediction.confidence >= SEGMENT_TOPIC_CONFIDENCE
                    and prediction.topic in topics.load_topics()):
                lt.topics.setdefault(prediction.topic, clip(part.text))
        found = dismissal.detect(parts, [d for _, d in popped], whole_dismissal, red_flags_checked,
                                 dismissal.reads_as_reflection(whole.topic, whole.confidence),
                                 dismissal.clauses_keeping_real([(p.topic, p.confidence) for p in part_predictions]))
        lt.dismissals = [d for d in found if d.confident]
        lt.for_review = [] if lt.dismissals else [d for d in found if not d.confident]
        if lt.dismissals:
            # As the patient takes it: a statement the reader is sure of is that dismissal.
            hurt = dismissal.patient_act(lt.dismissals[0].kind)
            read = acts_with_dismissal(acts, hurt)
            lt.topic = read[0]
            for act in set(acts) - set(read) - DISMISSIVE_ACTS:
                lt.topics.pop(act, None)
            lt.topics.setdefault(hurt, lt.dismissals[0].quote)
        for topic_id in DISMISSIVE_ACTS:
            if topic_id in lt.topics and not lt.dismissals:
                del lt.topics[topic_id]  # the clause-level guards found it was not dismissive
        lt.empathy_quote = _empathy(lt)
        if lt.empathy_quote is None:
            for topic_id in EMPATHIC_TOPICS:
                lt.topics.pop(topic_id, None)
        red_flags_checked = red_flags_checked or "ask_red_flags" in lt.topics
        learner.append(lt)

    answered, missed = _cue_responses(patient, learner)
    return Analysis(transcript, persona, learner, patient, answered, missed)


def _acts_in_context(text: str, whole: Prediction, parts: List[Segment], predictions: List[Prediction],
                     earlier: List[Tuple[str, ...]], last_patient: str,
                     names: Sequence[str] = (), earlier_replies: Sequence[str] = (),
                     earlier_questions: Sequence[Tuple[str, str]] = ()) -> Tuple[Tuple[str, ...], float]:
    """The turn's acts as the patient read them (bot/nlu/reading.py, then follow-ups resolved
    in context by bot/conversation.py), main act first; every act is a topic id."""
    clauses = [(s.start, s.end, pr.topic, pr.confidence) for s, pr in zip(parts, predictions)] if len(parts) > 1 else []
    ranking = sorted(whole.probabilities.items(), key=lambda kv: -kv[1])[:3] or [(whole.topic, whole.confidence)]
    reading = read_turn(text, ranking, clauses)
    ordered = (reading.main, *[a.name for a in reading.acts if a.name != reading.main])
    # As the patient engine does: the topic the patient answered last turn (bot/patient/engine.py).
    previous = next((a for a in reversed(earlier[-1]) if a in topics.history_question_ids()), None) if earlier else None
    in_context = acts_in_context(ordered, text, reading.confidence, previous, last_patient, whole.rare_words, names,
                                 earlier_replies, earlier_questions)
    resolved = resolve_turn(tuple(plain_act(a) for a in in_context), earlier)
    by_best = {topics.UNCOVERED_INTENT: whole.best_topic()}
    acts = tuple(dict.fromkeys(by_best.get(a, a) for a in resolved if a in topics.load_topics() or a in by_best))
    return acts or (whole.best_topic(),), reading.confidence


def _quote_for(turn: LearnerTurn, topic_id: str) -> str:
    if len(turn.segments) > 1:
        best = max(zip(turn.segments, turn.segment_predictions), key=lambda sp: sp[1].p(topic_id))
        if best[1].p(topic_id) >= 0.2:
            return clip(best[0].text)
    return clip(turn.text.strip() or turn.text)


def _empathy(turn: LearnerTurn) -> Optional[str]:
    if turn.dismissals:
        dismissive = {d.quote for d in turn.dismissals}
    else:
        dismissive = set()
    for part, prediction in zip(turn.segments, turn.segment_predictions):
        if part.text in dismissive:
            continue
        # "Okay." or "Right," before the next question acknowledges nothing.
        empathic_model = (prediction.topic in EMPATHIC_TOPICS and prediction.confidence >= 0.4
                          and len(part.text.split()) >= ACKNOWLEDGEMENT_WORDS)
        if empathic_model or empathic_phrase(part.text):
            return clip(part.text)
    return None


def _cue_responses(patient: List[PatientTurn], learner: List[LearnerTurn]):
    answered: List[Tuple[int, int, str]] = []
    missed: List[MissedCue] = []
    by_number = {t.number: t for t in learner}
    numbers = sorted(by_number)
    for p in patient:
        if p.cue is None:
            continue
        following = next((n for n in numbers if n > p.number), None)
        if following is None:
            missed.append(MissedCue(p.number, p.cue.quote, p.cue.emotion, cues.suggestion_for(p.cue), None))
            continue
        reply = by_number[following]
        # An empathic reply picks the cue up even when it goes on to dismiss: the dismissal is
        # marked on its own (docs/scoring.md, "Cues").
        empathic = reply.empathy_quote is not None
        if empathic or ((cues.is_continuer(list(reply.topics), reply.text, False) or cues.takes_up(p.cue, reply.text))
                        and not reply.dismissals):
            answered.append((p.number, reply.number, reply.empathy_quote or clip(reply.text)))
        else:
            missed.append(MissedCue(p.number, p.cue.quote, p.cue.emotion, cues.suggestion_for(p.cue), reply.number))
    return answered, missed

