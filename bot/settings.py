"""Every setting SP Trainer reads from the environment, in one typed, frozen place.

No other module reads ``SPTRAINER_*`` variables: they call :func:`settings`, which builds a
:class:`Settings` from the environment once and caches it. The table of variables, their
defaults and what they do is docs/settings.md; a test checks the two agree. Processes that
start other processes (bot/process/stack.py) pass variables on in the child's environment, where the
child's own ``settings()`` reads them.

Tests that change a variable call :func:`reload_settings` after changing it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional, Tuple

#: The repository (or source tree) root: bot/ sits directly under it.
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RASA_PORT = 5005
DEFAULT_WEB_PORT = 8080


class SettingError(ValueError):
    """A variable holds a value SP Trainer cannot use; the message names it."""


def _text(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(name, default).strip()


def _optional(env: Mapping[str, str], name: str) -> Optional[str]:
    value = env.get(name)
    return value if value else None


def _flag(env: Mapping[str, str], name: str) -> bool:
    return _text(env, name).lower() in ("1", "true", "yes", "on")


def _number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = _text(env, name)
    if not raw:
        return default
    try:
        return max(minimum, float(raw))
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a number (default {default:g})") from None


def _whole(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    return int(_number(env, name, default, minimum))


@dataclass(frozen=True)
class Rate:
    """A token bucket's refill rate per second and burst, written "rate/burst" ("off": none)."""

    per_second: float
    burst: int


def _rate(env: Mapping[str, str], name: str, default: str) -> Optional[Rate]:
    raw = _text(env, name, default) if name in env else default
    if raw.lower() in ("off", "0", "none", ""):
        return None
    rate, _, burst = raw.partition("/")
    try:
        return Rate(float(rate), int(burst or 10))
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not 'rate/burst' (e.g. {default!r}) or 'off'") from None


def _pair(env: Mapping[str, str], name: str, default: Tuple[int, int]) -> Tuple[int, int]:
    raw = _text(env, name)
    if not raw:
        return default
    first, _, second = raw.partition("/")
    try:
        return max(1, int(first)), max(1, int(second or first))
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not '<per name>/<per address>' (e.g. '30/200')") from None


def _choice(env: Mapping[str, str], name: str, choices: Tuple[str, ...]) -> str:
    """One of ``choices`` (the first is the default), case-insensitive."""
    raw = _text(env, name).lower() or choices[0]
    if raw not in choices:
        raise SettingError(f"{name}={raw!r} is not one of {', '.join(choices)} (default {choices[0]})")
    return raw


def _origins(env: Mapping[str, str]) -> Optional[Tuple[str, ...]]:
    raw = env.get("SPTRAINER_ALLOWED_ORIGINS")
    if raw is None:
        return None
    return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


#: How students sign in: "code" (a name and their cohort's access code) or "open" (a name alone,
#: for open practice). docs/security.md says why "code" is the default.
STUDENT_ACCESS = ("code", "open")


