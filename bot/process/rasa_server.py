"""``python -m bot.process.rasa_server run ...``: Rasa's own command line, with the HTTP API token read
from ``$SPTRAINER_RASA_TOKEN`` rather than passed as ``--auth-token`` on the command line,
where every local user could read it (``ps``, ``/proc/<pid>/cmdline``). Used by bot/process/stack.py;
docs/deploy.md runs it on every Rasa machine.
"""
from __future__ import annotations

import os
import sys

from bot.settings import settings


def main() -> None:
    token = settings().rasa_token
    if not token:
        sys.exit("error: SPTRAINER_RASA_TOKEN is not set; Rasa's HTTP API is never served without a token")
    # Sanic refuses bodies over this before reading them (its default is 100 MB); the chat
    # channels refuse far smaller ones themselves (bot/channels/guard.py).
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(2_000_000))
    # Only this process's own argument list changes: /proc/<pid>/cmdline keeps what exec saw.
    sys.argv = ["rasa", *sys.argv[1:], f"--auth-token={token}"]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
