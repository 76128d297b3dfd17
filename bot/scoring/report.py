"""The score report (docs/contracts.md, section 5), built from the analysis and the rubric."""
from __future__ import annotations

import multiprocessing
from typing import Dict, List, Optional, Sequence, Tuple

from bot import topics
from bot.personas import PersonaRegistry, UnknownPersonaError, default_registry
from bot.personas.model import Persona
from bot.scoring import cues, dismissal_model
from bot.scoring.alarms import alarm_outcomes
from bot.scoring.analysis import Analysis, Signals, analyse, patient_clause_texts, texts_to_classify
from bot.scoring.bands import LABELS as BAND_LABELS
from bot.scoring.bands import band_of
from bot.scoring.classifier import TopicClassifier, shared_classifier
from bot.scoring.patient_view import patient_experience
from bot.scoring.rubric import CHARACTERISATION, PSYCHOSOCIAL_CONTEXT, Domain, overall, score_domains
from bot.settings import settings
from bot.transcripts import Transcript

#: At least this many psychosocial or perspective (ICE) topics make "explored_psychosocial" true.
EXPLORED_PSYCHOSOCIAL_MIN = 3
#: At least this many symptom features make the physical side "explored".
EXPLORED_PHYSICAL_MIN = 4

ADVICE = {
    "eliciting_agenda": "Open with an invitation (\"What brings you in today?\") and ask \"Is there anything else?\" before narrowing down.",
    "open_questions": "Start each new area with an open question (\"Tell me about...\", \"How has...\") before closed ones.",
    "physical_symptoms": "Characterise the symptom fully (onset, site, character, severity, timing, triggers, relief) and always check red flags.",
    "psychosocial_context": "Ask about stress, mood, sleep, work and home life: bridge from the symptoms (\"Sometimes pain affects how people feel in themselves...\").",
    "daily_function": "Ask what the symptoms stop the patient doing (\"How is this affecting your day-to-day life?\").",
    "ideas_concerns_expectations": "Ask for the patient's ideas, concerns and expectations (\"What do you think is going on? What worries you most? What were you hoping for today?\").",
    "coping_support": "Ask how they cope and who supports them (\"Who do you turn to when it's bad?\").",
    "emotional_cues": "When the patient hints at a feeling, pause and acknowledge it before the next question (\"That sounds really hard, tell me more\").",
    "legitimising_stance": "Keep the symptoms real: say you believe them, and explain how stress and the body interact without suggesting it is 'all in the head'.",
    "shared_plan": "Summarise what you heard, check it, and agree next steps together.",
}


#: Domains whose advice names only the topics the learner left out (never what was done).
_ASK_ABOUT = {
    "physical_symptoms": "Complete the symptom history: ask about {missing}.",
    "psychosocial_context": "Ask about {missing}: bridge from the symptoms (\"Sometimes pain affects how people feel in themselves...\").",
    "ideas_concerns_expectations": "Ask for the patient's {missing} (\"What do you think is going on? What worries you most? What were you hoping for today?\").",
    "coping_support": "Ask about {missing} (\"How do you cope when it's bad? Who do you turn to?\").",
}
_PLAIN_NAMES = {"ask_ideas": "ideas", "ask_concerns": "concerns", "ask_expectations": "expectations",
                "ask_red_flags": "red flags (weight loss, bleeding, night pain, fever)",
                "ask_risk": "thoughts of self-harm (their mood was low)", "ask_coping": "how they cope",
                "ask_support": "who supports them", "ask_relationships": "home life and relationships",
                "ask_substances": "alcohol, smoking and drugs", "ask_lifestyle": "diet and exercise"}


