"""``sptrainer persona validate`` and ``sptrainer persona lint``: checks across persona files.

Validation refuses what the bot cannot use (schema and meaning errors, duplicate ids);
lint reports what the bot can use but an educator probably did not intend: thin coverage,
too few or too many cues, answers that sound copied, placeholders left in. Everything is
reported as ``file:line:col: [warning: ]message`` so editors can jump to it.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot import topics
from bot.personas.errors import PersonaFileError, PersonaProblem, display_path
from bot.personas.loader import SCHEMA_LINE_PREFIX, Locator, load_persona_file, where_text, yaml_parser
from bot.personas.model import Answer, Persona
from bot.personas.registry import personas_dir

#: Topics a learner asks about in a history (the coverage denominator).
HISTORY_CATEGORIES = ("process", "physical", "psychosocial", "perspective")
LONG_ANSWER_CHARS = 400
CUES_MIN, CUES_MAX = 2, 4
#: Reactions every persona should have: the two acts the scorer cares most about.
KEY_REACTIONS = ("dismiss", "empathize")
#: Word-sequence similarity above which an answer "largely echoes" a topic's example question.
ECHO_RATIO = 0.7
#: Similarity above which a volunteered fact counts as the same as a direct_only answer.
SAME_FACT_RATIO = 0.6
PLACEHOLDER_RE = re.compile(r"\bTODO\b")
#: Topics students follow up most ("how many?", "and at night?"): lint lists those without
#: follow_up details (a note, not a warning: the patient then says that is all there is).
MOST_ASKED = ("ask_onset", "ask_timing", "ask_severity", "ask_medications", "ask_substances", "ask_work",
              "ask_relationships", "ask_sleep")
#: The longest sentence (in words) a patient with limited English says.
LIMITED_SENTENCE_WORDS = 12
ANSWER_TEXT_FIELDS = ("text", "guarded", "open", "repeat", "escalation", "follow_up", "patient")


# ---------------------------------------------------------------- files and validation

def persona_files(paths: Sequence[str]) -> List[Path]:
    """Files named, plus the ``.yml``/``.yaml`` files of folders named; each file once."""
    if not paths:
        paths = [str(personas_dir())]
    files: List[Path] = []
    seen = set()
    for raw in paths:
        p = Path(raw)
        found = sorted(q for q in p.iterdir() if q.suffix in (".yml", ".yaml") and q.is_file()) if p.is_dir() else [p]
        for q in found:
            key = q.resolve()
            if key not in seen:
                seen.add(key)
                files.append(q)
    return files


@dataclass
class Checked:
    """One file after validation: the persona if usable, and every error found."""

    path: Path
    persona: Optional[Persona]
    errors: List[PersonaProblem] = field(default_factory=list)


def _id_position(path: Path) -> Tuple[int, int]:
    """Where the ``id:`` value is, so duplicate-id errors point at both definitions."""
    try:
        doc = yaml_parser().load(path.read_text(encoding="utf-8"))
        return Locator(doc).at(["id"])
    except Exception:  # the file loaded a moment ago; if it changed since, 1:1 will do
        return 1, 1


def check_files(files: Sequence[Path]) -> List[Checked]:
    """Validate each file, then the set: an id may be defined only once (the bot would
    silently serve one of them)."""
    checked: List[Checked] = []
    for path in files:
        if not path.exists():
            checked.append(Checked(path, None, [PersonaProblem(display_path(path), 1, 1, "file not found")]))
            continue
        try:
            checked.append(Checked(path, load_persona_file(path)))
        except PersonaFileError as exc:
            checked.append(Checked(path, None, list(exc.problems)))
    by_id: Dict[str, List[Checked]] = {}
    for c in checked:
        if c.persona:
            by_id.setdefault(c.persona.id, []).append(c)
    for pid, group in by_id.items():
        if len(group) < 2:
            continue
        where = {id(c): (display_path(c.path), *_id_position(c.path)) for c in group}
        for c in group:
            others = ", ".join(f"{w[0]}:{w[1]}:{w[2]}" for o in group if o is not c for w in [where[id(o)]])
            shown, line, col = where[id(c)]
            c.errors.append(PersonaProblem(shown, line, col, f"duplicate id '{pid}': also defined at {others}"))
    return checked


def cmd_persona_validate(args: argparse.Namespace) -> int:
    """Errors to stderr and a non-zero exit, so CI and ``make validate`` stop on a bad file."""
    files = persona_files(args.paths)
    if not files:
        print("error: no persona files found", file=sys.stderr)
        return 2
    checked = check_files(files)
    bad = 0
    for c in checked:
        for problem in sorted(c.errors):
            print(problem, file=sys.stderr)
        bad += bool(c.errors)
    good = len(checked) - bad
    print(f"{good} persona file(s) valid, {bad} with errors", file=sys.stderr if bad else sys.stdout)
    return 1 if bad else 0


# ---------------------------------------------------------------- lint

@dataclass
class Coverage:
    """What a persona file covers; printed by lint so an educator sees the gaps at a glance."""

    answered: Dict[str, List[str]]  # category -> answered topic ids (history categories)
    missing: Dict[str, List[str]]  # category -> unanswered topic ids
    cues: List[str]
    pairs: Dict[str, List[str]]  # disclosure category -> topics with guarded/open
    reactions: Dict[str, List[str]]  # reaction category -> topics with a reaction (or an answer)
    direct_only: List[str]
    volunteers: int
    follow_ups: List[str] = field(default_factory=list)  # topics with follow-up details

    @property
    def answered_count(self) -> int:
        return sum(len(v) for v in self.answered.values())

    @property
    def history_total(self) -> int:
        return len(topics.ids_in(*HISTORY_CATEGORIES))


@dataclass
class LintReport:
    path: Path
    persona: Optional[Persona]
    errors: List[PersonaProblem] = field(default_factory=list)
    warnings: List[PersonaProblem] = field(default_factory=list)
    coverage: Optional[Coverage] = None


def _words(text: str) -> List[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


def echoed_example(answer: str, examples: Sequence[str]) -> Optional[str]:
    """The example question an answer largely repeats, if any.

    Either the whole answer is mostly the question's words in order, or it starts by
    restating a question of four words or more ("What does it feel like? Like a ...").
    """
    a = _words(answer)
    for example in examples:
        e = _words(example)
        if not a or not e:
            continue
        if SequenceMatcher(None, a, e, autojunk=False).ratio() >= ECHO_RATIO:
            return example
        if len(e) >= 4 and any(a[i:i + len(e)] == e for i in range(len(a) - len(e) + 1)):
            return example
    return None


def same_fact(a: str, b: str) -> bool:
    """Loose equality for facts: the same words in about the same order, or one inside the other."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    ja, jb = " ".join(wa), " ".join(wb)
    if ja in jb or jb in ja:
        return True
    return SequenceMatcher(None, wa, wb, autojunk=False).ratio() >= SAME_FACT_RATIO


