"""Message delivery in the scaled profile: one message id sent to both Rasa servers at once
(a page re-sending through another server after a reconnection) runs once, because the
duplicate check holds the conversation's Redis lock, and both servers answer with its replies."""
from __future__ import annotations

import concurrent.futures
import uuid

import requests

from tests.test_delivery import START
from tests.test_scaled import scaled, servers, stored_turns  # noqa: F401 - scaled is the module's fixture


def test_one_message_id_sent_to_both_servers_at_once_runs_once(scaled):  # noqa: F811 - the fixture
    backends = servers(scaled)
    sender = f"deliver-scaled-{uuid.uuid4().hex[:8]}"
    requests.post(f"{backends[0].stack.rasa_url}/webhooks/rest/webhook", timeout=180,
                  json={"sender": sender, "message": START, "metadata": {"message_id": str(uuid.uuid4())}}
                  ).raise_for_status()
    mid = str(uuid.uuid4())

    def send(backend) -> list:
        r = requests.post(f"{backend.stack.rasa_url}/webhooks/rest/webhook", timeout=180,
                          json={"sender": sender, "message": "How is your sleep?", "metadata": {"message_id": mid}})
        r.raise_for_status()
        return r.json()

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(send, backends))
    assert answers[0] == answers[1] and answers[0], answers
    assert all(r["in_reply_to"] == mid for r in answers[0])
    users, _ = stored_turns(scaled, sender)
    assert users.count("How is your sleep?") == 1, users
