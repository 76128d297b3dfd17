"""Security (docs/security.md): every route of the web app refuses the wrong role and requests without
the CSRF token.

The routes are enumerated from the app's own router (``bot.web.app.create_app``), so a route
added later is walked too; a route this file cannot classify fails the test until it is
given a role below. Every request goes to the real web app process of the ``web_stack``
fixture (tests/conftest.py), with realistic path parameters: a conversation owned by another
student, a persona that exists.

Roles are kept apart (docs/web.md): students see only their own conversations and no staff
area; assessors see every conversation but not the educator area; educators see the persona
files but no assessor area and nobody else's conversation.
"""
from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import requests

from bot.accounts import AppDB
from bot.personas import PersonaRegistry
from tests.e2e.support import ASSESSOR, EDUCATOR, WebClient, ensure_staff, rasa_say

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
EVERY_METHOD = ("GET", "HEAD", *UNSAFE)
PERSONA = "priya-shah"

#: Routes anyone may call (sign-in itself, the landing and sign-in pages, static files).
PUBLIC = {"/", "/login", "/api/health", "/api/config", "/api/session", "/api/personas", "/api/student/login",
          "/api/login", "/api/logout"}
#: Any other page address: the 404 page, for everyone (bot/web/pages.py, unknown_address).
UNKNOWN_ADDRESS = "/{tail}"
#: Paths that only redirect to the same path with a trailing slash (the target is guarded).
SLASH_REDIRECTS = {"/assessor", "/educator"}
#: A signed-in user's own data, whatever the role (staff may practise interviews too).
SIGNED_IN = {"/api/my/conversations", "/api/conversations"}
#: Students' own pages and data; staff get 403.
STUDENT_ONLY = {"/progress", "/api/my/progress"}
#: Conversation routes an assessor may use on anyone's conversation (read-only). Every other
#: conversation route is the owner's alone: assessors get 403 there too.
ASSESSOR_MAY_READ = {("GET", "/api/conversations/{cid}"), ("GET", "/api/conversations/{cid}/report"),
                     ("GET", "/api/conversations/{cid}/transcript.json"),
                     ("GET", "/api/conversations/{cid}/report.json"),
                     ("GET", "/api/conversations/{cid}/report.html"),
                     ("GET", "/api/conversations/{cid}/reflection")}


def classify(path: str) -> Optional[str]:
    """public | redirect | unknown-address | signed-in (own data of any signed-in user) | student (students only) |
    conversation (its owner; assessors read some) | assessor | educator; None when unknown."""
    if path in PUBLIC or path.startswith("/static/"):
        return "public"
    if path in SLASH_REDIRECTS:
        return "redirect"
    if path == UNKNOWN_ADDRESS:
        return "unknown-address"
    if path.startswith(("/assessor/", "/api/assessor/")):
        return "assessor"
    if path.startswith(("/educator/", "/api/educator/")):
        return "educator"
    if "{cid}" in path and path.startswith(("/chat/", "/feedback/", "/api/conversations/")):
        return "conversation"
    if path in SIGNED_IN:
        return "signed-in"
    if path in STUDENT_ONLY:
        return "student"
    return None


def app_routes(tmp_path: Path, personas: Path) -> List[Tuple[str, str, object]]:
    """(method, canonical path, resource) for every route of a freshly built app."""
    from bot.web.app import create_app
    from bot.web.keys import EXECUTOR

    app = create_app(db=AppDB(tmp_path / "routes.db"), registry=PersonaRegistry(personas), key=os.urandom(32),
                     warm_up=False)
    try:
        out = []
        for route in app.router.routes():
            canonical = route.resource.canonical if route.resource is not None else None
            assert canonical, f"a route without a path: {route!r}"
            methods = EVERY_METHOD if route.method == "*" else (route.method,)
            out.extend((m, canonical, route.resource) for m in methods)
        return out
    finally:
        app[EXECUTOR].shutdown(wait=False)


def fill(canonical: str, resource: object, values: Dict[str, str]) -> str:
    """A concrete path: path parameters filled from ``values``; static folders get a real file."""
    info = resource.get_info()
    if "directory" in info:  # a static folder
        first = sorted(p.name for p in Path(info["directory"]).iterdir() if p.is_file())[0]
        return f"{canonical.rstrip('/')}/{first}"
    names = re.findall(r"\{([^}:]+)(?::[^}]*)?\}", canonical)
    missing = [n for n in names if n not in values]
    assert not missing, f"{canonical}: give {missing} a realistic value in FILL in {__file__}"
    path = canonical
    for name in names:
        path = re.sub(r"\{" + name + r"(?::[^}]*)?\}", values[name], path)
    return path


