"""Read one persona file: YAML with line numbers, JSON Schema, then meaning checks.

Every problem is reported with its ``file:line:col`` so an educator can jump to it;
a file with any error is refused as a whole, never half-loaded.
"""
from __future__ import annotations

import difflib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, List, Optional, Sequence, Tuple

import jsonschema
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bot import topics
from bot.personas.errors import PersonaFileError, PersonaProblem, display_path
from bot.personas.model import Answer, Persona, Proxy, Variants, Volunteered

SCHEMA_FILE = Path(__file__).with_name("persona.schema.json")
MAX_FILE_BYTES = 1_000_000


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def yaml_parser() -> YAML:
    y = YAML(typ="rt")
    y.allow_duplicate_keys = False
    return y


class Locator:
    """Maps a JSON path inside the parsed document back to a 1-based line and column."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc

    def at(self, path: Sequence[Any], key: bool = False) -> Tuple[int, int]:
        node, line, col = self.doc, 0, 0
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if isinstance(node, CommentedMap) and part in node:
                line, col = node.lc.key(part) if (key and last) else node.lc.value(part)
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                line, col = node.lc.item(part)
                node = node[part]
            else:
                break
        else:
            if not path and hasattr(node, "lc"):
                line, col = node.lc.line, node.lc.col
        return line + 1, col + 1


def where_text(path: Sequence[Any]) -> str:
    """``answers.ask_onset[1]``: the dotted path an author can find in the file."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "file"


def _schema_message(error: jsonschema.ValidationError) -> str:
    where = where_text(error.absolute_path)
    if isinstance(error.instance, str) and not error.instance.strip():
        return f"{where}: must not be empty"
    if error.instance is None:
        if len(error.absolute_path) == 2 and error.absolute_path[0] == "answers":
            return f"{where}: empty answer: write what the patient says (a string, a list of variants, or text/guarded/open)"
        if list(error.absolute_path) == ["answers"]:
            return "answers: is empty; at least one answer is needed"
        return f"{where}: is empty; give a value or remove the line"
    if error.validator == "minItems" and isinstance(error.instance, list) and not error.instance:
        return f"{where}: empty list: give at least one variant"
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"required field '{missing}' is missing"
    if error.validator == "additionalProperties":
        return f"{where}: {error.message}"
    if error.validator == "enum":
        options = ", ".join(str(v) for v in error.validator_value)
        return f"{where}: {error.instance!r} is not one of: {options}"
    if error.validator in ("anyOf", "oneOf"):
        if isinstance(error.instance, dict) and error.absolute_path and error.absolute_path[0] == "volunteers":
            return f"{where}: a volunteered fact is a string, or text with the topic it belongs to"
        if isinstance(error.instance, dict):
            return (f"{where}: not a valid answer: use text, or guarded/open, with optional cue, escalation, "
                    "repeat, direct_only, follow_up, patient, alarm")
        return f"{where}: expected a string or a list of strings, got {type(error.instance).__name__}"
    return f"{where}: {error.message}"


def _branch_fits(errors: List[jsonschema.ValidationError], depth: int) -> bool:
    """A branch fits when the value has the branch's shape (no type error on the value itself)."""
    for e in errors:
        if len(e.absolute_path) != depth:
            continue
        if e.validator == "type":
            return False
        if e.validator in ("anyOf", "oneOf") and e.context and not _fitting_branches(e):
            return False
    return True


def _fitting_branches(error: jsonschema.ValidationError) -> List[List[jsonschema.ValidationError]]:
    depth = len(error.absolute_path)
    branches: dict = {}
    for e in error.context or ():
        branches.setdefault(e.relative_schema_path[0] if e.relative_schema_path else 0, []).append(e)
    return [errs for errs in branches.values() if _branch_fits(errs, depth)]


