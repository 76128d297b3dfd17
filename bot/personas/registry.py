"""The personas folder as a live catalogue: new or edited files are picked up on the next
look-up (a cheap directory stat), broken files are reported and skipped, never fatal."""
from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from bot.personas.errors import PersonaFileError, PersonaProblem, UnknownPersonaError, display_path
from bot.personas.loader import load_persona_file
from bot.personas.model import Persona
from bot.settings import REPO_ROOT, settings

logger = logging.getLogger(__name__)

PERSONA_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DEFAULT_DIR = REPO_ROOT / "personas"
#: How often the folder is re-scanned at most; well under the 2 s hot-reload promise.
RESCAN_SECONDS = 0.25


def personas_dir() -> Path:
    return settings().personas_dir


def load_folder_file(path: Path, directory: Path) -> Persona:
    """``load_persona_file`` for a file found in the personas folder. A link that leads out of
    the folder is refused unread, so no file outside it is ever loaded or shown (links that
    stay inside, e.g. Kubernetes ConfigMap mounts, are fine)."""
    try:
        inside = path.resolve().is_relative_to(directory.resolve())
    except (OSError, RuntimeError):  # unreadable, or a link loop
        inside = False
    if not inside:
        raise PersonaFileError([PersonaProblem(display_path(path), 1, 1,
                                               "refused: a link to a file outside the personas folder")])
    return load_persona_file(path)


@dataclass
class _Entry:
    signature: Tuple[int, int]
    persona: Optional[Persona]
    problems: List[PersonaProblem]


class PersonaRegistry:
    def __init__(self, directory: Optional[Path] = None) -> None:
        self._fixed_dir = directory
        self._entries: Dict[Path, _Entry] = {}
        self._scanned_at = 0.0
        self._scanned_dir: Optional[Path] = None
        self._lock = threading.Lock()

    @property
    def directory(self) -> Path:
        return self._fixed_dir or personas_dir()

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        directory = self.directory
        if not force and directory == self._scanned_dir and now - self._scanned_at < RESCAN_SECONDS:
            return
        with self._lock:
            seen: Dict[Path, _Entry] = {}
            try:
                files = sorted(p for p in directory.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
            except OSError as exc:
                logger.error("personas folder %s cannot be read: %s", directory, exc)
                files = []
            for path in files:
                try:
                    st = path.stat()
                except OSError:
                    continue
                signature = (st.st_mtime_ns, st.st_size)
                old = self._entries.get(path)
                if old and old.signature == signature:
                    seen[path] = old
                    continue
                try:
                    seen[path] = _Entry(signature, load_folder_file(path, directory), [])
                    logger.info("persona loaded: %s", path.name)
                except PersonaFileError as exc:
                    seen[path] = _Entry(signature, None, exc.problems)
                    for problem in exc.problems:
                        logger.error("persona file refused: %s", problem)
            self._entries = seen
            self._scanned_at = now
            self._scanned_dir = directory

    def personas(self) -> Dict[str, Persona]:
        self.refresh()
        out: Dict[str, Persona] = {}
        for entry in self._entries.values():
            if entry.persona and entry.persona.id not in out:
                out[entry.persona.id] = entry.persona
        return out

    def ids(self) -> List[str]:
        return sorted(self.personas())

    def get(self, persona_id: str) -> Persona:
        if not isinstance(persona_id, str) or not PERSONA_ID_RE.match(persona_id):
            raise UnknownPersonaError(str(persona_id)[:80], self.ids())
        if self._scanned_dir is None:  # first use: the file named after the id, not the whole folder
            persona = self._load_one(self.directory / f"{persona_id}.yml")
            if persona is not None and persona.id == persona_id:
                return persona
        personas = self.personas()
        if persona_id not in personas:
            raise UnknownPersonaError(persona_id, sorted(personas))
        return personas[persona_id]

    def _load_one(self, path: Path) -> Optional[Persona]:
        """One file into the registry, read again only when it changed (a later scan keeps it too)."""
        with self._lock:
            try:
                st = path.stat()
                signature = (st.st_mtime_ns, st.st_size)
                known = self._entries.get(path)
                if known is not None and known.signature == signature:
                    return known.persona
                entry = _Entry(signature, load_folder_file(path, self.directory), [])
            except (OSError, PersonaFileError):
                return None
            self._entries[path] = entry
            return entry.persona

    def problems(self) -> Dict[str, List[PersonaProblem]]:
        """Refused files and why, keyed by file name."""
        self.refresh()
        return {p.name: e.problems for p, e in self._entries.items() if e.problems}


_default: Optional[PersonaRegistry] = None


def default_registry() -> PersonaRegistry:
    global _default
    if _default is None:
        _default = PersonaRegistry()
    return _default