def _strings(value: Any, path: List[Any]) -> Iterator[Tuple[List[Any], str]]:
    """Each string of a text value (one string or a list of variants) with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, (list, CommentedSeq)):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield path + [i], item


def _spoken(doc: CommentedMap) -> Iterator[Tuple[List[Any], str]]:
    """Everything the patient may say, with its path in the file."""
    for key in ("opening", "fallback", "unknown"):
        yield from _strings(doc.get(key), [key])
    for i, entry in enumerate(doc.get("volunteers") or ()):
        if isinstance(entry, dict):
            yield from _strings(entry.get("text"), ["volunteers", i, "text"])
        else:
            yield from _strings(entry, ["volunteers", i])
    for topic_id, value in (doc.get("answers") or {}).items():
        if isinstance(value, dict):
            for f in ANSWER_TEXT_FIELDS:
                yield from _strings(value.get(f), ["answers", topic_id, f])
        else:
            yield from _strings(value, ["answers", topic_id])
    for topic_id, value in (doc.get("reactions") or {}).items():
        yield from _strings(value, ["reactions", topic_id])


def _all_strings(node: Any, path: List[Any]) -> Iterator[Tuple[List[Any], str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _all_strings(v, path + [k])
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _all_strings(v, path + [i])


def _variant_lists(doc: CommentedMap) -> Iterator[Tuple[List[Any], List[Any]]]:
    """Every list of variants with its path (for the identical-variants check)."""
    for key in ("opening", "fallback", "unknown", "volunteers"):
        if isinstance(doc.get(key), list):
            yield [key], doc[key]
    for topic_id, value in (doc.get("answers") or {}).items():
        if isinstance(value, list):
            yield ["answers", topic_id], value
        elif isinstance(value, dict):
            for f in ANSWER_TEXT_FIELDS:
                if isinstance(value.get(f), list):
                    yield ["answers", topic_id, f], value[f]
    for topic_id, value in (doc.get("reactions") or {}).items():
        if isinstance(value, list):
            yield ["reactions", topic_id], value


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _has_default(topic_id: str, persona: Persona) -> bool:
    from bot.patient import defaults

    return bool(defaults.default_answer_lines(topic_id, persona) or defaults.reaction_lines(topic_id, persona))


def coverage_of(persona: Persona) -> Coverage:
    # A process act (greet, invite_questions...) is covered by an answer or a reaction alike.
    def covered(t: str) -> bool:
        return t in persona.answers or (topics.category_of(t) in topics.REACTION_CATEGORIES and t in persona.reactions)

    answered = {c: [t for t in topics.ids_in(c) if covered(t)] for c in HISTORY_CATEGORIES}
    missing = {c: [t for t in topics.ids_in(c) if not covered(t)] for c in HISTORY_CATEGORIES}
    pairs = {c: [t for t in topics.ids_in(c) if t in persona.answers and persona.answers[t].has_disclosure_levels]
             for c in topics.DISCLOSURE_CATEGORIES}
    reactions = {c: [t for t in topics.ids_in(c) if t in persona.reactions or t in persona.answers]
                 for c in topics.REACTION_CATEGORIES}
    return Coverage(
        answered=answered, missing=missing,
        cues=[t for t, a in persona.answers.items() if a.cue],
        pairs=pairs, reactions=reactions,
        direct_only=[t for t, a in persona.answers.items() if a.direct_only],
        volunteers=len(persona.volunteers),
        follow_ups=[t for t, a in persona.answers.items() if a.follow_up],
    )


class _Warnings:
    """Collects lint warnings for one file, each placed at its line and column."""

    def __init__(self, doc: CommentedMap, path: Path) -> None:
        self.shown = display_path(path)
        self.loc = Locator(doc)
        self.out: List[PersonaProblem] = []

    def __call__(self, where: Sequence[Any], message: str, key: bool = False) -> None:
        line, col = self.loc.at(list(where), key=key) if where else (1, 1)
        self.out.append(PersonaProblem(self.shown, line, col, message, severity="warning"))


def _lint_doc(doc: CommentedMap, persona: Persona, text: str, path: Path) -> List[PersonaProblem]:
    """Every lint check on one valid file; each check is a function of its own below."""
    warn = _Warnings(doc, path)
    cov = coverage_of(persona)
    _lint_schema_line(warn, text, path)
    _lint_placeholders(warn, doc)
    _lint_spoken(warn, doc)
    _lint_variants(warn, doc)
    _lint_answers(warn, doc, persona)
    _lint_coverage(warn, persona, cov)
    _lint_cues(warn, cov)
    _lint_key_reactions(warn, doc, persona)
    _lint_direct_only(warn, doc, persona, cov)
    _lint_alarms(warn, doc, persona)
    _lint_proficiency(warn, doc, persona)
    _lint_language(warn, doc, persona)
    return warn.out


def _lint_schema_line(warn: _Warnings, text: str, path: Path) -> None:
    """Editor support: the schema line makes editors complete and check the file."""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if not first.startswith(SCHEMA_LINE_PREFIX):
        warn([], "no '# yaml-language-server: $schema=...' first line: editors will not complete or check this "
                 f"file (add: {_schema_hint(path)})")
        return
    target = first[len(SCHEMA_LINE_PREFIX):].strip()
    if "://" not in target and not (path.parent / target).resolve().is_file():
        warn([], f"the schema line points to '{target}', which does not exist from this folder "
                 f"(use: {_schema_hint(path)})")


def _lint_placeholders(warn: _Warnings, doc: CommentedMap) -> None:
    """Placeholders left from `sptrainer persona new`."""
    for where, value in _all_strings(doc, []):
        if PLACEHOLDER_RE.search(value):
            warn(where, f"{where_text(where)}: placeholder still to be written (TODO)")


def _lint_spoken(warn: _Warnings, doc: CommentedMap) -> None:
    """Length, and echoes of the example questions."""
    all_topics = topics.load_topics()
    for where, value in _spoken(doc):
        if len(value) > LONG_ANSWER_CHARS:
            warn(where, f"{where_text(where)}: {len(value)} characters; over {LONG_ANSWER_CHARS} is a lot to read in "
                        "a chat: shorten it or keep some for a follow-up topic")
        if where[0] == "answers" and where[1] in all_topics:
            echo = echoed_example(value, all_topics[where[1]].examples)
            if echo:
                warn(where, f"{where_text(where)}: the answer largely repeats the question (\"{echo}\" in "
                            "bot/topics.yml); write what the patient would say back")


def _lint_variants(warn: _Warnings, doc: CommentedMap) -> None:
    """Identical variants: the variation a list promises does not happen."""
    for where, items in _variant_lists(doc):
        seen: Dict[str, int] = {}
        for i, item in enumerate(items):
            if not isinstance(item, str):
                continue
            if _norm(item) in seen:
                warn(where + [i], f"{where_text(where)}: variant {i + 1} is identical to variant {seen[_norm(item)] + 1}")
            else:
                seen[_norm(item)] = i


def _lint_answers(warn: _Warnings, doc: CommentedMap, persona: Persona) -> None:
    """Per answer: disclosure on psychosocial topics, answers shadowed by reactions."""
    answers: CommentedMap = doc.get("answers") or CommentedMap()
    reactions: CommentedMap = doc.get("reactions") or CommentedMap()
    for topic_id, value in answers.items():
        answer = persona.answers.get(str(topic_id))
        if answer is None:
            continue
        category = topics.category_of(str(topic_id))
        if isinstance(value, dict):
            _lint_long_answer(warn, str(topic_id), value, answer)
        if category == "psychosocial" and not answer.has_disclosure_levels:
            warn(["answers", topic_id], f"answers.{topic_id}: psychosocial topic without guarded/open: the patient "
                 "discloses everything at once, whatever the rapport", key=True)
        if category in topics.REACTION_CATEGORIES and topic_id in reactions:
            warn(["answers", topic_id], f"answers.{topic_id} is never used: reactions.{topic_id} takes precedence",
                 key=True)


def _lint_long_answer(warn: _Warnings, topic_id: str, value: dict, answer: Answer) -> None:
    """guarded vs open, and repeat/escalation lines that copy the answer."""
    if "guarded" in value and "open" in value:
        opens = {_norm(t) for t in answer.open}
        if any(_norm(t) in opens for t in answer.guarded):
            warn(["answers", topic_id, "guarded"], f"answers.{topic_id}: guarded is identical to open; the patient "
                 "should hold something back until rapport is earned", key=True)
    base = {_norm(t) for t in answer.open + answer.guarded}
    if any(_norm(t) in base for t in answer.repeat):
        warn(["answers", topic_id, "repeat"], f"answers.{topic_id}: repeat is identical to the answer; "
             "asked again, the patient would sound like a recording", key=True)
    if any(_norm(t) in base for t in answer.escalation):
        warn(["answers", topic_id, "escalation"], f"answers.{topic_id}: escalation is identical to the "
             "answer; an ignored cue should come back more strongly", key=True)
    if answer.direct_only and "escalation" in value:
        warn(["answers", topic_id, "escalation"], f"answers.{topic_id}: escalation is never said: a "
             "direct_only answer is not brought back unprompted", key=True)


def _lint_coverage(warn: _Warnings, persona: Persona, cov: Coverage) -> None:
    """Coverage of the history topics (the contract requires only `answers` to be non-empty)."""
    for category in HISTORY_CATEGORIES:
        if not cov.missing[category]:
            continue
        defaulted = [t for t in cov.missing[category] if _has_default(t, persona)]
        unknown = [t for t in cov.missing[category] if t not in defaulted]
        said = "; ".join(part for part in (
            f"{', '.join(defaulted)} get a built-in generic answer" if defaulted else "",
            f"{', '.join(unknown)} get 'not sure what you mean'" if unknown else "") if part)
        warn(["answers"], f"no answer for {len(cov.missing[category])} {category} topic(s): "
             f"{', '.join(cov.missing[category])} ({said})", key=True)


def _lint_cues(warn: _Warnings, cov: Coverage) -> None:
    """Cues: the scorer's empathic opportunities."""
    if not cov.cues:
        warn(["answers"], "no answer has 'cue: true': mark the 2-4 answers that are emotional cues", key=True)
    elif len(cov.cues) < CUES_MIN:
        warn(["answers", cov.cues[0]], f"only {len(cov.cues)} cue ({cov.cues[0]}); "
             f"{CUES_MIN}-{CUES_MAX} give the learner enough empathic opportunities", key=True)
    elif len(cov.cues) > CUES_MAX:
        warn(["answers", cov.cues[CUES_MAX]], f"{len(cov.cues)} cues ({', '.join(cov.cues)}); more than "
             f"{CUES_MAX} turns every answer into an emotional moment", key=True)


