"""``make bench-dialogue``: the patient on multi-turn cases written blind to the engine.

Each case is a short interview; only the reply to its last learner turn is checked, against
what a human standardized patient would do (tests/data/dialogue/README.md explains the
format). Every turn goes through the trained NLU graph and the patient engine exactly as on
the Rasa server: parse, the tracker's events, the interview read from them, the reply.
Prints the pass rate per kind and the failures of the weakest kinds.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bot import topics
from bot.conversation import interview_from_events
from bot.patient import respond
from bot.patient.address import addressee_of
from bot.patient.engine import PatientReply
from bot.personas.loader import load_persona_file
from bot.personas.model import Persona
from bot.scoring.patient_reading import patient_context

ROOT = Path(__file__).resolve().parents[1]
DIALOGUE_DIR = ROOT / "tests" / "data" / "dialogue"
#: Sets 1 to 3, 5 and 6 are development sets (tuning looks at their failures); set 4, written
#: blind after set 3 had been reported as the test set, is a test set (tests/data/dialogue_4),
#: and so are sets 7 and 8, written blind before the changes they measure (tests/data/dialogue_7, _8).
SETS = {"dev": DIALOGUE_DIR / "dialogue_heldout.yml",
        "dev2": ROOT / "tests" / "data" / "dialogue_2" / "dialogue_heldout_2.yml",
        "dev3": ROOT / "tests" / "data" / "dialogue_3" / "dialogue_heldout_3.yml",
        "dev5": ROOT / "tests" / "data" / "dialogue_5" / "dialogue_heldout_5.yml",
        "dev6": ROOT / "tests" / "data" / "dialogue_6" / "dialogue_heldout_6.yml",
        "test": ROOT / "tests" / "data" / "dialogue_4" / "dialogue_heldout_4.yml",
        "test7": ROOT / "tests" / "data" / "dialogue_7" / "dialogue_heldout_7.yml",
        "test8": ROOT / "tests" / "data" / "dialogue_8" / "dialogue_heldout_8.yml"}
CASE_FILES = [path for path in SETS.values() if path.exists()]
TARGET = 0.90
_AS_I_SAID = re.compile(r"\b(?:as i said|like i said|as i mentioned|like i told you|as i told you)\b", re.IGNORECASE)


@dataclass
class Outcome:
    case_id: str
    kind: str
    passed: bool
    why: str
    reply: str


def load_personas(extra_dirs: Sequence[Path] = tuple(p.parent / "personas" for p in CASE_FILES)) -> Dict[str, Persona]:
    """The bundled personas and the cases' own (written with the cases, unseen by the project)."""
    found: Dict[str, Persona] = {}
    for folder in (ROOT / "personas", *extra_dirs):
        for path in sorted(folder.glob("*.yml")):
            persona = load_persona_file(path)
            found[persona.id] = persona
    return found


def load_cases(paths: Sequence[Path] = CASE_FILES) -> List[Dict[str, Any]]:
    cases: List[Dict[str, Any]] = []
    for path in paths:
        cases.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["cases"])
    return cases


def play(persona: Persona, turns: Sequence[str], parse_many, conversation_id: str) -> List[PatientReply]:
    """Every reply of the interview, computed from tracker-shaped events as the server does."""
    parsed = parse_many(list(turns))
    start = {"event": "user", "text": "/start_interview", "parse_data": {
        "intent": {"name": topics.START_INTENT, "confidence": 1.0},
        "entities": [{"entity": "persona_id", "value": persona.id}]}}
    events: List[Dict[str, Any]] = [start]
    replies = []
    for text, parse in zip(turns, parsed):
        events.append({"event": "user", "text": text, "parse_data": parse})
        interview = interview_from_events(events)
        addressees = [addressee_of(t, persona) for t in interview.texts]
        context = patient_context(interview)
        replies.append(respond(persona, conversation_id, interview.turns, addressees, context))
    return replies


