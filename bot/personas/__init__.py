"""Persona files: schema, loading with line-numbered errors, and the live registry."""
from bot.personas.errors import PersonaFileError, PersonaProblem, UnknownPersonaError
from bot.personas.loader import load_persona_file, parse_persona_text
from bot.personas.model import AlarmFeature, Answer, Persona, Volunteered
from bot.personas.registry import PersonaRegistry, default_registry, personas_dir

__all__ = [
    "AlarmFeature", "Answer", "Persona", "Volunteered", "PersonaFileError", "PersonaProblem", "PersonaRegistry",
    "UnknownPersonaError", "default_registry", "load_persona_file", "parse_persona_text", "personas_dir",
]