def _lint_key_reactions(warn: _Warnings, doc: CommentedMap, persona: Persona) -> None:
    """Reactions to the acts the scorer weighs most."""
    for topic_id in KEY_REACTIONS:
        if topic_id not in persona.reactions and topic_id not in persona.answers:
            where = ["reactions"] if "reactions" in doc else []
            warn(where, f"no reaction for '{topic_id}': the patient falls back to a generic line "
                        f"({topics.load_topics()[topic_id].desc})", key=bool(where))


def _offered(doc: CommentedMap) -> List[Tuple[List[Any], str]]:
    """What the patient says unprompted: the opening and the volunteered facts, with paths."""
    offered = list(_strings(doc.get("opening"), ["opening"]))
    for i, entry in enumerate(doc.get("volunteers") or ()):
        text = entry.get("text") if isinstance(entry, dict) else entry
        if isinstance(text, str):
            offered.append((["volunteers", i], text))
    return offered


def _lint_direct_only(warn: _Warnings, doc: CommentedMap, persona: Persona, cov: Coverage) -> None:
    """direct_only facts must never be volunteered (in the opening or volunteers)."""
    offered = _offered(doc)
    for topic_id in cov.direct_only:
        answer = persona.answers[topic_id]
        facts = answer.open + answer.guarded
        for where, value in offered:
            if any(same_fact(value, f) for f in facts):
                warn(where, f"{where_text(where)}: volunteers the fact in answers.{topic_id}, which is marked "
                            "direct_only (given only when asked directly)")


