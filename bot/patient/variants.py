"""Deterministic choice among variants: same conversation, same turn, same words."""
from __future__ import annotations

import hashlib
from typing import Sequence


def pick(options: Sequence[str], *key: object) -> str:
    """One of ``options``, chosen by a stable hash of ``key`` (not Python's salted hash)."""
    if not options:
        return ""
    digest = hashlib.sha1("|".join(str(k) for k in key).encode("utf-8")).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def as_i_said(text: str, prefix: str) -> str:
    """Prefix a previous answer with "As I said," keeping 'I' and acronyms capitalised."""
    first = text.split(" ", 1)[0]
    keep_case = first in ("I", "I'm", "I've", "I'd", "I'll") or (len(first) > 1 and first[1].isupper())
    body = text if keep_case else text[:1].lower() + text[1:]
    return f"{prefix} {body}"


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of an answer: what a person restates when asked again."""
    import re

    match = re.search(r"(?<=[.!?])\s", text)
    sentence = text[: match.start()] if match else text
    if len(sentence) > limit:
        cut = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:")
        sentence = cut + "..."
    return sentence
