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
    web.run_app(create_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
