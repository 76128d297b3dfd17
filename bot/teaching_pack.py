"""Teaching pack: selected interviews, anonymised, with highlights and discussion prompts.

``build_pack([(transcript, report), ...])`` returns ``(html, pack)``: one self-contained
HTML page (inline CSS, no external references, every text escaped) and the same content
as a JSON-ready dict. ``sptrainer export-pack`` writes them as OUTDIR/pack.html and
OUTDIR/pack.json.

Anonymisation (docs/scoring.md, "Teaching pack"):
- nothing from a transcript's extra keys or its source (file name, conversation id) is
  copied; transcripts are called "Transcript A", "Transcript B", ...;
- in the learner's words, self-introductions ("I'm Sam", "my name is Sam Patel", "I am
  Dr. Lee"), every name given with ``student_names``, and names and ids found in the
  transcripts' identity fields (student, student_id, sender, email...) become "[name]"
  (or "[id]"), whole words, case-insensitive; emails, phone numbers and student-id-like
  tokens (7+ digit numbers, s1234567) are masked too;
- the patient's words (a fictional persona) are kept, except that the student's own
  names and ids are masked everywhere in the pack, the patient's words included, should
  the patient have repeated them.
"""
from __future__ import annotations

import datetime as _dt
import html as _html
import json
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from bot.nlu.segments import clip, segments
from bot.scoring.style import legitimising_phrase, shorthand
from bot.transcripts import Transcript

PACK_HTML = "pack.html"
PACK_JSON = "pack.json"
TOP_EMPATHIC = 3
MAX_SHORTHAND = 5
MAX_PROMPTS = 5
MIN_PROMPTS = 3

# --- anonymisation ------------------------------------------------------------------------

NAME_MASK, ID_MASK, EMAIL_MASK, PHONE_MASK = "[name]", "[id]", "[email]", "[phone]"
#: Identity values shorter than this (other than words) are not masked in the text.
MIN_TOKEN = 4

#: Transcript extra keys that may identify the student (values are learned, never copied).
_IDENTITY_KEY = re.compile(r"student|learner|user|sender|e-?mail|author|candidate|name|conversation|session|"
                           r"owner|account|login|(?:^|_)id$", re.IGNORECASE)
_TITLE = r"(?:(?:dr|doctor|mr|mrs|ms|miss|mx|prof|professor)\.?\s+)?"
_CAP_NAME = r"[A-Z][a-z'\u2019\-]+(?:[ \t]+[A-Z][a-z'\u2019\-]+){0,2}"
#: "I'm Sam", "I am Dr. Lee", "hi im Ruby", "call me Jo": a capitalised name after the introduction.
_INTRO_CAP = re.compile(r"(?i:\b(?:i'?m|i\u2019m|i am|im|call me)\s+)" + "(?i:" + _TITLE + ")" + r"(?P<name>" + _CAP_NAME + ")")
#: "my name is sam patel", "My name's Sam": the name whatever its case (at most two words).
_INTRO_NAMED = re.compile(r"(?i:\bmy name(?:'s|\u2019s| is)\s+)" + "(?i:" + _TITLE + ")"
                          + r"(?P<name>[A-Za-z][A-Za-z'\u2019\-]*(?:[ \t]+[A-Za-z][A-Za-z'\u2019\-]*)?)")
#: "i'm sam, a medical student": a lowercase name, a comma, then a role within a few words.
_INTRO_ROLE = re.compile(r"(?i:\b(?:i'?m|i\u2019m|i am|im)\s+)(?P<name>[a-z][a-z'\-]+)(?=\s*,\s*(?i:(?:i'?m\s+)?(?:[\w-]+\s+){0,3})"
                         r"(?i:medical|med|student|doctor|nurse|trainee|physician|clinician|fy1|f1)\b)")
