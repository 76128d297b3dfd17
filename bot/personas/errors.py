"""Persona problems reported as ``file:line:col: message`` (1-based), like a compiler."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union


@dataclass(frozen=True, order=True)
class PersonaProblem:
    path: str
    line: int
    col: int
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}:{self.col}: {prefix}{self.message}"


class PersonaFileError(Exception):
    """Raised when a persona file cannot be used; carries every problem found."""

    def __init__(self, problems: "list[PersonaProblem]") -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UnknownPersonaError(KeyError):
    def __init__(self, persona_id: str, available: "list[str]") -> None:
        self.persona_id = persona_id
        self.available = available
        super().__init__(persona_id)


def display_path(path: Union[str, Path]) -> str:
    """Paths relative to the working directory when possible, for short clickable errors."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