def check(case: Dict[str, Any], replies: List[PatientReply], persona: Persona) -> Tuple[bool, str]:
    """Whether the last reply meets every expectation of the case, and if not, why."""
    expect = case.get("expect") or {}
    last = replies[-1]
    problems = []
    if "topics" in expect and tuple(expect["topics"]) != last.topics:
        problems.append(f"answered {list(last.topics) or last.level} not {expect['topics']}")
    # A built-in default ("No allergies that I know of") is an honest reply with no persona facts,
    # and so is a follow-up answered "that's about all there is to it" (no detail of the file).
    if expect.get("honest") and (not _admits(last, persona) or _carries_facts(last.text, persona)):
        problems.append(f"not an honest admission ({last.level}, {list(last.topics)})")
    if "reaction" in expect and not (last.topic == expect["reaction"] and last.level == "reaction"):
        problems.append(f"reacted as {last.topic}/{last.level}, not to {expect['reaction']}")
    # A follow-up detail is disclosed at the open level: before the patient opens up, a
    # follow-up on a guarded topic gets a refusal at the guarded level (docs/authoring.md).
    disclosed = "open" if last.level == "follow_up" else last.level
    if "level" in expect and disclosed != expect["level"]:
        problems.append(f"level {last.level}, not {expect['level']}")
    if "speaker" in expect and last.speaker != expect["speaker"]:
        problems.append(f"spoken by {last.speaker}, not {expect['speaker']}")
    if expect.get("fresh"):
        earlier = [r.text for r in replies[:-1]]
        if last.text in earlier:
            problems.append("word for word an earlier reply")
        if _AS_I_SAID.search(last.text):
            said = {t for r in replies[:-1] if r.level not in ("fallback", "unknown", "reaction") for t in r.topics}
            if not set(last.topics) & said:
                problems.append("says 'as I said' about something not said")
    return (not problems), "; ".join(problems)


def _admits(reply: PatientReply, persona: Persona) -> bool:
    """The reply says the patient does not know or has no more to say, in no words of the file."""
    if reply.level in ("unknown", "default"):
        return True
    details = {d for answer in persona.answers.values() for d in answer.follow_up}
    return reply.level == "follow_up" and reply.text not in details


def _carries_facts(text: str, persona: Persona) -> bool:
    """True when the text repeats any of the persona's answers (another topic's facts)."""
    lowered = text.lower()
    for answer in persona.answers.values():
        for said in answer.all_texts():
            head = said.lower()[:40]
            if len(head) >= 25 and head in lowered:
                return True
    return False


def run(cases: Sequence[Dict[str, Any]], personas: Dict[str, Persona], parse_many) -> List[Outcome]:
    out = []
    for case in cases:
        persona = personas.get(case["persona"])
        if persona is None:
            out.append(Outcome(case["id"], case["kind"], False, f"unknown persona {case['persona']}", ""))
            continue
        replies = play(persona, case["turns"], parse_many, f"bench-{case['id']}")
        passed, why = check(case, replies, persona)
        out.append(Outcome(case["id"], case["kind"], passed, why, replies[-1].text))
    return out


def summarise(outcomes: Sequence[Outcome]) -> Dict[str, Tuple[int, int]]:
    by_kind: Dict[str, List[bool]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.kind].append(o.passed)
    return {k: (sum(v), len(v)) for k, v in sorted(by_kind.items())}


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--set", choices=sorted(SETS), action="append", help="which set(s); default both")
    ap.add_argument("--show", type=int, default=0, help="failures to show per kind (dev sets only)")
    args = ap.parse_args(argv)
    from bot.nlu.parser import NluParser

    parser = NluParser()
    personas = load_personas()
    print(f"model: {parser.model_path.name}")
    for name in args.set or list(SETS):
        if not SETS[name].exists():
            print(f"\n{name} set: {SETS[name].relative_to(ROOT)} not found")
            continue
        cases = load_cases([SETS[name]])
        outcomes = run(cases, personas, parser.parse_many)
        print(f"\n{name} set: {SETS[name].relative_to(ROOT)} ({len(cases)} cases, written blind, frozen)")
        print(f"kind                   passed    rate   (target >= {TARGET:.2f})")
        for kind, (ok, n) in summarise(outcomes).items():
            print(f"  {kind:20s} {ok:3d}/{n:<3d}  {ok / n:6.2f}")
        total = sum(o.passed for o in outcomes)
        print(f"  {'all':20s} {total:3d}/{len(outcomes):<3d}  {total / max(1, len(outcomes)):6.2f}")
        if name.startswith("dev") and args.show:
            shown: Dict[str, int] = defaultdict(int)
            print("failures:")
            for o in outcomes:
                if not o.passed and shown[o.kind] < args.show:
                    shown[o.kind] += 1
                    print(f"  [{o.kind}] {o.case_id}: {o.why}\n      reply: {o.reply[:150]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