class Caller:
    """One identity: a cookie jar (or none) and its CSRF token."""

    def __init__(self, web, name: str, client: Optional[WebClient] = None) -> None:
        self.name = name
        self.client = client or WebClient(web)
        self.cookies: List[str] = []

    def call(self, method: str, path: str, csrf: object = True, origin: Optional[str] = None) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        if csrf is True and self.client.csrf:
            headers["X-CSRF-Token"] = self.client.csrf
        elif isinstance(csrf, str):
            headers["X-CSRF-Token"] = csrf
        if origin:
            headers["Origin"] = origin
        body = "{}" if method in UNSAFE else None
        r = self.client.http.request(method, self.client.url(path), data=body, headers=headers, timeout=120,
                                     allow_redirects=False)
        self.cookies.extend(r.raw.headers.getlist("Set-Cookie"))
        return r


def _where(caller: Caller, method: str, path: str, r: requests.Response) -> str:
    return f"{caller.name}: {method} {path} -> {r.status_code} {r.text[:160]!r}"


class RouteWalk:
    """Calls every route as every kind of caller and collects what was not refused as it should be."""

    def __init__(self, callers: Dict[str, Caller], values: Dict[str, str], others: Tuple[str, ...], own: str) -> None:
        self.c = callers
        self.values = values
        self.others = others  # conversation ids that are not the student's
        self.own = own  # the student's own conversation
        self.problems: List[str] = []

    def expect(self, ok: bool, caller: Caller, method: str, path: str, r: requests.Response, why: str) -> None:
        if not ok:
            self.problems.append(f"{why}: {_where(caller, method, path, r)}")
        elif r.status_code >= 500:
            self.problems.append(f"server error: {_where(caller, method, path, r)}")

    def refused_unsigned(self, caller: Caller, method: str, path: str) -> None:
        r = caller.call(method, path)
        if path.startswith("/api/"):
            # No cookie at all: the CSRF check may refuse first (403); with a session, 401.
            allowed = (401,) if method not in UNSAFE or caller is self.c["anon"] else (401, 403)
            self.expect(r.status_code in allowed, caller, method, path, r, "signed-out API call not refused with 401")
            if r.status_code == 401 and method != "HEAD":
                self.expect("error" in r.json(), caller, method, path, r, "401 without a JSON error")
        else:
            location = r.headers.get("Location", "")
            self.expect(r.status_code == 302 and re.match(r"^/(login)?\?next=/", location) is not None, caller,
                        method, path, r, "signed-out page not sent to sign-in")

    def allowed(self, caller: Caller, method: str, path: str) -> None:
        r = caller.call(method, path)
        self.expect(r.status_code not in (401, 403), caller, method, path, r, "the right role was refused")

    def forbidden(self, caller: Caller, method: str, path: str) -> None:
        r = caller.call(method, path)
        self.expect(r.status_code == 403, caller, method, path, r, "the wrong role was not refused with 403")

    def public(self, method: str, path: str) -> None:
        if method in UNSAFE:
            # Sign-in and sign-out change the session: here only the CSRF refusal is
            # checked (their behaviour is covered in tests/test_web_api.py).
            for caller in (self.c["nobody"], self.c["anon"], self.c["student"]):
                r = caller.call(method, path, csrf=False)
                self.expect(r.status_code == 403, caller, method, path, r, "an unsafe call without CSRF token passed")
            return
        for name in ("nobody", "student", "assessor", "educator"):
            r = self.c[name].call(method, path)
            self.expect(r.status_code in (200, 304), self.c[name], method, path, r, "a public route is not public")

    def unknown_address(self, method: str, path: str) -> None:
        for name in ("nobody", "student", "assessor", "educator"):
            r = self.c[name].call(method, path)
            self.expect(r.status_code == 404 and "text/html" in r.headers.get("Content-Type", ""), self.c[name],
                        method, path, r, "an unknown address did not get the 404 page")

    def redirect(self, method: str, path: str) -> None:
        for name in ("nobody", "student", "assessor", "educator"):
            r = self.c[name].call(method, path)
            self.expect(r.status_code == 302 and r.headers.get("Location") == path + "/", self.c[name], method, path,
                        r, "a slash redirect does more than redirect")

    def by_role(self, method: str, path: str, may: Tuple[str, ...], may_not: Tuple[str, ...]) -> None:
        for name in may:
            self.allowed(self.c[name], method, path)
        for name in may_not:
            self.forbidden(self.c[name], method, path)

    def conversation(self, method: str, canonical: str, resource: object) -> None:
        path = fill(canonical, resource, self.values)
        self.by_role(method, path, (), ("student", "educator"))
        # Nor does another student get any sign of ids that are not theirs.
        for other in self.others:
            self.forbidden(self.c["student"], method, fill(canonical, resource, dict(self.values, cid=other)))
        if (method if method != "HEAD" else "GET", canonical) in ASSESSOR_MAY_READ:
            self.allowed(self.c["assessor"], method, path)
        else:
            self.forbidden(self.c["assessor"], method, path)
        self.allowed(self.c["owner"], method, path)
        self.allowed(self.c["student"], method, fill(canonical, resource, dict(self.values, cid=self.own)))

    def csrf(self, kind: str, method: str, path: str) -> None:
        right = self.c[{"signed-in": "student", "student": "student", "conversation": "owner", "assessor": "assessor",
                        "educator": "educator"}[kind]]
        for csrf, origin, why in ((False, None, "no CSRF token"), ("x" * 43, None, "a wrong CSRF token"),
                                  (True, "http://evil.example", "a cross-site Origin")):
            r = right.call(method, path, csrf=csrf, origin=origin)
            self.expect(r.status_code == 403 and "error" in r.json(), right, method, path, r,
                        f"an unsafe call with {why} was not refused")

    #: Who may call a guarded route of each kind, and who must get 403.
    ROLES = {"signed-in": (("student", "assessor", "educator"), ()),
             "student": (("student",), ("assessor", "educator")),
             "assessor": (("assessor",), ("student", "educator")),
             "educator": (("educator",), ("student", "assessor"))}

    def route(self, method: str, canonical: str, resource: object) -> None:
        kind = classify(canonical)
        path = fill(canonical, resource, self.values)
        if kind == "public":
            self.public(method, path)
            return
        if kind == "redirect":
            self.redirect(method, path)
            return
        if kind == "unknown-address":
            self.unknown_address(method, path)
            return
        for name in ("nobody", "anon"):
            self.refused_unsigned(self.c[name], method, path)
        if kind == "conversation":
            self.conversation(method, canonical, resource)
        else:
            self.by_role(method, path, *self.ROLES[str(kind)])
        if method in UNSAFE:
            self.csrf(str(kind), method, path)


