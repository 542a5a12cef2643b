"""A stand-in for Twilio's REST API: a real HTTP server on 127.0.0.1, in a thread, that records each request and
answers a call's creation the way Twilio does (201 and the call's JSON)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Received:
    method: str
    path: str
    form: dict[str, list[str]]
    auth: tuple[str, str]

    def one(self, name: str) -> str:
        values = self.form.get(name, [])
        assert len(values) == 1, f"{name}: {values}"
        return values[0]


@dataclass
class StandIn:
    url: str
    received: list[Received] = field(default_factory=list)
    fail_with: int = 0
    count: int = 0


def serve() -> Iterator[StandIn]:
    state = StandIn(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            auth = self.headers.get("Authorization", "")
            user, _, password = base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
            state.received.append(Received("POST", self.path, parse_qs(body), (user, password)))
            if state.fail_with:
                self._reply(state.fail_with, {"code": 21211, "message": "refused", "status": state.fail_with})
                return
            state.count += 1
            sid = f"CA{state.count:032x}"
            self._reply(201, {"sid": sid, "status": "queued", "account_sid": user, "direction": "outbound-api"})

        def _reply(self, status: int, payload: dict[str, object]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
