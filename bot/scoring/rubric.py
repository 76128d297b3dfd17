"""The rubric: ten domains scored 0-5, each from validated instruments (docs/scoring.md).

Every domain returns its score, a one-line rationale and the turns that earned or lost
points. The overall score is a weighted mean of the domains, capped when the learner
dismissed the symptoms, because one dismissal undoes the encounter for the patient.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Tuple

from bot.scoring.analysis import Analysis

Evidence = List[Dict[str, object]]

CHARACTERISATION = ("ask_onset", "ask_location", "ask_character", "ask_severity", "ask_timing",
                    "ask_triggers", "ask_relief", "ask_associated")
BACKGROUND = ("ask_medical_history", "ask_medications", "ask_previous_care", "ask_family_history",
              "ask_allergies")
PSYCHOSOCIAL_CONTEXT = ("ask_stress", "ask_mood", "ask_anxiety", "ask_sleep", "ask_work",
                        "ask_relationships", "ask_substances", "ask_lifestyle")
ICE = ("ask_ideas", "ask_concerns", "ask_expectations")


@dataclass
class Domain:
    id: str
    label: str
    instrument: str
    weight: float
    score: int = 0
    rationale: str = ""
    evidence: Evidence = field(default_factory=list)
    #: Topics of this domain the learner never asked about (advice names only these).
    missing: List[str] = field(default_factory=list)

    def to_json(self) -> Dict[str, object]:
        return {"id": self.id, "label": self.label, "score": self.score, "max": 5,
                "rationale": self.rationale, "evidence": self.evidence, "instrument": self.instrument,
                "not_asked": list(self.missing)}


def _ev(pairs: List[Tuple[int, str]], limit: int = 6) -> Evidence:
    seen, out = set(), []
    for turn, quote in pairs:
        if turn not in seen:
            seen.add(turn)
            out.append({"turn": turn, "quote": quote})
    return out[:limit]


def _clamp(value: float) -> int:
    return int(max(0, min(5, round(value))))


def _names(ids) -> str:
    return ", ".join(i.replace("ask_", "").replace("_", " ") for i in ids) or "none"


def agenda(a: Analysis, d: Domain) -> None:
    cov = a.covered()
    first_numbers = [t.number for t in a.learner[:3]]
    score, parts, ev = 0.0, [], []
    if "ask_open" in cov:
        score += 2 + (1 if cov["ask_open"][0] in first_numbers else 0)
        parts.append("open invitation" + (" early" if cov["ask_open"][0] in first_numbers else " (late)"))
        ev.append(cov["ask_open"])
    if "ask_anything_else" in cov:
        score += 2
        parts.append("screened for other concerns")
        ev.append(cov["ask_anything_else"])
    if "greet" in cov:
        score += 0.5
        ev.append(cov["greet"])
    if "invite_questions" in cov:
        score += 0.5
        parts.append("invited the patient's questions")
        ev.append(cov["invite_questions"])
    d.score = _clamp(score)
    d.rationale = ("; ".join(parts) if parts else "no open invitation and no 'anything else?' screen") + "."
    d.evidence = _ev(ev)


def open_questions(a: Analysis, d: Domain) -> None:
    questions = [t for t in a.learner if t.style in ("open", "closed")
                 and t.topic not in ("greet", "goodbye", "empathize", "legitimize", "out_of_scope")]
    if not questions:
        d.score, d.rationale = 0, "no questions asked."
        return
    opens = [t for t in questions if t.style == "open"]
    ratio = len(opens) / len(questions)
    first_open = questions[0].style == "open"
    d.score = _clamp(1 + (2 if first_open else 0) + 2 * min(1.0, ratio / 0.4))
    d.rationale = (f"{len(opens)} of {len(questions)} questions open; "
                   f"{'started open' if first_open else 'started with a closed question'}.")
    d.evidence = _ev([(t.number, t.text[:160]) for t in opens[:4]] or [(questions[0].number, questions[0].text[:160])])


def physical(a: Analysis, d: Domain) -> None:
    cov = a.covered()
    char = [t for t in CHARACTERISATION if t in cov]
    back = [t for t in BACKGROUND if t in cov]
    red = "ask_red_flags" in cov
    d.missing = [t for t in CHARACTERISATION if t not in cov] + ([] if red else ["ask_red_flags"])
    score = 4 * min(1.0, len(char) / 6) + min(1.0, len(back) / 3) * 0.5 + (1 if red else 0)
    if not red:
        score = min(score, 3)
    d.score = _clamp(score)
    d.rationale = (f"characterised {len(char)}/8 symptom features ({_names(char)}); "
                   f"{'red flags checked' if red else 'red flags NOT checked'}; background: {_names(back)}.")
    d.evidence = _ev([cov[t] for t in (["ask_red_flags"] if red else []) + char + back])


def psychosocial(a: Analysis, d: Domain) -> None:
    cov = a.covered()
    found = [t for t in PSYCHOSOCIAL_CONTEXT if t in cov]
    score = 5 * min(1.0, len(found) / 5)
    d.missing = [t for t in PSYCHOSOCIAL_CONTEXT if t not in cov]
    risk = ""
    if "ask_risk" in cov:
        score += 0.5
        risk = "; asked about risk"
    elif mood_is_low(a):
        score = min(score, 3)
        d.missing.append("ask_risk")
        risk = "; mood was low but risk (self-harm) NOT asked"
    d.score = _clamp(score)
    d.rationale = f"explored {len(found)}/8 ({_names(found)}); not asked: {_names(d.missing)}{risk}."
    d.evidence = _ev([cov[t] for t in found + (["ask_risk"] if "ask_risk" in cov else [])])


#: Emotions of a patient's cue that show low mood, when the learner asked about it.
LOW_MOOD_EMOTIONS = frozenset({"loss", "exhaustion", "isolation", "shame"})


def mood_is_low(a: Analysis) -> bool:
    """The patient's answer to the mood question carried a low-mood cue, or the persona
    marks its risk answer as an alarm feature (docs/scoring.md, "Clinical content")."""
    if a.persona is not None and any(f.topic == "ask_risk" for f in a.persona.alarm_features()):
        return True
    asked = {t.number for t in a.learner if "ask_mood" in t.topics}
    return any(p.cue is not None and p.cue.emotion in LOW_MOOD_EMOTIONS and p.number - 1 in asked
               for p in a.patient)


def daily_function(a: Analysis, d: Domain) -> None:
    cov = a.covered()
    score, ev = 0.0, []
    if "ask_daily_function" in cov:
        score += 4
        ev.append(cov["ask_daily_function"])
    if "ask_work" in cov:
        score += 1 if score else 2
        ev.append(cov["ask_work"])
    d.score = _clamp(score)
    d.rationale = ("asked how the symptoms affect daily life" if "ask_daily_function" in cov
                   else "did not ask about the impact on daily life") + "."
    d.evidence = _ev(ev)


def ice(a: Analysis, d: Domain) -> None:
    cov = a.covered()
    found = [t for t in ICE if t in cov]
    d.missing = [t for t in ICE if t not in cov]
    d.score = {0: 0, 1: 2, 2: 4, 3: 5}[len(found)]
    d.rationale = f"{len(found)}/3 of ideas, concerns, expectations ({_names(found)})."
    d.evidence = _ev([cov[t] for t in found])


def coping_support(a: Analysis, d: Domain) -> None:
    cov = a.covered()
    found = [t for t in ("ask_coping", "ask_support") if t in cov]
    d.missing = [t for t in ("ask_coping", "ask_support") if t not in cov]
    score = {0: 0, 1: 3, 2: 5}[len(found)]
    if not found and "ask_relationships" in cov:
        score = 1
    d.score = score
    d.rationale = f"asked about {_names(found) if found else 'neither coping nor support'}."
    d.evidence = _ev([cov[t] for t in found])


def emotional_cues(a: Analysis, d: Domain) -> None:
    answered, missed = a.cues_answered, a.missed_cues
    empathic = [(t.number, t.empathy_quote) for t in a.learner if t.empathy_quote]
    total = len(answered) + len(missed)
    if total:
        d.score = _clamp(5 * len(answered) / total + (0.5 if empathic else 0) - (0.5 if not answered else 0))
        d.rationale = (f"{len(answered)} of {total} emotional cues acknowledged with a continuer; "
                       f"{len(missed)} passed over.")
        d.evidence = _ev([(learner, quote) for _, learner, quote in answered]
                         + [(m.turn, m.quote) for m in missed])
    else:
        d.score = _clamp(min(3, len(empathic)))
        d.rationale = (f"no emotional cue arose; {len(empathic)} empathic statement(s).")
        d.evidence = _ev(empathic)


def legitimising(a: Analysis, d: Domain) -> None:
    supportive = [(t.number, t.empathy_quote) for t in a.learner if t.empathy_quote]
    supportive += a.turns_with("explain_mind_body")
    dismissals = [(t.number, x.quote) for t in a.learner for x in t.dismissals]
    if dismissals:
        d.score = 1 if len(dismissals) == 1 and supportive else 0
        d.rationale = f"{len(dismissals)} dismissive statement(s): the stance is capped."
        d.evidence = _ev(dismissals + supportive)
        return
    d.score = _clamp(2 + min(3, len(set(n for n, _ in supportive))))
    d.rationale = (f"no dismissal; {len(supportive)} legitimising, empathic or mind-body statement(s).")
    d.evidence = _ev(supportive)


def shared_plan(a: Analysis, d: Domain) -> None:
    cov = a.covered()
    score, parts, ev = 0.0, [], []
    for topic_id, points, label in (("summarize", 2, "summarised"), ("propose_plan", 2, "proposed a shared plan"),
                                    ("explain_mind_body", 1, "explained the mind-body link"),
                                    ("explain_diagnosis", 1, "explained a positive diagnosis"),
                                    ("safety_net", 1, "safety-netted"),
                                    ("check_understanding", 0.5, "checked understanding")):
        if topic_id in cov:
            score += points
            parts.append(label)
            ev.append(cov[topic_id])
    d.score = _clamp(score)
    d.rationale = ("; ".join(parts) if parts else "no summary, explanation or plan") + "."
    d.evidence = _ev(ev)


DOMAINS: List[Tuple[str, str, str, float, Callable[[Analysis, Domain], None]]] = [
    ("eliciting_agenda", "Eliciting the agenda", "MIRS opening; Calgary-Cambridge 5-6 (screening)", 0.75, agenda),
    ("open_questions", "Open before closed questions", "MIRS questioning style; Calgary-Cambridge 8-9 (open-to-closed cone)", 0.5, open_questions),
    ("physical_symptoms", "Physical symptoms taken seriously, red flags included", "SEGUE 7; Calgary-Cambridge content", 1.0, physical),
    ("psychosocial_context", "Psychosocial context", "SEGUE 8; Kalamazoo; BATHE background/affect/trouble", 1.5, psychosocial),
    ("daily_function", "Impact on daily function", "Calgary-Cambridge 14; SEGUE 10; MIRS impact of illness", 0.75, daily_function),
    ("ideas_concerns_expectations", "Ideas, concerns and expectations", "ICE; Calgary-Cambridge 13, 15; SEGUE 6", 1.0, ice),
    ("coping_support", "Coping and support", "MIRS support systems; BATHE handling", 0.75, coping_support),
    ("emotional_cues", "Response to emotional cues", "Suchman 1997 (continuers vs terminators); Calgary-Cambridge 16-17; MIRS empathy", 1.5, emotional_cues),
    ("legitimising_stance", "Legitimising, non-dismissive stance", "CARE ('not dismissing'); SEGUE 22-23; rubric-sources patterns", 1.5, legitimising),
    ("shared_plan", "Shared understanding and plan", "Calgary-Cambridge 40-43; MIRS shared plan; CARE making a plan", 1.0, shared_plan),
]

#: A dismissal caps the overall score (one, then two or more).
DISMISSAL_CAPS = (45, 30)
DISMISSAL_PENALTY = 12
#: An interview that never checked the alarm features is unsafe, however kind: its overall
#: stays below the "good" band (docs/scoring.md, "Bands").
RED_FLAGS_CAP = 49


def score_domains(a: Analysis) -> List[Domain]:
    out = []
    for domain_id, label, instrument, weight, rule in DOMAINS:
        d = Domain(domain_id, label, instrument, weight)
        rule(a, d)
        out.append(d)
    return out


def overall(domains: List[Domain], n_dismissals: int, red_flags_checked: bool = True) -> int:
    return overall_from_scores({d.id: d.score for d in domains}, n_dismissals, red_flags_checked)


def overall_from_scores(scores: Dict[str, float], n_dismissals: int, red_flags_checked: bool = True) -> int:
    """The weighted mean of domain scores (0-5) as 0-100, capped after dismissals and when
    red flags were never checked; also used to recompute the overall when an assessor
    overrides a domain."""
    weights = {domain_id: weight for domain_id, _, _, weight, _ in DOMAINS if domain_id in scores}
    total_weight = sum(weights.values())
    if not total_weight:
        return 0
    value = 100 * sum(weight * scores[d] / 5 for d, weight in weights.items()) / total_weight
    if not red_flags_checked:
        value = min(value, RED_FLAGS_CAP)
    if n_dismissals:
        value -= DISMISSAL_PENALTY * n_dismissals
        value = min(value, DISMISSAL_CAPS[0] if n_dismissals == 1 else DISMISSAL_CAPS[1])
    return int(max(0, min(100, round(value))))