def _leaves(error: jsonschema.ValidationError) -> List[jsonschema.ValidationError]:
    """For anyOf errors, the branch that matches the value's shape says what is wrong
    (a list with an empty item, a long form with a misspelt field), not "no branch matched"."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        fitting = _fitting_branches(error)
        if len(fitting) == 1:
            return [leaf for e in fitting[0] for leaf in _leaves(e)]
    return [error]


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _variants(value: Any) -> Variants:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),)
    return tuple(str(v).strip() for v in value)


def _answer(value: Any) -> Answer:
    if not isinstance(value, dict):
        v = _variants(value)
        return Answer(guarded=v, open=v)
    if "text" in value:
        guarded = open_ = _variants(value["text"])
    else:
        open_ = _variants(value.get("open") or value.get("guarded"))
        guarded = _variants(value.get("guarded")) or open_
    return Answer(
        guarded=guarded,
        open=open_,
        cue=bool(value.get("cue", False)),
        escalation=_variants(value.get("escalation")),
        repeat=_variants(value.get("repeat")),
        direct_only=bool(value.get("direct_only", False)),
        follow_up=_variants(value.get("follow_up")),
        patient=_variants(value.get("patient")),
        alarm=str(value.get("alarm") or "").strip(),
    )


def _volunteered(value: Any) -> Volunteered:
    if isinstance(value, dict):
        return Volunteered(str(value["text"]).strip(), str(value.get("topic") or ""))
    return Volunteered(str(value).strip())


Found = List[Tuple[Tuple[int, int], str]]


def _meaning_problems(doc: CommentedMap, path: Path, loc: Locator) -> Found:
    """Checks JSON Schema cannot express: file name, topic kinds, answer shapes."""
    found: Found = []
    pid = doc.get("id")
    if isinstance(pid, str) and pid != path.stem:
        found.append((loc.at(["id"]), f"id '{pid}' must equal the file name '{path.stem}'"))
    answers = doc.get("answers")
    if isinstance(answers, dict):
        found += _answers_problems(answers, loc)
    reactions = doc.get("reactions")
    if isinstance(reactions, dict):
        found += _reactions_problems(reactions, loc)
    return found


def _answers_problems(answers: dict, loc: Locator) -> Found:
    """Topic ids that exist, and long forms whose fields fit the topic."""
    found: Found = []
    all_ids = topics.topic_ids()
    if not answers:
        found.append((loc.at(["answers"]), "answers: at least one answer is needed"))
    for key, value in answers.items():
        if key not in all_ids:
            found.append((loc.at(["answers", key], key=True),
                          f"answers: unknown topic id '{key}'{_suggest(key, all_ids)}"))
        elif isinstance(value, dict):
            found += _long_answer_problems(str(key), value, loc)
    return found


def _long_answer_problems(key: str, value: dict, loc: Locator) -> Found:
    """One long-form answer: guarded/open only where disclosure applies, text or guarded/open,
    escalation only on a cue, alarm only on a history topic."""
    found: Found = []
    kind = topics.category_of(key)

    def at(field: str) -> Tuple[int, int]:
        return loc.at(["answers", key, field], key=True)

    if ("guarded" in value or "open" in value) and kind not in topics.DISCLOSURE_CATEGORIES:
        field = "guarded" if "guarded" in value else "open"
        found.append((at(field), f"answers.{key}: '{field}' is only for psychosocial and perspective topics "
                                 f"('{key}' is {kind}); use 'text'"))
    if "text" in value and ("guarded" in value or "open" in value):
        found.append((at("text"), f"answers.{key}: use either 'text' or 'guarded'/'open', not both"))
    if "guarded" in value and "open" not in value:
        found.append((at("guarded"), f"answers.{key}: 'guarded' needs an 'open' answer too"))
    if not any(k in value for k in ("text", "guarded", "open")):
        found.append((loc.at(["answers", key]), f"answers.{key}: empty answer: give 'text' or 'guarded'/'open'"))
    if "escalation" in value and not value.get("cue"):
        found.append((at("escalation"), f"answers.{key}: 'escalation' only applies to a cue; add 'cue: true'"))
    if "alarm" in value and kind in topics.REACTION_CATEGORIES:
        found.append((at("alarm"), f"answers.{key}: 'alarm' marks a history answer that reveals an alarm "
                                   f"feature ('{key}' is {kind})"))
    return found


def _reactions_problems(reactions: dict, loc: Locator) -> Found:
    """Reaction keys are process or communication topics, and reactions are plain text."""
    found: Found = []
    all_ids = topics.topic_ids()
    reaction_ids = set(topics.ids_in(*topics.REACTION_CATEGORIES))
    for key, value in reactions.items():
        if key not in reaction_ids:
            hint = (" ('cue' and long forms belong under 'answers')" if key in all_ids
                    else _suggest(key, all_ids))
            found.append((loc.at(["reactions", key], key=True),
                          f"reactions: '{key}' is not a process or communication topic{hint}"))
        elif isinstance(value, dict):
            found.append((loc.at(["reactions", key]),
                          f"reactions.{key}: a reaction is a string or a list of strings "
                          "('cue', 'guarded' and 'open' belong under 'answers')"))
    return found


def _problems_from_schema(doc: Any, shown: str, loc: Locator) -> List[PersonaProblem]:
    problems: List[PersonaProblem] = []
    for error in _validator().iter_errors(doc):
        if "propertyNames" in error.schema_path:
            continue  # unknown topic ids are reported by the meaning checks, with a suggestion
        if error.validator == "additionalProperties" and list(error.absolute_path) == []:
            extras = [k for k in doc if k not in schema()["properties"]]
            for extra in extras:
                line, col = loc.at([extra], key=True)
                problems.append(PersonaProblem(shown, line, col,
                                               f"unknown field '{extra}'{_suggest(extra, schema()['properties'])}"))
            continue
        path = list(error.absolute_path)
        if len(path) == 2 and path[0] == "reactions" and isinstance(error.instance, dict):
            continue  # explained by the meaning checks
        for leaf in _leaves(error):
            if leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict):
                known = list((leaf.schema.get("properties") or {}))
                for extra in (k for k in leaf.instance if k not in known):
                    line, col = loc.at(list(leaf.absolute_path) + [extra], key=True)
                    problems.append(PersonaProblem(shown, line, col, f"{where_text(leaf.absolute_path)}: unknown field "
                                                   f"'{extra}'{_suggest(extra, known)}; allowed: {', '.join(known)}"))
                continue
            # An empty value has no position of its own in YAML: point at its key.
            line, col = loc.at(list(leaf.absolute_path), key=leaf.instance is None)
            problems.append(PersonaProblem(shown, line, col, _schema_message(leaf)))
    return problems


def parse_persona_text(text: str, path: Path) -> Persona:
    """Parse and check persona YAML; raises PersonaFileError listing every problem."""
    shown = display_path(path)
    try:
        doc = yaml_parser().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "invalid YAML"
        if "duplicate key" in str(exc):
            reason = "duplicate key: " + (str(exc).split('found duplicate key "')[-1].split('"')[0])
        raise PersonaFileError([PersonaProblem(shown, line, col, f"YAML syntax error: {reason}")]) from None
    except YAMLError as exc:
        raise PersonaFileError([PersonaProblem(shown, 1, 1, f"YAML syntax error: {exc}")]) from None
    if not isinstance(doc, CommentedMap):
        raise PersonaFileError([PersonaProblem(shown, 1, 1, "a persona file must be a YAML mapping (id: ..., name: ...)")])

    loc = Locator(doc)
    problems = _problems_from_schema(doc, shown, loc)
    problems += [PersonaProblem(shown, line, col, msg) for (line, col), msg in _meaning_problems(doc, path, loc)]
    if problems:
        raise PersonaFileError(sorted(set(problems)))
    return _build(doc, path)


def _build(doc: CommentedMap, path: Path) -> Persona:
    rapport = doc.get("rapport") or {}
    proxy = doc.get("proxy")
    volunteered = tuple(_volunteered(v) for v in doc.get("volunteers") or ())
    return Persona(
        id=str(doc["id"]),
        name=str(doc["name"]),
        age=int(doc["age"]),
        sex=str(doc["sex"]),
        occupation=str(doc["occupation"]),
        complaint=str(doc["complaint"]),
        chief_complaint=str(doc["chief_complaint"]),
        opening=_variants(doc["opening"]),
        answers={str(k): _answer(v) for k, v in doc["answers"].items()},
        reactions={str(k): _variants(v) for k, v in (doc.get("reactions") or {}).items()},
        summary=str(doc.get("summary") or ""),
        demeanour=str(doc.get("demeanour") or "neutral"),
        language=str(doc.get("language") or "en"),
        pronouns=str(doc.get("pronouns") or ""),
        proxy=Proxy(str(proxy["speaker"]), str(proxy["relation"])) if proxy else None,
        rapport_start=float(rapport.get("start", 0)),
        open_at=float(rapport.get("open_at", 1)),
        volunteers=tuple(v.text for v in volunteered),
        volunteered=volunteered,
        recall=str(doc.get("recall") or "precise"),
        proficiency=str(doc.get("proficiency") or "fluent"),
        fallback=_variants(doc.get("fallback")),
        unknown=_variants(doc.get("unknown")),
        source=path,
    )


def load_persona_file(path: Path) -> Persona:
    """Read and check one file; raises PersonaFileError with file:line:col problems."""
    shown = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PersonaFileError([PersonaProblem(shown, 1, 1, f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")])
        raw = path.read_bytes()
    except OSError as exc:
        raise PersonaFileError([PersonaProblem(shown, 1, 1, f"cannot read file: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PersonaFileError([PersonaProblem(shown, line, 1, "file is not valid UTF-8")]) from None
    return parse_persona_text(text, path)


SCHEMA_LINE_PREFIX = "# yaml-language-server: $schema="


def schema_line(persona_path: Optional[Path] = None) -> str:
    """The editor hint that points YAML language servers at the schema.

    The path is relative to the persona file's folder (editors resolve it that way), so a
    file written outside ``personas/`` still gets completion and checking.
    """
    if persona_path is None:
        return SCHEMA_LINE_PREFIX + "../bot/personas/persona.schema.json"
    folder = Path(persona_path).resolve().parent
    try:
        target = os.path.relpath(SCHEMA_FILE.resolve(), folder)
    except ValueError:  # another drive on Windows: no relative path exists
        target = SCHEMA_FILE.resolve().as_uri()
    return SCHEMA_LINE_PREFIX + Path(target).as_posix()