def _lint_alarms(warn: _Warnings, doc: CommentedMap, persona: Persona) -> None:
    """An alarm feature is for the learner to draw out: never in the opening or volunteers."""
    offered = _offered(doc)
    tagged = persona.volunteered_topics()
    for feature in persona.alarm_features():
        if feature.topic in tagged:
            warn(["volunteers"], f"volunteers: a fact on {feature.topic} is volunteered, but that topic carries "
                 f"the alarm feature '{feature.description}'", key=True)
        for where, value in offered:
            if any(same_fact(value, t) for t in feature.texts):
                warn(where, f"{where_text(where)}: volunteers the alarm feature in answers.{feature.topic} "
                            f"('{feature.description}'); the learner should have to draw it out")


def _lint_proficiency(warn: _Warnings, doc: CommentedMap, persona: Persona) -> None:
    """A patient with limited English speaks in short sentences."""
    if persona.proficiency != "limited":
        return
    for where, value in _spoken(doc):
        longest = max((len(_words(s)) for s in re.split(r"[.!?]+", value)), default=0)
        if longest > LIMITED_SENTENCE_WORDS:
            warn(where, f"{where_text(where)}: a sentence of {longest} words; a patient with limited English "
                        f"speaks in short sentences (at most {LIMITED_SENTENCE_WORDS} words)")