#: Words after "I'm" / "my name is" that are not names.
_NOT_NAMES = frozenset("""sorry just going not so glad afraid here the a an really very happy sure also now fine okay ok
    well still one your part working with from of in on at currently training medical med student doctor dr trying
    about always back calling checking concerned delighted hoping interested joining looking new only pleased
    quite responsible right taking thinking worried writing british english fourth third second first final
    year mr mrs ms miss mx prof professor hi hello and but or i im i'm i'll i've i'd to by for who what how
    because as if that this it is was nice today please thanks thank you yes no""".split())


def _candidate(word: str) -> bool:
    """Could ``word`` (after an introduction) be a name?"""
    w = word.lower().strip(".,")
    if len(w) < 2 or w in _NOT_NAMES:
        return False
    if word[:1].islower() and w.endswith(("ing", "ly", "ed")):  # "i'm asking, because the doctor..."
        return False
    return True


_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_LETTER_ID = re.compile(r"\b[A-Za-z]{1,3}\d{5,}\b")
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d ()\-.]{6,}\d(?!\w)")
_LONG_NUMBER = re.compile(r"\b\d{7,}\b")


def _name_parts(name: str) -> List[str]:
    """A name and its words ("Jordan Okafor" -> itself, "Jordan", "Okafor"), titles left out."""
    name = " ".join(name.replace(".", " ").split()) if re.fullmatch(r"[\w'\u2019\-. ]+", name) else " ".join(name.split())
    words = [w for w in name.split() if len(w) >= 2 and w.lower() not in _NOT_NAMES]
    return ([name] if name and len(name) >= 2 else []) + words


class Anonymiser:
    """Learns the student's names and ids, then masks them (and contact details)."""

    def __init__(self, student_names: Iterable[str] = (), identities: Iterable[str] = ()) -> None:
        self.names: Set[str] = set()
        self.tokens: Set[str] = set()
        for name in student_names:
            self.add_name(name)
        for token in identities:
            self.add_value(token)
        self._compiled: Optional[Tuple[Optional[re.Pattern], Optional[re.Pattern]]] = None

    def add_name(self, name: str) -> None:
        for part in _name_parts(str(name)):
            self.names.add(part)
        self._compiled = None

    def add_value(self, value: Any) -> None:
        """An identity value: an email or an id is a token, a few plain words a name. Values
        shorter than MIN_TOKEN characters are not masked in the text (they would hit any "3")."""
        text = str(value).strip()
        if len(text) < MIN_TOKEN and not text.isalpha():
            return
        if _EMAIL.fullmatch(text):
            self.tokens.add(text)
            for piece in re.split(r"[.+_\-]", text.split("@")[0]):  # jordan.okafor@... -> jordan, okafor
                if len(piece) >= 2 and piece.isalpha():
                    self.add_name(piece)
        elif re.fullmatch(r"[A-Za-z][A-Za-z'\u2019\-]*(?:[ .]+[A-Za-z][A-Za-z'\u2019\-]*){0,3}\.?", text):
            self.add_name(text)
        elif len(text) >= MIN_TOKEN:
            self.tokens.add(text)
            for piece in re.findall(r"[A-Za-z]{1,3}\d{4,}|\d{4,}", text):
                self.tokens.add(piece)
        self._compiled = None

    def learn_identity(self, extra: Dict[str, Any]) -> None:
        """Names and ids from a transcript's extra keys (which are never copied into the pack)."""
        def walk(path: List[str], value: Any) -> None:
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(path + [str(k)], v)
            elif isinstance(value, (list, tuple)):
                for v in value:
                    walk(path, v)
            elif isinstance(value, (str, int)) and not isinstance(value, bool) \
                    and not any("persona" in p.lower() for p in path) \
                    and any(_IDENTITY_KEY.search(p) for p in path):
                self.add_value(value)

        walk([], extra)

    def learn_introductions(self, text: str) -> None:
        for pattern in (_INTRO_CAP, _INTRO_NAMED, _INTRO_ROLE):
            for match in pattern.finditer(text):
                kept = _kept_words(match.group("name"))
                if kept:
                    self.add_name(" ".join(kept))

    def _patterns(self) -> Tuple[Optional[re.Pattern], Optional[re.Pattern]]:
        if self._compiled is None:
            def build(words: Set[str]) -> Optional[re.Pattern]:
                if not words:
                    return None
                alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
                return re.compile(r"(?<![\w@])(?:" + alternatives + r")(?![\w@])", re.IGNORECASE)
            self._compiled = (build(self.tokens), build(self.names))
        return self._compiled

    def mask_known(self, text: str) -> str:
        """Mask the student's known names and ids (used on every string in the pack)."""
        tokens, names = self._patterns()
        if tokens is not None:
            text = tokens.sub(ID_MASK, text)
        if names is not None:
            text = names.sub(NAME_MASK, text)
        return text

    def mask_learner(self, text: str) -> str:
        """Mask the learner's words: contact details, ids, introductions and known names."""
        text = _EMAIL.sub(EMAIL_MASK, text)
        text = self.mask_known(text)
        text = _LETTER_ID.sub(ID_MASK, text)
        text = _LONG_NUMBER.sub(ID_MASK, text)
        text = _PHONE.sub(lambda m: PHONE_MASK if sum(c.isdigit() for c in m.group(0)) >= 8 else m.group(0), text)
        for pattern in (_INTRO_CAP, _INTRO_NAMED, _INTRO_ROLE):
            text = pattern.sub(lambda m: _mask_intro(m), text)
        return text

    def scrub(self, value: Any) -> Any:
        """Apply mask_known to every string of a JSON-like value."""
        if isinstance(value, str):
            return self.mask_known(value)
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub(v) for k, v in value.items()}
        return value


