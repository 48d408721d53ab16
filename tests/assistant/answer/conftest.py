"""Answer-test fixtures: real corpus chunks, the real e5 embedder, a scripted OpenAI-compatible server."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.retrieve.types import RetrievedChunk
from index.embed import E5Embedding
from index.sentences import split_sentences

ARTICLE = Path(__file__).resolve().parents[3] / "corpus" / "central-asia-china-foreign-policy.kk.txt"


def article_passage(start: str, end: str) -> str:
    """The article's text from `start` up to and including `end`, whitespace collapsed."""
    text = ARTICLE.read_text(encoding="utf-8")
    i = text.index(start)
    return " ".join(text[i : text.index(end, i) + len(end)].split())


def make_chunk(chunk_id: str, text: str, score: float = 0.5, page: int | None = None) -> RetrievedChunk:
    return RetrievedChunk(
        chunk_id=chunk_id,
        text=text,
        source="central-asia-china-foreign-policy.kk.txt",
        title="Орталық Азия республикаларының сыртқы саяси басымдықтары",
        page=page,
        section=None,
        language="kk",
        score=score,
        sentences=split_sentences(text),
    )


@pytest.fixture(scope="session")
def embedder() -> E5Embedding:
    return E5Embedding()


# Chunks are session-wide: sentence vectors computed once are kept on them, as in the real flow.
@pytest.fixture(scope="session")
def turkmen_chunk() -> RetrievedChunk:
    """Turkmenistan trade in 2023 (10,59 billion, -5,2%, 957 million, 9,633 billion ...); gas pipelines."""
    return make_chunk("kk-turkmen", article_passage("2023 жылы Қытай мен Түрікменстан", "[19]."), 0.9, page=9)


@pytest.fixture(scope="session")
def uzbek_chunk() -> RetrievedChunk:
    """Uzbekistan: China its largest partner at the end of 2019 with 7,62 billion dollars (18,1%)."""
    return make_chunk("kk-uzbek", article_passage("2019 жылдың соңында Қытай 7,62", "[13]."), 0.8, page=7)


@pytest.fixture(scope="session")
def tajik_chunk() -> RetrievedChunk:
    """Tajikistan's 2015 foreign-policy concept on China."""
    return make_chunk(
        "kk-tajik", article_passage("Қытаймен іргелес жатқан Тәжікстан", "табылады."), 0.7, page=10
    )


@pytest.fixture(scope="session")
def chunks(turkmen_chunk, uzbek_chunk, tajik_chunk) -> list[RetrievedChunk]:
    return [turkmen_chunk, uzbek_chunk, tajik_chunk]


class ScriptedServer:
    """POST /v1/chat/completions answering with scripted replies (JSON or SSE), HTTP 500, or too slowly."""

    def __init__(self) -> None:
        self.replies: list[str] = []
        self.mode = "reply"  # "reply" | "error" | "slow"
        self.delay = 3.0
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                server.requests.append(body)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": "not found"}})
                if server.mode == "error":
                    return self._send(500, {"error": {"message": "scripted failure", "type": "server_error"}})
                if server.mode == "slow":
                    time.sleep(server.delay)
                reply = server.replies.pop(0) if server.replies else "No scripted reply."
                try:
                    self._stream(reply) if body.get("stream") else self._send(200, _completion(reply))
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

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

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def messages(self, k: int = -1) -> dict[str, str]:
        """The k-th request's messages by role."""
        return {m["role"]: m["content"] for m in self.requests[k]["messages"]}

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


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


@pytest.fixture
def llm_server():
    server = ScriptedServer()
    yield server
    server.close()


@pytest.fixture
def chunk_of():
    """Builds a chunk from any text: chunk_of(chunk_id, text)."""
    return make_chunk
