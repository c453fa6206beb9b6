"""The benchmarks' load generator (benchmarks.common.Client): one keep-alive connection, reopened when
the server closes it, bodies sent as given."""
from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

import pytest

from benchmarks.common import Client
from tests.live import serving


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str, int, str | None, bytes]] = []  # noqa: RUF012 - per test, reset by the fixture

    def do_GET(self) -> None:  # noqa: N802
        self._answer(b"")

    def do_POST(self) -> None:  # noqa: N802
        self._answer(self.rfile.read(int(self.headers["Content-Length"])))

    def _answer(self, body: bytes) -> None:
        Handler.seen.append((self.command, self.path, self.client_address[1], self.headers.get("Authorization"), body))
        close = self.path.endswith("/close")
        payload = json.dumps({"n": len(Handler.seen)}).encode()
        self.send_response(201 if self.command == "POST" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
        self.close_connection = close

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


@pytest.fixture
def server():
    Handler.seen = []
    with serving(Handler) as url:
        yield url


def test_requests_share_one_connection_until_the_server_closes_it(server):
    client = Client(server, token="t0ken")
    answers = [client.get("/a"), client.get("/b/close"), client.get("/c"), client.post("/d", json_body={"x": 1}),
               client.post("/e", body=b'{"y": 2}')]
    client.close()
    assert [a.status_code for a in answers] == [200, 200, 200, 201, 201]
    assert [a.json()["n"] for a in answers] == [1, 2, 3, 4, 5]
    ports = [port for _method, _path, port, _auth, _body in Handler.seen]
    assert ports[0] == ports[1] != ports[2] == ports[3] == ports[4]  # reopened once, after the close
    assert {auth for *_rest, auth, _body in Handler.seen} == {"Bearer t0ken"}
    assert [json.loads(body) for *_rest, body in Handler.seen[3:]] == [{"x": 1}, {"y": 2}]
    assert answers[0].method == "GET" and answers[0].path == "/a"
