"""``python -m bot.web --port 8080``: serve the web app.

Slow clients are timed out (``SPTRAINER_HTTP_TIMEOUT`` seconds, default 15): a connection
must send a request's headers within it, the body of a request is read within it, an idle
keep-alive connection is closed after it, and an unread body is drained for at most it.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any, Optional

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_server import Server

from bot.accounts.db import DatabaseDamaged
from bot.web.access import http_timeout
from bot.web.app import create_app

logger = logging.getLogger(__name__)


class HeaderTimeoutHandler(RequestHandler):
    """aiohttp's connection handler, plus a deadline for the first request's headers
    (aiohttp has none: a client sending half a request line kept the connection forever;
    later requests on a kept-alive connection are covered by keepalive_timeout)."""

    __slots__ = ("_header_deadline",)

    header_timeout = 15.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._header_deadline: Optional[asyncio.TimerHandle] = self._loop.call_later(
            self.header_timeout, self._headers_overdue)

    def _headers_overdue(self) -> None:
        self._header_deadline = None
        if self._request_count == 0 and self.transport is not None:
            logger.info("closing a connection that sent no complete request headers in %.0f s", self.header_timeout)
            self.force_close()
            self.transport.close()

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        deadline = getattr(self, "_header_deadline", None)
        if deadline is not None:
            deadline.cancel()
            self._header_deadline = None
        super().connection_lost(exc)


class TimedServer(Server):
    __slots__ = ()

    def __call__(self) -> RequestHandler:
        return HeaderTimeoutHandler(self, loop=self._loop, **self._kwargs)


class TimedAppRunner(web.AppRunner):
    __slots__ = ()

    async def _make_server(self) -> Server:
        server = await super()._make_server()
        server.__class__ = TimedServer  # same layout: only __call__ differs
        return server


async def serve(app: web.Application, host: str, port: int, timeout: float, **runner_kw: Any) -> web.AppRunner:
    HeaderTimeoutHandler.header_timeout = timeout
    runner = TimedAppRunner(app, keepalive_timeout=timeout, lingering_time=timeout,
                            access_log=logging.getLogger("aiohttp.access"),
                            access_log_format='%a %t "%r" %s %b %Tf', **runner_kw)
    await runner.setup()
    # A wide accept queue: a burst of connections (a sign-in flood) must not drop the SYNs of
    # other clients, which would then wait for TCP to retry (1 s, 3 s...).
    await web.TCPSite(runner, host, port, backlog=1024).start()
    return runner


def main() -> None:
    parser = argparse.ArgumentParser(description="SP Trainer web app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C and Stack.stop: a clean shutdown
            loop.add_signal_handler(sig, stop.set)
        try:
            app = create_app()
        except DatabaseDamaged as exc:
            logger.error("refusing to start: %s", exc)
            raise SystemExit(f"error: refusing to start: {exc}") from None
        runner = await serve(app, args.host, args.port, http_timeout())
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    asyncio.run(run())


if __name__ == "__main__":
    main()