@dataclass(frozen=True)
class Settings:
    """What the environment said when the process (or a test) asked; docs/settings.md."""

    var_dir: Path
    app_db: Path
    personas_dir: Path
    tracker_url: str
    rasa_url: str
    rasa_public_url: Optional[str]
    rasa_port: int
    web_port: int
    interface: str
    allowed_origins: Optional[Tuple[str, ...]]
    secret_key: Optional[str] = field(repr=False)
    socket_jwt_key: Optional[str] = field(repr=False)
    socket_tokens_for_all: bool
    rasa_token: Optional[str] = field(repr=False)
    pg_password: Optional[str] = field(repr=False)
    account_password: Optional[str] = field(repr=False)
    secure_cookies: bool
    rate_limit: Optional[Rate]
    address_rate_limit: Optional[Rate]
    student_login_limit: Tuple[int, int]
    student_access: str
    login_max_per_address: int
    hash_workers: int
    hash_queue: int
    score_workers: int
    http_timeout: float
    health_check_seconds: float
    max_message_chars: int
    max_body_bytes: int
    max_metadata_bytes: int

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> "Settings":
        var_dir = Path(_optional(env, "SPTRAINER_VAR_DIR") or REPO_ROOT / "var")
        rasa_url = (_optional(env, "SPTRAINER_RASA_URL") or f"http://127.0.0.1:{DEFAULT_RASA_PORT}").rstrip("/")
        return cls(
            var_dir=var_dir,
            app_db=Path(_optional(env, "SPTRAINER_APP_DB") or var_dir / "app.db"),
            personas_dir=Path(_optional(env, "SPTRAINER_PERSONAS_DIR") or REPO_ROOT / "personas"),
            tracker_url=_optional(env, "SPTRAINER_TRACKER_URL") or f"sqlite:///{var_dir / 'tracker.db'}",
            rasa_url=rasa_url,
            rasa_public_url=(_optional(env, "SPTRAINER_RASA_PUBLIC_URL") or "").rstrip("/") or None,
            rasa_port=_whole(env, "SPTRAINER_RASA_PORT", DEFAULT_RASA_PORT),
            web_port=_whole(env, "SPTRAINER_WEB_PORT", DEFAULT_WEB_PORT),
            interface=_text(env, "SPTRAINER_INTERFACE") or "127.0.0.1",
            allowed_origins=_origins(env),
            secret_key=_optional(env, "SPTRAINER_SECRET_KEY"),
            socket_jwt_key=_optional(env, "SPTRAINER_SOCKET_JWT_KEY"),
            socket_tokens_for_all=_text(env, "SPTRAINER_SOCKET_TOKENS").lower() == "all",
            rasa_token=_optional(env, "SPTRAINER_RASA_TOKEN"),
            pg_password=_optional(env, "SPTRAINER_PG_PASSWORD"),
            account_password=_optional(env, "SPTRAINER_PASSWORD"),
            secure_cookies=_flag(env, "SPTRAINER_SECURE_COOKIES"),
            rate_limit=_rate(env, "SPTRAINER_RATE_LIMIT", "2/10"),
            address_rate_limit=_rate(env, "SPTRAINER_ADDRESS_RATE_LIMIT", "20/200"),
            student_login_limit=_pair(env, "SPTRAINER_STUDENT_LOGIN_LIMIT", (30, 200)),
            student_access=_choice(env, "SPTRAINER_STUDENT_ACCESS", STUDENT_ACCESS),
            login_max_per_address=_whole(env, "SPTRAINER_LOGIN_MAX_PER_ADDRESS", 40),
            hash_workers=_whole(env, "SPTRAINER_HASH_WORKERS", 1),
            hash_queue=_whole(env, "SPTRAINER_HASH_QUEUE", 8),
            score_workers=_whole(env, "SPTRAINER_SCORE_WORKERS", os.cpu_count() or 1),
            http_timeout=_number(env, "SPTRAINER_HTTP_TIMEOUT", 15.0, 0.5),
            health_check_seconds=_number(env, "SPTRAINER_HEALTH_CHECK_SECONDS", 10.0, 0.0),
            max_message_chars=_whole(env, "SPTRAINER_MAX_MESSAGE_CHARS", 2000),
            max_body_bytes=_whole(env, "SPTRAINER_MAX_BODY_BYTES", 32 * 1024),
            max_metadata_bytes=_whole(env, "SPTRAINER_MAX_METADATA_BYTES", 4096),
        )


#: Each variable and the field it sets, for docs/settings.md and its test.
VARIABLES = {
    "SPTRAINER_VAR_DIR": "var_dir",
    "SPTRAINER_APP_DB": "app_db",
    "SPTRAINER_PERSONAS_DIR": "personas_dir",
    "SPTRAINER_TRACKER_URL": "tracker_url",
    "SPTRAINER_RASA_URL": "rasa_url",
    "SPTRAINER_RASA_PUBLIC_URL": "rasa_public_url",
    "SPTRAINER_RASA_PORT": "rasa_port",
    "SPTRAINER_WEB_PORT": "web_port",
    "SPTRAINER_INTERFACE": "interface",
    "SPTRAINER_ALLOWED_ORIGINS": "allowed_origins",
    "SPTRAINER_SECRET_KEY": "secret_key",
    "SPTRAINER_SOCKET_JWT_KEY": "socket_jwt_key",
    "SPTRAINER_SOCKET_TOKENS": "socket_tokens_for_all",
    "SPTRAINER_RASA_TOKEN": "rasa_token",
    "SPTRAINER_PG_PASSWORD": "pg_password",
    "SPTRAINER_PASSWORD": "account_password",
    "SPTRAINER_SECURE_COOKIES": "secure_cookies",
    "SPTRAINER_RATE_LIMIT": "rate_limit",
    "SPTRAINER_ADDRESS_RATE_LIMIT": "address_rate_limit",
    "SPTRAINER_STUDENT_LOGIN_LIMIT": "student_login_limit",
    "SPTRAINER_STUDENT_ACCESS": "student_access",
    "SPTRAINER_LOGIN_MAX_PER_ADDRESS": "login_max_per_address",
    "SPTRAINER_HASH_WORKERS": "hash_workers",
    "SPTRAINER_SCORE_WORKERS": "score_workers",
    "SPTRAINER_HASH_QUEUE": "hash_queue",
    "SPTRAINER_HTTP_TIMEOUT": "http_timeout",
    "SPTRAINER_HEALTH_CHECK_SECONDS": "health_check_seconds",
    "SPTRAINER_MAX_MESSAGE_CHARS": "max_message_chars",
    "SPTRAINER_MAX_BODY_BYTES": "max_body_bytes",
    "SPTRAINER_MAX_METADATA_BYTES": "max_metadata_bytes",
}
assert set(VARIABLES.values()) == {f.name for f in fields(Settings)}, "every setting names its variable"


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings.from_environment(os.environ)


def reload_settings() -> Settings:
    """Forget the cached settings (a test changed the environment) and read them again."""
    settings.cache_clear()
    return settings()