def plain_names(ids: Sequence[str]) -> str:
    names = [_PLAIN_NAMES.get(i, i.replace("ask_", "").replace("_", " ")) for i in ids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def advice_for(domain: Domain) -> str:
    if domain.id in _ASK_ABOUT and domain.missing:
        return _ASK_ABOUT[domain.id].format(missing=plain_names(domain.missing))
    return ADVICE[domain.id]


def _persona(persona_id: Optional[str], registry: PersonaRegistry) -> Optional[Persona]:
    if not persona_id:
        return None
    try:
        return registry.get(persona_id)
    except UnknownPersonaError:
        return None


def build_report(a: Analysis) -> Dict[str, object]:
    domains = score_domains(a)
    dismissals = [{"turn": t.number, "quote": d.quote, "kind": d.kind, "confidence": d.probability}
                  for t in a.learner for d in t.dismissals]
    for_review = [{"turn": t.number, "quote": d.quote, "kind": d.kind, "confidence": d.probability}
                  for t in a.learner for d in t.for_review]
    covered = a.covered()
    learner_acts = set(topics.topic_ids())
    topics_covered = [t for t in topics.topic_ids() if t in covered and t in learner_acts]
    # The patient's ideas, concerns and expectations count among the
    # psychosocial factors, so perspective topics count here too.
    psychosocial_found = [t for t in topics.ids_in("psychosocial", "perspective") if t in covered]
    physical_found = [t for t in CHARACTERISATION if t in covered]
    first_psy = min((covered[t][0] for t in PSYCHOSOCIAL_CONTEXT + ("ask_coping", "ask_support", "ask_daily_function")
                     if t in covered and t != "ask_sleep"), default=None)
    first_phys = min((covered[t][0] for t in CHARACTERISATION if t in covered), default=None)
    explored = len(psychosocial_found) >= EXPLORED_PSYCHOSOCIAL_MIN
    verdict = {
        "explored_psychosocial": explored,
        "dismissed_physical": bool(dismissals),
        "balanced": explored and len(physical_found) >= EXPLORED_PHYSICAL_MIN,
        "psychosocial_before_physical": first_psy is not None and (first_phys is None or first_psy < first_phys),
        "red_flags_checked": "ask_red_flags" in covered,
    }
    learner_by_number = {t.number: t for t in a.learner}
    cue_by_number = {p.number: p.cue_quote for p in a.patient}
    turns = []
    for turn in a.transcript.turns:
        if turn.speaker == "learner":
            lt = learner_by_number[turn.number]
            turns.append({"turn": turn.number, "speaker": "learner", "topic": lt.topic,
                          "confidence": round(lt.confidence, 3), "style": lt.style,
                          "topics": sorted(lt.topics), "acts": list(lt.topics), "empathic": lt.empathy_quote is not None,
                          "dismissive": bool(lt.dismissals)})
        else:
            turns.append({"turn": turn.number, "speaker": "patient", "cue": bool(cue_by_number.get(turn.number))})
    weakest = sorted(domains, key=lambda d: (d.score, -d.weight))
    advice = [advice_for(d) for d in weakest if d.score < 4][:3] or \
        ["Keep it up: try the same balance of physical and psychosocial questions with a different patient."]
    if dismissals and ADVICE["legitimising_stance"] not in advice:
        advice = [ADVICE["legitimising_stance"]] + advice[:2]
    score = overall(domains, len(dismissals), verdict["red_flags_checked"])
    band = band_of(score, bool(dismissals))
    return {
        "persona_id": a.transcript.persona_id,
        "overall": score,
        "band": band,
        "band_label": BAND_LABELS[band],
        "verdict": verdict,
        "topics_covered": topics_covered,
        "dismissals": dismissals,
        "for_review": for_review,
        "empathy": [{"turn": t.number, "quote": t.empathy_quote} for t in a.learner if t.empathy_quote],
        "missed_cues": [{"turn": m.turn, "quote": m.quote, "emotion": m.emotion, "suggestion": m.suggestion,
                         "next_learner_turn": m.answered_by} for m in a.missed_cues],
        "cues_answered": [{"turn": c, "learner_turn": lt, "quote": q} for c, lt, q in a.cues_answered],
        "turns": turns,
        "domains": [d.to_json() for d in domains],
        "advice": advice,
        "cue_source": "persona" if a.persona is not None else "text",
        "patient_experience": patient_experience(a, domains),
        "alarm_features": [o.to_json() for o in alarm_outcomes(a)],
    }


#: A batch smaller than this is scored in this process: starting workers costs more.
PARALLEL_MIN = 200


def score_many(transcripts: Sequence[Transcript], registry: Optional[PersonaRegistry] = None,
               classifier: Optional[TopicClassifier] = None, workers: Optional[int] = None) -> List[Dict[str, object]]:
    """Score several transcripts with one batched classification call. A large batch is
    shared among ``workers`` forked processes (default: the score_workers setting), each
    starting from the models already loaded here (docs/scoring.md, "Speed")."""
    registry = registry or default_registry()
    classifier = classifier or shared_classifier()
    workers = settings().score_workers if workers is None else workers
    if workers > 1 and len(transcripts) >= PARALLEL_MIN and "fork" in multiprocessing.get_all_start_methods():
        return _score_in_workers(transcripts, registry, classifier, workers)
    return _score_batch(transcripts, registry, classifier)


def _score_batch(transcripts: Sequence[Transcript], registry: PersonaRegistry,
                 classifier: TopicClassifier) -> List[Dict[str, object]]:
    personas = [_persona(t.persona_id, registry) for t in transcripts]
    learner = [texts_to_classify(t) for t in transcripts]
    flat_learner = [text for batch in learner for text in batch]
    predictions = classifier.predict(flat_learner)
    dismissal = dismissal_model.read(flat_learner)
    cue_readings = cues.read_clauses([(patient_clause_texts(t), p) for t, p in zip(transcripts, personas)])
    reports, pos = [], 0
    for transcript, persona, batch, readings in zip(transcripts, personas, learner, cue_readings):
        signals = Signals(predictions[pos: pos + len(batch)], dismissal[pos: pos + len(batch)], readings)
        pos += len(batch)
        reports.append(build_report(analyse(transcript, signals, persona)))
    return reports


#: What a forked worker scores with: set just before the fork, so nothing is pickled but
#: the transcripts and the reports.
_forked: Optional[Tuple[Sequence[Transcript], PersonaRegistry, TopicClassifier]] = None


def _score_chunk(bounds: Tuple[int, int]) -> List[Dict[str, object]]:
    assert _forked is not None
    transcripts, registry, classifier = _forked
    return _score_batch(transcripts[bounds[0]: bounds[1]], registry, classifier)


def _score_in_workers(transcripts: Sequence[Transcript], registry: PersonaRegistry,
                      classifier: TopicClassifier, workers: int) -> List[Dict[str, object]]:
    global _forked
    # Load every model here first, so each worker inherits it instead of loading its own.
    _score_batch(transcripts[:1], registry, classifier)
    step = -(-len(transcripts) // workers)
    bounds = [(i, min(i + step, len(transcripts))) for i in range(0, len(transcripts), step)]
    _forked = (transcripts, registry, classifier)
    try:
        with multiprocessing.get_context("fork").Pool(len(bounds)) as pool:
            chunks = pool.map(_score_chunk, bounds)
    finally:
        _forked = None
    return [report for chunk in chunks for report in chunk]


def score_transcript(transcript: Transcript, registry: Optional[PersonaRegistry] = None) -> Dict[str, object]:
    return score_many([transcript], registry)[0]
