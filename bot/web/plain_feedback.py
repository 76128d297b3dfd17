"""The scorer's report in words a student can read (docs/web.md, "Feedback for the student").

The report (docs/scoring.md) speaks to assessors and to code: topic ids, "characterised 4/8
symptom features", confidences. Students get, per domain, what they asked about and what
they did not, in everyday words, built from the report's structured fields (never by
parsing its rationale text). The feedback page and the downloadable HTML report both use
this module, so they say the same thing.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from bot import topics
from bot.scoring.rubric import BACKGROUND, CHARACTERISATION, ICE, PSYCHOSOCIAL_CONTEXT

#: Everyday words for the topics a student is told they asked about or missed. A topic not
#: listed falls back to its description in bot/topics.yml.
TOPIC_WORDS: Dict[str, str] = {
    "ask_open": "an open question about why they came",
    "ask_anything_else": "whether there was anything else",
    "invite_questions": "whether they had questions",
    "ask_onset": "when it started",
    "ask_location": "where it is",
    "ask_character": "what it feels like",
    "ask_severity": "how bad it is",
    "ask_timing": "when and how often it comes",
    "ask_triggers": "what makes it worse",
    "ask_relief": "what helps",
    "ask_associated": "other symptoms",
    "ask_red_flags": "warning signs such as weight loss, bleeding or fever",
    "ask_medical_history": "other illnesses and operations",
    "ask_medications": "medicines they have tried",
    "ask_previous_care": "earlier tests and doctors",
    "ask_family_history": "illness in the family",
    "ask_allergies": "allergies",
    "ask_stress": "stress",
    "ask_mood": "mood",
    "ask_anxiety": "worry and anxiety",
    "ask_sleep": "sleep",
    "ask_work": "work, study or money",
    "ask_relationships": "home life and relationships",
    "ask_substances": "alcohol, smoking and drugs",
    "ask_lifestyle": "diet and exercise",
    "ask_support": "who supports them",
    "ask_coping": "how they cope",
    "ask_daily_function": "what the symptoms stop them doing",
    "ask_ideas": "what they think is causing it",
    "ask_concerns": "what worries them most",
    "ask_expectations": "what they hope for from the visit",
    "summarize": "summarised what you heard",
    "propose_plan": "agreed next steps together",
    "explain_mind_body": "explained how stress and the body affect each other",
    "explain_diagnosis": "named and explained a diagnosis",
    "safety_net": "said which changes should bring them back",
    "check_understanding": "checked they understood",
}

PLAN_STEPS = ("summarize", "propose_plan", "explain_mind_body", "explain_diagnosis", "safety_net",
              "check_understanding")

BANDS = ((5, "Very good"), (4, "Good"), (3, "Partly there"), (2, "A start"), (0, "Not yet"))

DISMISSAL_WORDS = {
    "psychologising": "putting the symptoms down to the mind",
    "minimising": "making the symptoms sound small",
    "premature_reassurance": "reassuring before exploring",
    "blaming": "blaming the patient",
}


def topic_words(topic_id: str) -> str:
    """Everyday words for a topic id (its topics.yml description when not in TOPIC_WORDS)."""
    if topic_id in TOPIC_WORDS:
        return TOPIC_WORDS[topic_id]
    topic = topics.load_topics().get(topic_id)
    return topic.desc if topic else topic_id.replace("ask_", "").replace("_", " ")


def dismissal_words(kind: Optional[str]) -> str:
    if not kind:
        return "dismissing the symptoms"
    return DISMISSAL_WORDS.get(kind, kind.replace("_", " "))


def band(score: Optional[float]) -> str:
    if score is None:
        return "Not scored"
    for floor, word in BANDS:
        if score >= floor:
            return word
    return BANDS[-1][1]


def listing(items: Iterable[str]) -> str:
    """"a, b and c" ("a; b; and c" when an item has a comma of its own)."""
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    if any("," in w for w in words):
        return "; ".join(words[:-1]) + "; and " + words[-1]
    return ", ".join(words[:-1]) + " and " + words[-1]


def times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _asked(covered: set, ids: Iterable[str]) -> List[str]:
    return [topic_words(t) for t in ids if t in covered]


def _missed(covered: set, ids: Iterable[str]) -> List[str]:
    return [topic_words(t) for t in ids if t not in covered]


def _asked_or_not(covered: set, ids: Iterable[str], what: str) -> Dict[str, Any]:
    asked, missed = _asked(covered, ids), _missed(covered, ids)
    said = []
    said.append(f"You asked about {listing(asked)}." if asked else f"You did not ask about {what}.")
    if asked and missed:
        said.append(f"Not asked yet: {listing(missed)}.")
    return {"summary": " ".join(said), "asked": asked, "not_asked": missed}


def _agenda(r: Dict[str, Any], covered: set) -> Dict[str, Any]:
    done = [t for t in ("ask_open", "ask_anything_else", "invite_questions") if t in covered]
    if not done:
        return {"summary": "You did not start with an open question such as “What brings you in today?”, "
                           "or check whether there was anything else."}
    said = [f"You asked {listing(topic_words(t) for t in done)}."]
    if "ask_anything_else" not in covered:
        said.append("Next time also ask “Is there anything else you wanted to talk about?”.")
    return {"summary": " ".join(said)}


def _open_questions(r: Dict[str, Any], covered: set, domain: Dict[str, Any]) -> Dict[str, Any]:
    quotes = [e.get("quote") for e in domain.get("evidence") or [] if e.get("quote")]
    lead = ("Open questions let the patient tell the story in their own words; closed ones get a yes or a no.")
    if quotes:
        return {"summary": f"{lead} Your open questions included “{quotes[0]}”."}
    return {"summary": f"{lead} Try starting with “Tell me about…” or “What has it been like?”."}


def _physical(r: Dict[str, Any], covered: set) -> Dict[str, Any]:
    out = _asked_or_not(covered, CHARACTERISATION, "the symptoms themselves")
    if "ask_red_flags" in covered:
        out["summary"] += " You checked for warning signs."
    else:
        out["summary"] += " You did not check for warning signs such as weight loss, bleeding or fever: always ask."
        out["not_asked"].append(topic_words("ask_red_flags"))
    background = _asked(covered, BACKGROUND)
    if background:
        out["summary"] += f" Background: you asked about {listing(background)}."
    return out


def _daily(r: Dict[str, Any], covered: set) -> Dict[str, Any]:
    if "ask_daily_function" in covered:
        return {"summary": "You asked how the symptoms affect daily life."}
    return {"summary": "You did not ask what the symptoms stop the patient doing "
                       "(“How is this affecting your day-to-day life?”).",
            "not_asked": [topic_words("ask_daily_function")]}


def _cues(r: Dict[str, Any], covered: set) -> Dict[str, Any]:
    missed, answered = len(r.get("missed_cues") or []), len(r.get("cues_answered") or [])
    total = missed + answered
    if not total:
        return {"summary": "The patient did not show strong feelings this time."}
    if not answered:
        return {"summary": f"The patient hinted at their feelings {times(total)}, and the interview moved on each "
                           "time. Pause and name the feeling (“That sounds hard”) before the next question."}
    return {"summary": f"The patient hinted at their feelings {times(total)}; you responded to {answered} of them."}


def _stance(r: Dict[str, Any], covered: set) -> Dict[str, Any]:
    dismissals = r.get("dismissals") or []
    kind_words = sorted({dismissal_words(d.get("kind")) for d in dismissals})
    if dismissals:
        return {"summary": f"Something you said could sound dismissive {times(len(dismissals))} ({listing(kind_words)}). "
                           "Patients hear this as “it isn’t real”, which lowers the whole score."}
    kind = len(r.get("empathy") or [])
    if kind:
        return {"summary": "You took the symptoms seriously and did not dismiss them; "
                           f"you said something supportive {times(kind)}."}
    return {"summary": "You did not dismiss the symptoms. Saying they are real (“I can see this is affecting you”) "
                       "would help more."}


def _plan(r: Dict[str, Any], covered: set) -> Dict[str, Any]:
    done = [topic_words(t) for t in PLAN_STEPS if t in covered]
    if not done:
        return {"summary": "You did not summarise, explain or agree next steps with the patient."}
    out = f"You {listing(done)}."
    if "summarize" not in covered:
        out += " Summing up what you heard helps the patient feel listened to."
    return {"summary": out}


def _explain(domain_id: str, r: Dict[str, Any], covered: set, domain: Dict[str, Any]) -> Dict[str, Any]:
    if domain_id == "eliciting_agenda":
        return _agenda(r, covered)
    if domain_id == "open_questions":
        return _open_questions(r, covered, domain)
    if domain_id == "physical_symptoms":
        return _physical(r, covered)
    if domain_id == "psychosocial_context":
        return _asked_or_not(covered, PSYCHOSOCIAL_CONTEXT, "their life around the symptoms")
    if domain_id == "daily_function":
        return _daily(r, covered)
    if domain_id == "ideas_concerns_expectations":
        return _asked_or_not(covered, ICE, "their own ideas, worries or hopes")
    if domain_id == "coping_support":
        return _asked_or_not(covered, ("ask_coping", "ask_support"), "how they cope or who supports them")
    if domain_id == "emotional_cues":
        return _cues(r, covered)
    if domain_id == "legitimising_stance":
        return _stance(r, covered)
    if domain_id == "shared_plan":
        return _plan(r, covered)
    return {"summary": ""}


def plain_domain(report: Dict[str, Any], domain: Dict[str, Any]) -> Dict[str, Any]:
    covered = set(report.get("topics_covered") or [])
    explained = _explain(str(domain.get("id")), report, covered, domain)
    score = domain.get("score")
    label = domain.get("label") or str(domain.get("id", "")).replace("_", " ").capitalize()
    return {"id": domain.get("id"), "label": label, "score": score, "max": domain.get("max", 5),
            "band": band(score), "summary": explained.get("summary") or f"{band(score)}.",
            "asked": explained.get("asked", []), "not_asked": explained.get("not_asked", []),
            "evidence": domain.get("evidence") or [], "overridden": domain.get("overridden"),
            "original_score": domain.get("original_score")}


def plain_feedback(report: Dict[str, Any]) -> Dict[str, Any]:
    """{"domains": [...], "dismissals": [...]} for the student: each domain's label, score, a
    plain band word, a plain summary, what was asked and not asked (everyday words), and its
    evidence; each dismissal with its kind in everyday words."""
    return {"domains": [plain_domain(report, d) for d in report.get("domains") or []],
            "dismissals": [{"turn": d.get("turn"), "quote": d.get("quote"), "kind": dismissal_words(d.get("kind"))}
                           for d in report.get("dismissals") or []]}
