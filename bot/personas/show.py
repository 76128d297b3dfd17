"""``sptrainer persona show``: every answer as the patient would give it, without a bot.

An educator reviews a persona by reading it the way a learner meets it: the disclosure
level (guarded or open) is decided by the patient engine itself, so what is printed is
what the running bot says at that rapport.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import textwrap
from pathlib import Path
from typing import List, Optional, Sequence

from bot import topics
from bot.patient import axes, defaults, respond
from bot.personas.errors import PersonaFileError, UnknownPersonaError
from bot.personas.loader import load_persona_file
from bot.personas.model import Answer, Persona
from bot.personas.registry import PERSONA_ID_RE, personas_dir

WIDTH = 100
SHOW_CID = "persona-show"


def resolve(ref: str, directory: Optional[Path] = None) -> Persona:
    """A persona from a file path or an id in the personas folder (broken files raise their errors)."""
    as_path = Path(ref)
    if ref.endswith((".yml", ".yaml")) or as_path.is_file():
        return load_persona_file(as_path)
    folder = directory or personas_dir()
    if PERSONA_ID_RE.match(ref):
        for suffix in (".yml", ".yaml"):
            candidate = folder / f"{ref}{suffix}"
            if candidate.is_file():
                return load_persona_file(candidate)
    available = sorted(p.stem for p in folder.glob("*.y*ml")) if folder.is_dir() else []
    raise UnknownPersonaError(ref, available)


def at_rapport(persona: Persona, rapport: str) -> Persona:
    """The persona starting just below (low) or at (high) its open_at threshold."""
    start = persona.open_at if rapport == "high" else persona.open_at - 1
    return dataclasses.replace(persona, rapport_start=start)


def level_for(persona: Persona, topic_id: str, rapport: str) -> str:
    """The disclosure level the engine uses for a first question on ``topic_id`` at this rapport."""
    return respond(at_rapport(persona, rapport), SHOW_CID, [topics.START_INTENT, topic_id]).level


def _wrap(text: str, label: str, indent: int = 4) -> List[str]:
    first = " " * indent + (f"{label} " if label else "")
    rest = " " * len(first)
    return textwrap.wrap(text, width=WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False, break_long_words=False) or [first.rstrip()]


def _texts(texts: Sequence[str], label: str, indent: int = 4) -> List[str]:
    if len(texts) == 1:
        return _wrap(texts[0], label, indent)
    out = [" " * indent + label.rstrip()] if label else []
    for t in texts:
        out += _wrap(t, "-", indent + 2 if label else indent)
    return out


def _answer_lines(persona: Persona, topic_id: str, answer: Answer, rapport: Optional[str]) -> List[str]:
    topic = topics.load_topics()[topic_id]
    flags = []
    if answer.cue:
        flags.append("cue")
    if answer.direct_only:
        flags.append("only when asked directly")
    if answer.alarm:
        flags.append("alarm feature")
    head = f"  {topic_id}" + (f"  [{', '.join(flags)}]" if flags else "") + f"  ({topic.desc})"
    lines = [head]
    levels: List[str]
    if rapport:
        levels = [level_for(persona, topic_id, rapport)]
    else:
        levels = ["guarded", "open"] if answer.has_disclosure_levels else ["open"]
    for level in levels:
        texts = answer.open if level == "open" else answer.guarded
        label = f"{level}:" if answer.has_disclosure_levels else ""
        lines += _texts(texts, label)
    if answer.repeat:
        lines += _texts(answer.repeat, "asked again:")
    if answer.follow_up:
        lines += _texts(answer.follow_up, "followed up (one at a time):")
    if answer.patient:
        lines += _texts(answer.patient, f"in {persona.name.split()[0]}'s own voice:")
    if answer.alarm:
        lines += _wrap(answer.alarm, "alarm feature:")
    if persona.recall == "vague" and topic_id in axes.RECALL_TOPICS:
        lines += _texts(defaults.vague_recall_lines(persona), "vague recall: said first, before the answer, one of:")
    if answer.cue and "open" in levels:
        if answer.direct_only:
            lines += _wrap("(not brought back if ignored: direct_only)", "if the cue is ignored:")
        elif answer.escalation:
            lines += _texts(answer.escalation, "if the cue is ignored:")
        else:
            lines += _wrap(f"{defaults.escalation_leads()[0]} <the open answer again>", "if the cue is ignored:")
    if rapport == "low" and answer.has_disclosure_levels:
        lines.append(f"    (opens at rapport {persona.open_at:g})")
    return lines


def render(persona: Persona, rapport: Optional[str] = None) -> str:
    """The whole persona as plain text, section by section in topic order."""
    all_topics = topics.load_topics()
    who = f"{persona.name} ({persona.id}), {persona.age}, {persona.sex}, {persona.occupation}"
    out = [who, f"complaint: {persona.complaint}: {persona.chief_complaint}"]
    details = [f"demeanour: {persona.demeanour}",
               f"rapport: starts at {persona.rapport_start:g}, opens at {persona.open_at:g}",
               f"language: {persona.language}"]
    if persona.recall != "precise":
        details.append(f"recall: {persona.recall}")
    if persona.proficiency != "fluent":
        details.append(f"English: {persona.proficiency}")
    out.append("; ".join(details))
    if persona.proficiency == "limited":
        out.append("a long or jargon-laden question is met once per topic with: "
                   + " / ".join(defaults.ask_to_repeat_lines(persona)))
    if persona.proxy:
        out.append(f"spoken by {persona.proxy.speaker} ({persona.proxy.relation}) on the patient's behalf")
    if rapport:
        out.append(f"shown at {rapport} rapport: " + ("guarded answers" if rapport == "low" else "open answers"))
    else:
        out.append("shown at both levels (use --rapport low|high for one)")

    out += ["", "OPENING"]
    opening = respond(persona, SHOW_CID, []).text  # the engine's own opening, volunteers included
    shown_opening = [o if not persona.volunteers else " ".join([o, *persona.volunteers]) for o in persona.opening]
    assert opening in shown_opening, "show and the engine disagree on the opening"
    out += _texts(shown_opening, "", 2)

    sections = [("process", "PROCESS"), ("physical", "PHYSICAL"), ("psychosocial", "PSYCHOSOCIAL"),
                ("perspective", "PERSPECTIVE (ideas, concerns, expectations)")]
    for category, title in sections:
        out += ["", title]
        for topic_id in topics.ids_in(category):
            if topic_id in persona.reactions:
                out.append(f"  {topic_id}  [reaction]  ({all_topics[topic_id].desc})")
                out += _texts(persona.reactions[topic_id], "")
            elif topic_id in persona.answers:
                out += _answer_lines(persona, topic_id, persona.answers[topic_id], rapport)
            elif category in topics.REACTION_CATEGORIES:
                out.append(f"  {topic_id}  [built-in reaction]  ({all_topics[topic_id].desc})")
                out += _texts(defaults.reaction_lines(topic_id, persona) or defaults.unknown_lines(persona), "")
            else:
                out.append(f"  {topic_id}  [no answer]  ({all_topics[topic_id].desc})")
                out += _texts(defaults.unknown_lines(persona), "")

    out += ["", "REACTIONS (communication)"]
    for topic_id in topics.ids_in("communication"):
        if topic_id in persona.reactions:
            out.append(f"  {topic_id}")
            out += _texts(persona.reactions[topic_id], "")
        elif topic_id in persona.answers:
            out += _answer_lines(persona, topic_id, persona.answers[topic_id], rapport)
        else:
            out.append(f"  {topic_id}  [built-in]")
            out += _texts(defaults.reaction_lines(topic_id, persona) or defaults.unknown_lines(persona), "")

    out += ["", "NOT UNDERSTOOD" + ("" if persona.fallback else "  [built-in]")]
    out += _texts(defaults.fallback_lines(persona), "", 2)
    out += ["", "NO ANSWER IN THE FILE" + ("" if persona.unknown else "  [built-in]")]
    out += _texts(defaults.unknown_lines(persona), "", 2)
    return "\n".join(out) + "\n"


def cmd_persona_show(args: argparse.Namespace) -> int:
    try:
        persona = resolve(args.id)
    except PersonaFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except UnknownPersonaError as exc:
        listing = ", ".join(exc.available) or "(none)"
        print(f"error: no persona '{exc.persona_id}' in {personas_dir()}; available: {listing}", file=sys.stderr)
        return 1
    sys.stdout.write(render(persona, args.rapport))
    return 0


# ---------------------------------------------------------------- the topic list

def topics_markdown() -> str:
    """The topic table for docs/authoring.md, generated from bot/topics.yml so it cannot drift."""
    rows = ["| id | category | what it means | the learner says e.g. | answer form |", "|---|---|---|---|---|"]
    for topic in topics.load_topics().values():
        if topic.category in topics.DISCLOSURE_CATEGORIES:
            form = "`answers`: guarded/open"
        elif topic.category == "physical":
            form = "`answers`"
        elif topic.category == "process":
            form = "`answers` or `reactions`"
        else:
            form = "`reactions`"
        examples = " / ".join(f"\"{e}\"" for e in topic.examples)
        rows.append(f"| `{topic.id}` | {topic.category} | {topic.desc} | {examples} | {form} |")
    return "\n".join(rows) + "\n"


def cmd_persona_topics(args: argparse.Namespace) -> int:
    if args.markdown:
        sys.stdout.write(topics_markdown())
        return 0
    for category in topics.CATEGORIES:
        print(category)
        for topic_id in topics.ids_in(category):
            print(f"  {topic_id:<20} {topics.load_topics()[topic_id].desc}")
    return 0
