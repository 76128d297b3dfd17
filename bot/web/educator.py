"""The educator's view of the personas folder: every file with its validation status
(problems as ``file:line:col: message``), and what each persona says per topic at low and
high rapport, computed by the same engine that answers students (bot.patient.respond)."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot import topics
from bot.patient import respond
from bot.personas import PersonaFileError, PersonaRegistry
from bot.personas.registry import load_folder_file
from bot.web.service import persona_card

PREVIEW_ID = "educator-preview"


def persona_files(registry: PersonaRegistry) -> Dict[str, Any]:
    directory = registry.directory
    try:
        files = sorted(p for p in directory.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
    except OSError as exc:
        return {"directory": str(directory), "files": [], "error": f"cannot read the personas folder: {exc}"}
    active = {p.id: p for p in registry.personas().values()}
    out: List[Dict[str, Any]] = []
    seen: Dict[str, str] = {}
    for path in files:
        entry: Dict[str, Any] = {"file": path.name, "status": "valid", "problems": [], "persona": None}
        try:
            persona = load_folder_file(path, directory)
        except PersonaFileError as exc:
            entry["status"] = "error"
            entry["problems"] = [_problem(path, p) for p in exc.problems]
            out.append(entry)
            continue
        except OSError as exc:
            entry["status"] = "error"
            entry["problems"] = [{"text": f"{path.name}:1:1: cannot read: {exc}", "line": 1, "col": 1,
                                  "severity": "error", "message": str(exc)}]
            out.append(entry)
            continue
        entry["persona"] = persona_card(persona)
        if persona.id in seen:
            entry["status"] = "error"
            msg = f"duplicate id '{persona.id}' (also in {seen[persona.id]}); this file is ignored"
            entry["problems"] = [{"text": f"{path.name}:1:1: {msg}", "line": 1, "col": 1, "severity": "error",
                                  "message": msg}]
        else:
            seen[persona.id] = path.name
            entry["active"] = persona.id in active
        out.append(entry)
    valid = sum(1 for e in out if e["status"] == "valid")
    return {"directory": str(directory), "files": out, "valid": valid, "errors": len(out) - valid}


def _problem(path: Path, problem) -> Dict[str, Any]:
    prefix = "" if problem.severity == "error" else "warning: "
    return {"text": f"{path.name}:{problem.line}:{problem.col}: {prefix}{problem.message}",
            "line": problem.line, "col": problem.col, "severity": problem.severity, "message": problem.message}


def _rapport_builders(persona) -> List[str]:
    """Learner acts that lift rapport from the persona's start to where it opens up."""
    needed = max(0, math.ceil(persona.open_at - persona.rapport_start))
    return ["empathize"] * min(needed, 12)


def preview(registry: PersonaRegistry, persona_id: str) -> Optional[Dict[str, Any]]:
    persona = registry.personas().get(persona_id)
    if persona is None:
        return None
    start = topics.START_INTENT
    # Low rapport: the persona's starting rapport, or just after a dismissal when it starts open.
    low_prefix = [start] if persona.rapport_start < persona.open_at else [start, "dismiss"]
    high_prefix = [start, *_rapport_builders(persona)]
    rows = []
    for topic in topics.load_topics().values():
        low = respond(persona, PREVIEW_ID, [*low_prefix, topic.id])
        high = respond(persona, PREVIEW_ID, [*high_prefix, topic.id])
        answer = persona.answers.get(topic.id)
        rows.append({
            "topic": topic.id, "category": topic.category, "desc": topic.desc,
            "low": {"text": low.text, "level": low.level, "cue": low.cue,
                    "variants": list(_variants(answer, low.level, low.text))},
            "high": {"text": high.text, "level": high.level, "cue": high.cue,
                     "variants": list(_variants(answer, high.level, high.text))},
            "has_answer": answer is not None or topic.id in persona.reactions,
            "cue": bool(answer and answer.cue),
        })
    opening = respond(persona, PREVIEW_ID, [])
    return {"persona": persona_card(persona), "opening": opening.text,
            "rapport": {"start": persona.rapport_start, "open_at": persona.open_at},
            "low_rapport": "starting rapport" if low_prefix == [start] else "after a dismissal",
            "topics": rows}


def _variants(answer, level: str, said: str):
    if answer is None or level not in ("open", "guarded"):
        return (said,)
    texts = answer.open if level == "open" else answer.guarded
    return texts or (said,)
