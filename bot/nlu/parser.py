"""Classify learner messages with the trained Rasa model, in process, without a server.

The scorer and the NLU benchmark use this: the model is loaded once and every message
goes through the same NLU graph the running bot uses.
"""
from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


class NluParser:
    def __init__(self, model_path: Optional[Path] = None) -> None:
        from rasa.core.agent import Agent
        from rasa.utils.log_utils import configure_structlog

        from bot.process.training import ensure_model

        logging.getLogger("rasa").setLevel(logging.WARNING)
        configure_structlog(logging.WARNING)  # else Rasa's structlog prints a debug line per parse
        self.model_path = Path(model_path) if model_path else ensure_model(quiet=True)
        self._loop = asyncio.new_event_loop()
        # The loop runs in a thread of its own: the caller's thread may already be running
        # one (Playwright's sync API leaves one in the main thread of a test session).
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu-parser")
        self.agent = Agent.load(str(self.model_path))

    def parse(self, text: str) -> Dict[str, Any]:
        return self.parse_many([text])[0]

    def parse_many(self, texts: Sequence[str]) -> List[Dict[str, Any]]:
        """Parse results (``intent``, ``intent_ranking``...) in input order."""
        processor = self.agent.processor
        assert processor is not None

        async def run() -> List[Dict[str, Any]]:
            from rasa.core.channels.channel import UserMessage

            out = []
            for text in texts:
                out.append(await processor.parse_message(UserMessage(text)))
            return out

        return self._thread.submit(self._loop.run_until_complete, run()).result()

    def close(self) -> None:
        self._thread.submit(self._loop.close).result()
        self._thread.shutdown()
