"""``python -m bot.web --port 8080``: serve the web app."""
from __future__ import annotations

import argparse
import logging

from aiohttp import web

from bot.web.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description="SP Trainer web app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # A wide accept queue: a burst of connections (a sign-in flood) must not drop the SYNs of
    # other clients, which would then wait for TCP to retry (1 s, 3 s...).
    web.run_app(create_app(), host=args.host, port=args.port, print=None, backlog=1024)


if __name__ == "__main__":
    main()
