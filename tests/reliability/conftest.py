"""Reliability fixtures: copies of the session's indexed home, small generated documents, a scripted LLM server.

Indexing the article costs tens of seconds, so tests that need it next to other documents work on a copy of the
session's `indexed_home` (Chroma folder and manifest) instead of indexing it again.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.settings import Settings
from index.manifest import Manifest

TOPICS = [
    ("saturn", "Project Saturn studies the rings of Saturn with a small telescope on a hill near Borovoe"),
    ("tomatoes", "The school garden grows tomatoes under a plastic tunnel behind the sports hall"),
    ("bridge", "The old wooden bridge over the Ishim river was repaired by volunteers from the village"),
    ("bees", "A family of beekeepers near Talgar keeps forty hives of mountain bees"),
    ("chess", "The chess club of Karaganda meets every Thursday evening in the public library"),
    ("bakery", "A small bakery in Shymkent bakes round bread in a clay tandyr oven before dawn"),
    ("railway", "The narrow-gauge railway to the timber camp was closed after a flood damaged the tracks"),
    ("choir", "The children's choir of Pavlodar rehearses folk songs for the spring festival"),
]


def small_text(topic: str, lead: str, paragraphs: int = 6) -> str:
    """A few paragraphs of distinct, sentence-rich text about one topic (several chunks of ~300 e5 tokens)."""
    out = [f"# Notes on {topic}", ""]
    for p in range(1, paragraphs + 1):
        out.append(
            f"{lead}, as recorded in note {p}. In year {2000 + 3 * p} the {topic} group counted {17 * p} members "
            f"and spent {120 + 11 * p} hours on the work. The report for season {p} mentions {p + 2} visitors "
            f"from the district centre and a budget of {450 * p} tenge. Everyone agreed that the {topic} project "
            f"should continue in season {p + 1}, and a new plan with {p * 4} tasks was written down."
        )
        out.append("")
    return "\n".join(out)


def write_small_docs(folder: Path, count: int = 8, *, version: int = 1) -> list[Path]:
    """`count` small .md/.txt files on unrelated topics (nothing in them answers the article's questions)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, (topic, lead) in enumerate(TOPICS[:count]):
        path = folder / f"{n:02d}-{topic}.{'md' if n % 2 else 'txt'}"
        text = small_text(topic, lead)
        if version > 1:
            text += f"\nThis is revision {version} of the {topic} notes, rewritten after the autumn meeting.\n"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def small_docs() -> Callable[..., list[Path]]:
    """small_docs(folder, count=8, version=1) -> the written paths."""
    return write_small_docs


def copy_home(settings: Settings, home: Path) -> Settings:
    """A copy of an indexed home (Chroma folder and manifest) at `home`, with Settings pointing at it."""
    shutil.copytree(settings.chroma_dir, home / "chroma")
    copied = settings.model_copy(update={"home": home})
    old = Manifest.location(settings.home, f"embedded:{settings.chroma_dir}", settings.collection)
    new = Manifest.location(home, f"embedded:{copied.chroma_dir}", settings.collection)
    new.parent.mkdir(parents=True, exist_ok=True)
    if old.exists():
        shutil.copyfile(old, new)
    return copied


@pytest.fixture
def article_copy(indexed_home, tmp_path) -> Settings:
    """Settings of a private copy of the session's indexed home (the article), free to write to."""
    return copy_home(indexed_home, tmp_path / "home-copy")


class LLMServer:
    """A scripted OpenAI-compatible chat server on 127.0.0.1 that records request headers.

    mode "reply" answers with `reply` (JSON or SSE), "error" with HTTP 500, "echo-key" with HTTP 401 whose error
    message repeats the Authorization header it received (as careless servers do).
    """

    def __init__(self) -> None:
        self.reply = "No scripted reply."
        self.mode = "reply"
        self.headers: list[dict[str, str]] = []
        self.bodies: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                server.headers.append(dict(self.headers))
                server.bodies.append(body)
                if server.mode == "error":
                    return self._send(500, {"error": {"message": "scripted failure", "type": "server_error"}})
                if server.mode == "echo-key":
                    seen = self.headers.get("Authorization", "")
                    return self._send(401, {"error": {"message": f"Invalid credentials: {seen}", "type": "auth"}})
                if body.get("stream"):
                    return self._stream(server.reply)
                message = {"role": "assistant", "content": server.reply}
                self._send(200, {
                    "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
                    "model": "scripted", "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                })

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
                for delta in ({"role": "assistant", "content": ""}, {"content": reply}, {}):
                    chunk = {
                        "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                        "model": "scripted",
                        "choices": [{"index": 0, "delta": delta, "finish_reason": None if delta else "stop"}],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def llm_server():
    server = LLMServer()
    yield server
    server.close()


@pytest.fixture
def make_llm_server():
    """make_llm_server(mode) -> a started LLMServer; all are closed after the test."""
    servers: list[LLMServer] = []

    def make(mode: str = "reply") -> LLMServer:
        servers.append(server := LLMServer())
        server.mode = mode
        return server

    yield make
    for server in servers:
        server.close()