def test_every_route_refuses_the_wrong_role_and_requests_without_the_csrf_token(web_stack, web_personas_dir,
                                                                             tmp_path):
    web = web_stack
    ensure_staff(web)
    tag = uuid.uuid4().hex[:8]
    routes = app_routes(tmp_path, web_personas_dir)
    unknown = sorted({c for _, c, _ in routes if classify(c) is None})
    assert not unknown, (f"routes with no role in {__file__}: {unknown}; add them to classify() so the "
                         "walk knows who may call them")

    # The people: a victim with a real conversation, another student, staff, and strangers.
    victim = WebClient(web).student(f"victim-{tag}")
    theirs = victim.new_conversation(PERSONA)
    rasa_say(web, theirs, '/start_interview{"persona_id": "%s"}' % PERSONA)
    rasa_say(web, theirs, "How are things at home?")
    mallory_client = WebClient(web).student(f"mallory-{tag}")
    own = mallory_client.new_conversation(PERSONA)
    rest_only = f"rest-only-{tag}"  # in the tracker store, recorded by no one in the app
    rasa_say(web, rest_only, '/start_interview{"persona_id": "%s"}' % PERSONA)
    anon = Caller(web, "anonymous session")
    anon.client.refresh()  # a session with a CSRF token, nobody signed in
    mallory = Caller(web, "student", mallory_client)
    callers = {"nobody": Caller(web, "no session"), "anon": anon, "student": mallory,
               "owner": Caller(web, "owner", victim), "assessor": Caller(web, "assessor", WebClient(web).staff(*ASSESSOR)),
               "educator": Caller(web, "educator", WebClient(web).staff(*EDUCATOR))}
    walk = RouteWalk(callers, {"cid": theirs, "persona_id": PERSONA, "cohort_id": "999999", "tail": "no-such-page"},
                     (rest_only, "c-does-not-exist"), own)
    for method, canonical, resource in routes:
        walk.route(method, canonical, resource)

    assert len(routes) >= 40, f"only {len(routes)} routes found: is the router enumeration broken?"
    # The victim's conversation is still theirs alone, and nobody else lists it.
    assert theirs not in json.dumps(mallory.call("GET", "/api/my/conversations").json())
    # Every cookie the app set along the way is HttpOnly and SameSite=Lax.
    for cookie in [c for caller in callers.values() for c in caller.cookies]:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie, cookie
    problems = walk.problems
    assert not problems, f"{len(problems)} access-control problems:\n" + "\n".join(problems)


def test_intent_shorthands_typed_into_the_chat_never_reach_the_scored_transcript(web_stack):
    """A student with a hand-made Socket.IO or REST client can type Rasa's intent shorthand
    (``/empathize``) into their own conversation (the page refuses it; the channel cannot, the
    page itself sends ``/start_interview``). It moves the simulated patient, but it is no learner
    turn: the transcript the scorer reads leaves it out, and a persona id slipped into a later
    message does not swap the patient."""
    student = WebClient(web_stack).student(f"tamper-{uuid.uuid4().hex[:8]}")
    cid = student.new_conversation(PERSONA)
    rasa_say(web_stack, cid, '/start_interview{"persona_id": "%s"}' % PERSONA)
    for shorthand in ("/empathize", "/empathize", '/ask_stress{"persona_id": "daniel-osei"}', "/legitimize"):
        rasa_say(web_stack, cid, shorthand)
    rasa_say(web_stack, cid, "How are things at home?")
    body = student.get(f"/api/conversations/{cid}/transcript.json").json()
    assert [t["text"] for t in body["turns"] if t["speaker"] == "learner"] == ["How are things at home?"]
    assert body["persona_id"] == PERSONA
