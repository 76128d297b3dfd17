"""A student's (or any signed-in user's own) interviews: create, chat token, end, feedback,
downloads, reflections and progress."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Optional, Tuple, Union

import aiohttp
from aiohttp import web

from bot.accounts.reflections import ReflectionError
from bot.settings import settings
from bot.tokens import issue_close_token, issue_socket_token
from bot.web.access import cid_of, conversation_access, own_conversation, read_json
from bot.web.handlers.common import (
    attachment,
    conversation_detail,
    no_report,
    reflection_payload,
    report_payload,
    stamp,
)
from bot.web.keys import RECORDS, REFLECTIONS, REGISTRY, SERVICE, run
from bot.web.plain_feedback import plain_feedback
from bot.web.progress import progress as student_progress
from bot.web.security import json_error, require_user
from bot.web.service import ConversationService, iso
from bot.web.student_report import render_student_report

logger = logging.getLogger(__name__)

STUDENT = ("student",)


def conversation_summary(rec: dict, service: ConversationService) -> dict:
    persona = service.persona_info(rec["persona_id"])
    return {"id": rec["id"], "persona": persona, "created_at": iso(rec["created_at"]),
            "ended_at": iso(rec.get("ended_at")), "status": "ended" if rec.get("ended_at") else "in progress",
            "overall": rec.get("overall"), "chat_url": f"/chat/{rec['id']}", "feedback_url": f"/feedback/{rec['id']}"}


async def my_conversations(request: web.Request) -> web.Response:
    user = await require_user(request)
    app = request.app
    recs = await run(app, app[RECORDS].conversations_of, user)
    states = await run(app, app[REFLECTIONS].states, [r["id"] for r in recs])
    return web.json_response({"conversations": [dict(conversation_summary(r, app[SERVICE]),
                                                     reflection=states.get(r["id"], "none")) for r in recs]})


async def create_conversation(request: web.Request) -> web.Response:
    user = await require_user(request)
    data = await read_json(request)
    persona_id = data.get("persona_id")
    found = await run(request.app, request.app[REGISTRY].personas)
    if not isinstance(persona_id, str) or persona_id not in found:
        return json_error(400, "unknown persona", available=sorted(found))
    rec = await run(request.app, request.app[RECORDS].create_conversation, user, persona_id)
    return web.json_response({"id": rec["id"], "chat_url": f"/chat/{rec['id']}"}, status=201)


async def conversation(request: web.Request) -> web.Response:
    cid = cid_of(request)
    user, rec = await conversation_access(request, cid)
    detail = await run(request.app, conversation_detail, request.app[SERVICE], cid, rec)
    if detail is None:
        return json_error(404, "no such conversation")
    detail["mine"] = bool(rec and rec["user_id"] == user.id)
    return web.json_response(detail)


async def socket_token(request: web.Request) -> web.Response:
    """A short-lived token that lets this browser join only this conversation on Rasa's
    Socket.IO channel when the channel requires one ($SPTRAINER_SOCKET_JWT_KEY); else null."""
    cid = cid_of(request)
    _, rec = await own_conversation(request, cid)
    if rec.get("ended_at"):
        return json_error(409, "this interview has ended; start a new one")
    return web.json_response({"token": issue_socket_token(cid)})


async def close_on_channels(cid: str) -> Optional[str]:
    """Tell Rasa's channels the interview has ended, so no token opens it again.

    None when done (or when the channels run without tokens: then nothing is closed to
    anyone), else the reason it failed."""
    token = issue_close_token(cid)
    if token is None:
        return None
    url = settings().rasa_url + "/webhooks/rest/close"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
            async with http.post(url, headers={"Authorization": f"Bearer {token}"}) as r:
                if r.status == 200:
                    return None
                return f"the chat server answered {r.status}"
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        return f"the chat server could not be reached ({type(exc).__name__})"


async def end_conversation(request: web.Request) -> web.Response:
    cid = cid_of(request)
    await own_conversation(request, cid)
    problem = await close_on_channels(cid)
    if problem:
        logger.error("could not close conversation %s on the channels: %s", cid, problem)
        return json_error(503, f"the interview could not be closed: {problem}; try again")
    ended = await run(request.app, request.app[RECORDS].end_conversation, cid)
    return web.json_response({"id": cid, "ended_at": iso(ended), "feedback_url": f"/feedback/{cid}"})


async def _scored(request: web.Request) -> Union[web.Response, Tuple[str, Optional[dict], dict]]:
    """The conversation's id, record and report answer, or the response saying why there is
    no report: what the report page and both report downloads start from."""
    cid = cid_of(request)
    _, rec = await conversation_access(request, cid)
    service = request.app[SERVICE]
    report, problem, history = await run(request.app, service.report_for, cid)
    if report is None:
        return no_report(problem)
    return cid, rec, report_payload(cid, rec, report, history, service)


async def conversation_report(request: web.Request) -> web.Response:
    scored = await _scored(request)
    if isinstance(scored, web.Response):
        return scored
    _, _, payload = scored
    # "feedback": the report in plain words for the student's page (docs/web.md).
    return web.json_response(dict(payload, feedback=plain_feedback(payload["report"])))


async def download_transcript(request: web.Request) -> web.Response:
    cid = cid_of(request)
    _, rec = await conversation_access(request, cid)
    service = request.app[SERVICE]
    events = await run(request.app, service.events, cid)
    transcript = service.transcript_of(cid, events)
    body = dict(transcript.to_json(), conversation_id=cid)
    name = f"transcript-{transcript.persona_id or 'unknown'}-{stamp(rec)}.json"
    return attachment(name, json.dumps(body, indent=2, ensure_ascii=False) + "\n", "application/json")


async def download_report(request: web.Request) -> web.Response:
    scored = await _scored(request)
    if isinstance(scored, web.Response):
        return scored
    _, rec, body = scored
    name = f"report-{(rec or {}).get('persona_id') or 'unknown'}-{stamp(rec)}.json"
    return attachment(name, json.dumps(body, indent=2, ensure_ascii=False) + "\n", "application/json")


def _report_html(service: ConversationService, cid: str, payload: dict) -> str:
    """The printable report (blocking: it reads the tracker)."""
    transcript = service.transcript_of(cid, service.events(cid))
    turns = [{"turn": t.number, "speaker": t.speaker, "text": t.text} for t in transcript.turns]
    return render_student_report(payload, turns)


async def download_report_html(request: web.Request) -> web.Response:
    """The report as one self-contained HTML file that prints well to PDF (docs/web.md)."""
    scored = await _scored(request)
    if isinstance(scored, web.Response):
        return scored
    cid, rec, payload = scored
    body = await run(request.app, _report_html, request.app[SERVICE], cid, payload)
    name = f"report-{(rec or {}).get('persona_id') or 'unknown'}-{stamp(rec)}.html"
    return attachment(name, body, "text/html")


async def get_reflection(request: web.Request) -> web.Response:
    """The reflection on a conversation and its answers: for the owner and for assessors."""
    cid = cid_of(request)
    user, rec = await conversation_access(request, cid)
    thread = await run(request.app, request.app[REFLECTIONS].thread, cid)
    return web.json_response(dict(reflection_payload(user, rec, thread), conversation_id=cid))


async def save_reflection(request: web.Request) -> web.Response:
    """Write or edit the reflection: the conversation's owner only, once the interview has ended."""
    cid = cid_of(request)
    user, rec = await own_conversation(request, cid)
    data = await read_json(request)
    if not rec.get("ended_at"):
        return json_error(409, "end the interview first, then reflect on it")
    reflections = request.app[REFLECTIONS]
    try:
        await run(request.app, reflections.save, cid, user, data)
    except ReflectionError as exc:
        return json_error(exc.status, str(exc), field=exc.field)
    thread = await run(request.app, reflections.thread, cid)
    return web.json_response(dict(reflection_payload(user, rec, thread), conversation_id=cid))


async def my_progress(request: web.Request) -> web.Response:
    user = await require_user(request, STUDENT)
    return web.json_response(await run(request.app, student_progress, request.app[SERVICE], user))