def _kept_words(name: str) -> List[str]:
    """The leading words of an introduced name that can be a name ("Sam" of "Sam Just")."""
    kept: List[str] = []
    for word in name.split():
        if not _candidate(word):
            break
        kept.append(word)
    return kept


def _mask_intro(match: "re.Match[str]") -> str:
    kept = _kept_words(match.group("name"))
    if not kept:
        return match.group(0)
    name = match.group("name")
    words = re.match(r"\S+(?:\s+\S+){%d}" % (len(kept) - 1), name)
    if words is None:
        return match.group(0)
    end = words.end()
    offset = match.start("name") - match.start(0)
    whole = match.group(0)
    return whole[:offset] + NAME_MASK + whole[offset + end:]


# --- highlights and prompts ---------------------------------------------------------------

def transcript_label(index: int) -> str:
    """A, B, ..., Z, AA, AB, ..."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return f"Transcript {label}"


_STRENGTH_WHY = {
    3: "picked up the patient's emotional cue at turn {cue} with a continuer",
    2: "legitimised the patient's experience",
    1: "an empathic statement",
}


def empathic_moments(transcript: Transcript, report: Dict[str, Any], limit: int = TOP_EMPATHIC) -> List[Dict[str, Any]]:
    """The strongest empathic moments: a cue answered with a continuer > legitimising >
    an empathic statement; ties go to the earlier turn."""
    texts = {t.number: t.text for t in transcript.turns}
    best: Dict[int, Dict[str, Any]] = {}

    def offer(turn: int, strength: int, quote: str, why: str) -> None:
        if turn not in texts or not quote or quote not in texts[turn]:
            return
        if turn not in best or strength > best[turn]["strength"]:
            best[turn] = {"turn": turn, "quote": quote, "strength": strength, "why": why}

    empathy = {e["turn"]: e["quote"] for e in report.get("empathy", [])}
    for c in report.get("cues_answered", []):
        offer(c["learner_turn"], 3, c["quote"], _STRENGTH_WHY[3].format(cue=c["turn"]))
    for turn, quote in empathy.items():
        info: Dict[str, Any] = next((t for t in report.get("turns", []) if t["turn"] == turn), {})
        legit_clause = next((s.text for s in segments(texts.get(turn, "")) if legitimising_phrase(s.text)), None)
        if "legitimize" in info.get("topics", []) or legit_clause:
            offer(turn, 2, clip(legit_clause or quote), _STRENGTH_WHY[2])
        offer(turn, 1, quote, _STRENGTH_WHY[1])
    ranked = sorted(best.values(), key=lambda m: (-m["strength"], m["turn"]))
    return sorted(ranked[:limit], key=lambda m: m["turn"])


def dismissive_moments(transcript: Transcript, report: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Dismissals, turns that moved on from an emotional cue, and clinical shorthand."""
    texts = {t.number: t.text for t in transcript.turns}
    out: List[Dict[str, Any]] = []
    seen: Set[Tuple[int, str]] = set()

    def add(turn: int, kind: str, quote: str, why: str) -> None:
        if (turn, kind) in seen or not quote or quote not in texts.get(turn, ""):
            return
        seen.add((turn, kind))
        out.append({"turn": turn, "kind": kind, "quote": quote, "why": why})

    for d in report.get("dismissals", []):
        add(d["turn"], "dismissal", d["quote"], f"dismissive ({d['kind'].replace('_', ' ')})")
    for m in report.get("missed_cues", []):
        nxt = m.get("next_learner_turn")
        if nxt is not None:
            add(nxt, "moved_on", clip(texts[nxt].strip()),
                f"moved on from the patient's cue at turn {m['turn']}")
    n_short = 0
    for t in transcript.turns:
        if t.speaker != "learner" or n_short >= MAX_SHORTHAND:
            continue
        found = shorthand(t.text)
        if found:
            clause, kind = found
            add(t.number, "shorthand", clause,
                "clinical jargon or abbreviation" if kind == "jargon" else "telegraphic question")
            n_short += 1
    return sorted(out, key=lambda m: (m["turn"], m["kind"]))


