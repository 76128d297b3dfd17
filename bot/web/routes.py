"""Every route of the web app, in one list: pages, static files, the JSON API.

Access: /api/health, /api/config, /api/session, /api/personas and the sign-in calls are
public; every other API call needs a session (401 otherwise) and the right role or ownership
(403 otherwise).
"""
from __future__ import annotations

from aiohttp import web

from bot.web.handlers import assessor, auth, cohorts, educator, public, student
from bot.web.handlers.assessor import ASSESSOR
from bot.web.handlers.educator import EDUCATOR
from bot.web.handlers.student import STUDENT
from bot.web.pages import FRONTEND, not_found, page, redirect, unknown_address


def add_pages(r: web.UrlDispatcher) -> None:
    r.add_get("/", page("index.html"))
    r.add_get("/login", page("login.html"))
    r.add_get("/chat/{cid}", page("chat.html", conversation=True))
    r.add_get("/feedback/{cid}", page("feedback.html", conversation=True))
    r.add_get("/progress", page("progress.html", STUDENT))
    r.add_get("/assessor", redirect("/assessor/"))
    r.add_get("/assessor/", page("assessor/index.html", ASSESSOR))
    r.add_get("/assessor/cohort", page("assessor/cohort.html", ASSESSOR))
    r.add_get("/assessor/conversations/{cid}", page("assessor/conversation.html", ASSESSOR))
    r.add_get("/assessor/{tail:.*}", not_found(ASSESSOR))
    r.add_get("/educator", redirect("/educator/"))
    r.add_get("/educator/", page("educator/index.html", EDUCATOR))
    r.add_get("/educator/{tail:.*}", not_found(EDUCATOR))
    for folder in ("css", "js", "vendor"):
        r.add_static(f"/static/{folder}/", FRONTEND / folder, show_index=False, follow_symlinks=False)


def add_api(r: web.UrlDispatcher) -> None:
    r.add_get("/api/health", public.health)
    r.add_get("/api/config", public.config)
    r.add_get("/api/session", public.session_info)
    r.add_get("/api/personas", public.personas)
    r.add_post("/api/student/login", auth.student_login)
    r.add_post("/api/login", auth.staff_login)
    r.add_post("/api/logout", auth.logout)
    r.add_get("/api/my/conversations", student.my_conversations)
    r.add_post("/api/conversations", student.create_conversation)
    r.add_get("/api/conversations/{cid}", student.conversation)
    r.add_get("/api/conversations/{cid}/socket-token", student.socket_token)
    r.add_post("/api/conversations/{cid}/end", student.end_conversation)
    r.add_get("/api/conversations/{cid}/report", student.conversation_report)
    r.add_get("/api/conversations/{cid}/transcript.json", student.download_transcript)
    r.add_get("/api/conversations/{cid}/report.json", student.download_report)
    r.add_get("/api/conversations/{cid}/report.html", student.download_report_html)
    r.add_get("/api/conversations/{cid}/reflection", student.get_reflection)
    r.add_post("/api/conversations/{cid}/reflection", student.save_reflection)
    r.add_get("/api/my/progress", student.my_progress)
    r.add_get("/api/assessor/conversations", assessor.assessor_list)
    r.add_get("/api/assessor/conversations/export", assessor.assessor_export)
    r.add_get("/api/assessor/cohort", assessor.assessor_cohort)
    r.add_get("/api/assessor/conversations/{cid}", assessor.assessor_conversation)
    r.add_post("/api/assessor/conversations/{cid}/overrides", assessor.assessor_override)
    r.add_post("/api/assessor/conversations/{cid}/reflection/answers", assessor.answer_reflection)
    r.add_post("/api/assessor/teaching-pack", assessor.assessor_teaching_pack)
    r.add_get("/api/educator/personas", educator.educator_personas)
    r.add_get("/api/educator/personas/{persona_id}/preview", educator.educator_preview)
    r.add_get("/api/educator/cohorts", cohorts.list_cohorts)
    r.add_post("/api/educator/cohorts", cohorts.add_cohort)
    r.add_post("/api/educator/cohorts/{cohort_id}/revoke", cohorts.revoke_cohort)
    r.add_route("*", "/api/assessor/{tail:.*}", not_found(ASSESSOR))
    r.add_route("*", "/api/educator/{tail:.*}", not_found(EDUCATOR))


def setup_routes(app: web.Application) -> None:
    add_pages(app.router)
    add_api(app.router)
    # Last, so it matches only what nothing above does; the API keeps its JSON 404s and 405s.
    app.router.add_get(r"/{tail:(?!api/|static/).*}", unknown_address)
