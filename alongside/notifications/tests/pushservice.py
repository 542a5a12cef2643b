"""A push service of our own for the tests: a real HTTP server on 127.0.0.1 in a thread, and the browser's side of a
subscription (an EC P-256 key pair and a 16-byte auth secret) to decrypt what reaches it.

The server keeps every request it receives and answers each path with the status the test sets (201 unless told),
optionally after a delay, or with a redirect.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """What a browser makes when it subscribes: a key pair for the messages and an auth secret."""

    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm")
        return json.loads(plain.decode("utf-8"))


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 201
    delay: float = 0.0
    location: str = ""


class PushService:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: dict[str, Answer] = {}
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with service._lock:
                    service.received.append(
                        Received(path=self.path, headers={k.lower(): v for k, v in self.headers.items()}, body=body)
                    )
                    answer = service.answers.get(self.path, Answer())
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    if answer.location:
                        self.send_header("Location", answer.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender gave up waiting (a timeout test)
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def answer(self, name: str, status: int = 201, *, delay: float = 0.0, location: str = "") -> None:
        self.answers[f"/push/{name}"] = Answer(status=status, delay=delay, location=location)

    def to(self, name: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == f"/push/{name}"]

    def start(self) -> PushService:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def verify_vapid(request: Received, *, public_key: str, audience: str) -> dict[str, Any]:
    """Check the request's VAPID Authorization (RFC 8292: ``vapid t=<JWT>, k=<public key>``) as a push service does:
    the key is the service's, the JWT is signed by it (ES256), for this push service, not expired, with a contact."""
    scheme, _, params = request.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(part.strip().split("=", 1) for part in params.split(","))
    assert parts["k"] == public_key
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    claims = jwt.decode(
        parts["t"], key=key, algorithms=["ES256"], audience=audience, options={"require": ["aud", "exp", "sub"]}
    )
    assert claims["exp"] <= time.time() + 24 * 3600
    return claims