def _q(quote: str, limit: int = 150) -> str:
    """A quote inside a sentence: at most ``limit`` characters (cut after a sentence or a comma,
    with an ellipsis), without its own closing full stop or comma."""
    if len(quote) > limit:
        cut = quote[:limit]
        end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
        if end > limit // 3:
            quote = cut[:end + 1] + " \u2026"
        else:
            comma = cut.rfind(", ")
            quote = (cut[:comma] if comma > limit // 3 else clip(quote, limit)) + "\u2026"
    return quote.rstrip(" .,;:") or quote


def discussion_prompts(transcript: Transcript, report: Dict[str, Any], empathic: List[Dict[str, Any]],
                       dismissive: List[Dict[str, Any]], mask) -> List[str]:
    """3-5 questions for a teaching session, from what happened in this interview."""
    texts = {t.number: t.text for t in transcript.turns}
    prompts: List[str] = []
    for m in report.get("missed_cues", [])[:1]:
        nxt = m.get("next_learner_turn")
        reply = f", and the student replied \u201c{_q(mask(clip(texts[nxt].strip(), 120)))}\u201d" if nxt else ""
        prompts.append(f"At turn {m['turn']} the patient said \u201c{_q(m['quote'])}\u201d{reply}. "
                       "What else could the student have said?")
    for d in report.get("dismissals", [])[:1]:
        prompts.append(f"At turn {d['turn']} the student said \u201c{_q(mask(d['quote']))}\u201d "
                       f"({d['kind'].replace('_', ' ')}). How might the patient have heard this, and how could "
                       "the same point be made while keeping the symptoms real?")
    if empathic:
        best = max(empathic, key=lambda m: (m["strength"], -m["turn"]))
        prompts.append(f"At turn {best['turn']} the student said \u201c{_q(mask(best['quote']))}\u201d. "
                       "What made this work, and what did the patient do next?")
    short = [m for m in dismissive if m["kind"] == "shorthand"]
    if short:
        prompts.append(f"At turn {short[0]['turn']} the student asked \u201c{_q(mask(short[0]['quote']))}\u201d. "
                       "How could this be put in plain words a patient would use?")
    pe = report.get("patient_experience")
    if pe and pe.get("items"):
        low = min(pe["items"], key=lambda i: i["score"])
        if low["score"] <= 3:
            prompts.append(f"The simulated patient rated \u201c{low['label']}\u201d {low['score']}/5. "
                           "What would have changed that rating?")
    verdict = report.get("verdict", {})
    if verdict.get("psychosocial_before_physical"):
        prompts.append("Psychosocial questions came before the symptoms were characterised. How might a patient "
                       "with functional symptoms hear that order?")
    if not verdict.get("explored_psychosocial"):
        prompts.append("The student asked little about the patient's life. Where in this interview could a bridge "
                       "from the symptoms to it have been made?")
    for generic in ("Which of the patient's ideas, concerns and expectations came out, and which did not?",
                    "What would a good summary of this interview have sounded like?",
                    "What did the student do that you would keep doing in your own interviews?"):
        if len(prompts) >= MIN_PROMPTS:
            break
        prompts.append(generic)
    return prompts[:MAX_PROMPTS]


# --- the pack -----------------------------------------------------------------------------

ANONYMISATION_NOTE = ("Student identities removed: transcripts are labelled A, B, C...; names, emails, phone "
                      "numbers and ids in the students' words are masked. The patients are fictional personas.")
PATIENT_VIEW_NOTE = ("The patient's view is a simulated patient's view on the ten CARE-measure themes, "
                     "derived from the transcript; it is not a validated CARE score.")


def _persona_info(persona_id: Optional[str], registry) -> Dict[str, Any]:
    if not persona_id:
        return {"id": None}
    try:
        p = registry.get(persona_id)
    except Exception:  # unknown or broken persona: the id is enough
        return {"id": persona_id}
    info = {"id": p.id, "name": p.name, "age": p.age, "sex": p.sex, "chief_complaint": p.chief_complaint}
    if p.proxy is not None:
        info["spoken_by"] = f"{p.proxy.speaker} ({p.proxy.relation})"
    return info


def build_pack(entries: Sequence[Tuple[Transcript, Dict[str, Any]]], student_names: Sequence[str] = (),
               identities: Sequence[str] = (), title: str = "SP Trainer teaching pack",
               created: Optional[str] = None, registry=None) -> Tuple[str, Dict[str, Any]]:
    """An anonymised teaching pack from scored transcripts: ``(html, pack)``.

    ``entries`` are (transcript, score report) pairs, in the order they should appear.
    ``student_names`` and ``identities`` (e.g. conversation ids) are masked wherever they
    occur; transcripts' identity fields and self-introductions are learned as well.
    """
    if registry is None:
        from bot.personas import default_registry
        registry = default_registry()
    anon = Anonymiser(student_names, identities)
    for transcript, _ in entries:  # learn every identity before masking anything
        anon.learn_identity(transcript.extra)
        for turn in transcript.learner_turns():
            anon.learn_introductions(turn.text)

    out: List[Dict[str, Any]] = []
    for index, (transcript, report) in enumerate(entries):
        empathic = empathic_moments(transcript, report)
        dismissive = dismissive_moments(transcript, report)
        prompts = discussion_prompts(transcript, report, empathic, dismissive, anon.mask_learner)
        marks: Dict[int, List[str]] = {}
        for m in empathic:
            marks.setdefault(m["turn"], []).append("empathic")
        for m in dismissive:
            marks.setdefault(m["turn"], []).append(m["kind"])
        cue_turns = {t["turn"] for t in report.get("turns", []) if t.get("speaker") == "patient" and t.get("cue")}
        for n in cue_turns:
            marks.setdefault(n, []).append("cue")
        turns = [{"turn": t.number, "speaker": t.speaker,
                  "text": anon.mask_learner(t.text) if t.speaker == "learner" else t.text,
                  "marks": marks.get(t.number, [])} for t in transcript.turns]
        pe = report.get("patient_experience") or {}
        items = []
        for item in pe.get("items", []):
            comment = item["comment"]
            for e in item["evidence"]:
                comment = comment.replace(e["quote"], anon.mask_learner(e["quote"]))
            items.append({"id": item["id"], "label": item.get("label", item["id"]), "score": item["score"],
                          "comment": comment,
                          "evidence": [{"turn": e["turn"], "quote": anon.mask_learner(e["quote"])} for e in item["evidence"]]})
        out.append({
            "label": transcript_label(index),
            "persona": _persona_info(transcript.persona_id, registry),
            "overall": report.get("overall"),
            "verdict": report.get("verdict", {}),
            "domains": [{"id": d["id"], "label": d.get("label", d["id"]), "score": d["score"],
                         "rationale": d.get("rationale", "")} for d in report.get("domains", [])],
            "patient_experience": {"total": pe.get("total"), "items": items} if pe else None,
            "empathic_moments": [{"turn": m["turn"], "quote": anon.mask_learner(m["quote"]), "why": m["why"],
                                  "strength": m["strength"]} for m in empathic],
            "dismissive_moments": [{"turn": m["turn"], "kind": m["kind"], "quote": anon.mask_learner(m["quote"]),
                                    "why": m["why"]} for m in dismissive],
            "prompts": prompts,
            "turns": turns,
        })
    pack = {
        "title": title,
        "created": created or _dt.date.today().isoformat(),
        "anonymised": True,
        "anonymisation": ANONYMISATION_NOTE,
        "patient_view_note": PATIENT_VIEW_NOTE,
        "transcripts": out,
    }
    pack = anon.scrub(pack)  # belt and braces: no known name or id anywhere, whatever its path
    return render_html(pack), pack


# --- HTML ---------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
main{max-width:980px;margin:0 auto;padding:24px}h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2.4rem;border-top:2px solid #d0d7de;padding-top:1rem}
h3{font-size:1.05rem;margin-top:1.2rem}.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 16px;margin:10px 0}
.note{color:#57606a;font-size:.9rem}table{border-collapse:collapse;width:100%}td,th{padding:5px 8px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
.turn{padding:8px 12px;margin:6px 0;border-radius:8px;max-width:82%}.learner{background:#e7f0fe;margin-left:auto}
.patient{background:#fff;border:1px solid #d0d7de}.who{font-size:.8rem;color:#57606a}
.empathic{outline:3px solid #1a7f37}.shorthand{outline:3px dotted #8250df}.moved_on{outline:3px solid #e16f24}
.dismissal{outline:3px solid #d1242f}.cue{outline:3px dashed #bf8700}
.tag{font-size:.72rem;border-radius:8px;padding:1px 6px;margin-left:6px;background:#eef}
.good{color:#1a7f37}.bad{color:#a40e26}q{font-style:italic}ol li,ul li{margin:4px 0}
@media print{.turn{max-width:100%}h2{page-break-before:always}}
"""
_MARK_LABEL = {"empathic": "empathic", "dismissal": "dismissive", "moved_on": "moved on from a cue",
               "shorthand": "shorthand", "cue": "emotional cue"}


def render_html(pack: Dict[str, Any]) -> str:
    e = _html.escape
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'><title>{e(pack['title'])}</title>"
             f"<style>{_CSS}</style></head><body><main>"]
    parts.append(f"<h1>{e(pack['title'])}</h1><p class='note'>{e(pack['anonymisation'])} {e(pack['patient_view_note'])}"
                 f" Created {e(str(pack['created']))}.</p>")
    parts.append("<div class='card'><strong>Key</strong>: "
                 + " ".join(f"<span class='tag {k}'>{e(v)}</span>" for k, v in _MARK_LABEL.items()) + "</div>")
    parts.append("<ol>" + "".join(f"<li><a href='#t{i}'>{e(t['label'])}</a>: {e(_persona_line(t['persona']))}</li>"
                                  for i, t in enumerate(pack["transcripts"])) + "</ol>")
    for i, t in enumerate(pack["transcripts"]):
        parts.append(f"<h2 id='t{i}'>{e(t['label'])}</h2><p>{e(_persona_line(t['persona']))}</p>")
        v = t.get("verdict") or {}
        pe = t.get("patient_experience")
        summary = [f"Overall score {t.get('overall')}/100"]
        if pe:
            summary.append(f"patient's view {pe['total']}/50")
        summary.append("dismissed the symptoms" if v.get("dismissed_physical") else "no dismissal")
        summary.append("explored the psychosocial context" if v.get("explored_psychosocial") else "little psychosocial exploration")
        parts.append(f"<div class='card'>{e('; '.join(summary))}.</div>")
        parts.append("<h3>Discussion prompts</h3><div class='card'><ol>"
                     + "".join(f"<li>{e(p)}</li>" for p in t["prompts"]) + "</ol></div>")
        parts.append("<h3>Strongest empathic moments</h3><div class='card'>")
        parts.append("<ul>" + "".join(f"<li class='good'><a href='#t{i}-{m['turn']}'>turn {m['turn']}</a>: <q>{e(m['quote'])}</q> ({e(m['why'])})</li>"
                                      for m in t["empathic_moments"]) + "</ul>" if t["empathic_moments"] else "<p>None found.</p>")
        parts.append("</div><h3>Dismissive or shorthand moments</h3><div class='card'>")
        parts.append("<ul>" + "".join(f"<li class='bad'><a href='#t{i}-{m['turn']}'>turn {m['turn']}</a>: <q>{e(m['quote'])}</q> ({e(m['why'])})</li>"
                                      for m in t["dismissive_moments"]) + "</ul>" if t["dismissive_moments"] else "<p>None found.</p>")
        parts.append("</div>")
        if pe:
            parts.append("<h3>The patient's view (simulated, CARE themes)</h3><div class='card'><table>"
                         "<tr><th>Theme</th><th>Rating</th><th>The patient says</th></tr>")
            for item in pe["items"]:
                parts.append(f"<tr><td>{e(item['label'])}</td><td>{item['score']}/5</td><td>{e(item['comment'])}</td></tr>")
            parts.append("</table></div>")
        if t.get("domains"):
            parts.append("<h3>Rubric</h3><div class='card'><table><tr><th>Domain</th><th>Score</th><th>Why</th></tr>")
            for d in t["domains"]:
                parts.append(f"<tr><td>{e(d['label'])}</td><td>{d['score']}/5</td><td>{e(d['rationale'])}</td></tr>")
            parts.append("</table></div>")
        parts.append("<h3>Transcript</h3><div class='card'>")
        for turn in t["turns"]:
            classes = " ".join([turn["speaker"]] + turn["marks"])
            tags = "".join(f"<span class='tag'>{e(_MARK_LABEL.get(m, m))}</span>" for m in turn["marks"])
            who = "student" if turn["speaker"] == "learner" else "patient"
            parts.append(f"<div class='turn {e(classes)}' id='t{i}-{turn['turn']}'><div class='who'>{turn['turn']}. {who}{tags}</div>"
                         f"{e(turn['text'])}</div>")
        parts.append("</div>")
    parts.append("<p class='note'>Generated by SP Trainer for teaching. Automatic highlights are prompts for "
                 "discussion, not judgements; an assessor's review takes precedence.</p></main></body></html>")
    return "".join(parts)


def _persona_line(info: Dict[str, Any]) -> str:
    if not info or not info.get("id"):
        return "unknown persona"
    if "name" not in info:
        return f"persona {info['id']}"
    line = f"{info['name']}, {info['age']}, {info['sex']}: {info['chief_complaint']}"
    if info.get("spoken_by"):
        line += f" (spoken by {info['spoken_by']})"
    return line


def write_pack(outdir: Path, page: str, pack: Dict[str, Any]) -> Tuple[Path, Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    html_path, json_path = outdir / PACK_HTML, outdir / PACK_JSON
    html_path.write_text(page, encoding="utf-8")
    json_path.write_text(json.dumps(pack, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return html_path, json_path
