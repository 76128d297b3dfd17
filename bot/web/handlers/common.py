"""Pieces the student and assessor handlers share: a conversation's detail, its report as JSON,
and downloads."""
from __future__ import annotations

import re
import time
from typing import Optional

from aiohttp import web

from bot.accounts import User
from bot.accounts.reflections import FIELDS, MAX_ANSWER, MAX_FIELD
from bot.web.security import json_error
from bot.web.service import ConversationService, ReportProblem, iso
from bot.web.turn_times import turn_times


def conversation_detail(service: ConversationService, cid: str, rec: Optional[dict]) -> Optional[dict]:
    """The conversation as its pages show it (blocking: run it on the executor); None if unknown."""
    events = service.events(cid)
    if not events and rec is None:
        return None
    transcript = service.transcript_of(cid, events)
    persona_id = (rec or {}).get("persona_id") or transcript.persona_id
    status = ("ended" if rec.get("ended_at") else "in progress") if rec else "unknown"
    return {"id": cid, "persona": service.persona_info(persona_id), "student": (rec or {}).get("student"),
            "created_at": iso((rec or {}).get("created_at") or (events[0].get("timestamp") if events else None)),
            "ended_at": iso((rec or {}).get("ended_at")),
            "status": status,
            "started": service.started(events),
            "turns": [dict({"turn": t.number, "speaker": t.speaker, "text": t.text, "at": iso(at)},
                           **({"message_id": mid} if mid else {}))
                      for t, (at, mid) in zip(transcript.turns, turn_times(events, transcript.turns))]}


def report_payload(cid: str, rec: Optional[dict], report: dict, history: list, service: ConversationService) -> dict:
    persona_id = (rec or {}).get("persona_id")
    return {"conversation_id": cid, "student": (rec or {}).get("student"),
            "persona": service.persona_info(persona_id) if persona_id else None, "report": report,
            "overrides": [dict(h, created_at=iso(h["created_at"])) for h in history]}


def no_report(problem: Optional[ReportProblem]) -> web.Response:
    """Why there is no report, with the status its kind calls for."""
    if problem is None:
        return json_error(409, "no report")
    return json_error(problem.kind.http_status, problem.message)


def attachment(name: str, body: str, content_type: str) -> web.Response:
    # The name may carry a persona id taken from the chat (any text a student sent): keep it
    # to safe characters so it can neither break the header nor name a path.
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
    return web.Response(text=body, content_type=content_type, charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def stamp(rec: Optional[dict]) -> str:
    ts = (rec or {}).get("created_at") or time.time()
    return time.strftime("%Y%m%d-%H%M", time.gmtime(ts))


def reflection_payload(user: User, rec: Optional[dict], thread: dict) -> dict:
    """A reflection thread as the student's and the assessor's pages read it."""
    owner = bool(rec and rec["user_id"] == user.id)
    why_not = None
    if not owner:
        why_not = "only the student who did the interview can write its reflection"
    elif not (rec or {}).get("ended_at"):
        why_not = "end the interview first, then reflect on it"
    reflection = thread["reflection"]
    if reflection is not None:
        reflection = dict(reflection, created_at=iso(reflection["created_at"]), updated_at=iso(reflection["updated_at"]))
    return {"conversation_id": (rec or {}).get("id"), "reflection": reflection, "state": thread["state"],
            "answers": [dict(a, created_at=iso(a["created_at"])) for a in thread["answers"]],
            "mine": owner, "can_write": why_not is None, "why_not": why_not,
            "can_answer": user.role == "assessor" and reflection is not None,
            "fields": [{"id": k, "label": label, "prompt": prompt} for k, label, prompt in FIELDS],
            "limits": {"field": MAX_FIELD, "answer": MAX_ANSWER}}