def _lint_language(warn: _Warnings, doc: CommentedMap, persona: Persona) -> None:
    """Generic lines are English: a persona in another language should supply its own."""
    if persona.language.split("-")[0] != "en":
        missing = [f for f in ("fallback", "unknown") if f not in doc]
        if missing:
            warn(["language"], f"language is '{persona.language}' but {' and '.join(missing)} "
                 f"{'is' if len(missing) == 1 else 'are'} not set: the built-in replies are in English")


def _schema_hint(path: Path) -> str:
    from bot.personas.loader import schema_line

    return schema_line(path)


def lint_file(path: Path) -> LintReport:
    """Validate, then lint a usable file. Errors stop the lint (the bot would refuse the file)."""
    try:
        persona = load_persona_file(path)
    except PersonaFileError as exc:
        return LintReport(path, None, errors=list(exc.problems))
    text = path.read_text(encoding="utf-8")
    doc = yaml_parser().load(text)
    return LintReport(path, persona, warnings=sorted(set(_lint_doc(doc, persona, text, path))),
                      coverage=coverage_of(persona))


def format_coverage(report: LintReport) -> str:
    cov, persona = report.coverage, report.persona
    assert cov is not None and persona is not None
    per = ", ".join(f"{c} {len(cov.answered[c])}/{len(topics.ids_in(c))}" for c in HISTORY_CATEGORIES)
    pairs = ", ".join(f"{c} {len(cov.pairs[c])}/{len(topics.ids_in(c))}" for c in topics.DISCLOSURE_CATEGORIES)
    comm = cov.reactions["communication"]
    comm_missing = [t for t in topics.ids_in("communication") if t not in comm]
    lines = [
        f"{display_path(report.path)}: {persona.id} ({persona.complaint}, {persona.demeanour})",
        f"  topics answered: {cov.answered_count}/{cov.history_total} ({per})",
        f"  cues: {len(cov.cues)}" + (f" ({', '.join(cov.cues)})" if cov.cues else ""),
        f"  guarded/open pairs: {sum(len(v) for v in cov.pairs.values())} ({pairs})",
        f"  reactions: communication {len(comm)}/{len(topics.ids_in('communication'))}"
        + (f" (missing: {', '.join(comm_missing)})" if comm_missing else ""),
    ]
    most_asked = [t for t in MOST_ASKED if t in persona.answers and t not in cov.follow_ups]
    lines.append(f"  follow-up details: {len(cov.follow_ups)} topic(s)"
                 + (f"; most-asked topics without: {', '.join(most_asked)}" if most_asked else ""))
    extras = []
    if cov.direct_only:
        extras.append(f"direct_only: {', '.join(cov.direct_only)}")
    if cov.volunteers:
        extras.append(f"volunteers: {cov.volunteers}")
    alarms = persona.alarm_features()
    if alarms:
        extras.append("alarm features: " + ", ".join(f"{a.topic} ({a.level})" for a in alarms))
    axes = [f"recall {persona.recall}"] * (persona.recall != "precise") + \
        [f"English {persona.proficiency}"] * (persona.proficiency != "fluent")
    if axes:
        extras.append("axes: " + ", ".join(axes))
    if extras:
        lines.append("  " + "; ".join(extras))
    return "\n".join(lines)


def cmd_persona_lint(args: argparse.Namespace) -> int:
    """Coverage and warnings to stdout, errors to stderr; non-zero on errors (or warnings with --strict)."""
    files = persona_files(args.paths)
    if not files:
        print("error: no persona files found", file=sys.stderr)
        return 2
    dup_errors = {c.path: c.errors for c in check_files(files)}
    n_err = n_warn = 0
    for path in files:
        report = lint_file(path) if path.exists() else LintReport(path, None)
        errors = sorted(set(report.errors) | set(dup_errors.get(path, [])))
        if report.coverage is not None:
            print(format_coverage(report))
        for problem in errors:
            print(problem, file=sys.stderr)
        for problem in report.warnings:
            print(problem)
        sys.stdout.flush()
        n_err += bool(errors)
        n_warn += len(report.warnings)
    print(f"lint: {len(files)} file(s), {n_err} with errors, {n_warn} warning(s)")
    if n_err:
        return 1
    return 1 if (getattr(args, "strict", False) and n_warn) else 0
