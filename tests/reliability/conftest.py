"""Reliability fixtures: copies of the session's indexed home, small generated documents, a scripted LLM server.

Indexing the article costs tens of seconds, so tests that need it next to other documents work on a copy of the
session's `indexed_home` (Chroma folder and manifest) instead of indexing it again.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
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


@pytest.fixture
def make_llm_server(scripted_server_type):
    """make_llm_server(mode) -> a started scripted server (tests/openai_stub.py); all are closed after the test."""
    servers = []

    def make(mode: str = "reply"):
        servers.append(server := scripted_server_type())
        server.mode = mode
        return server

    yield make
    for server in servers:
        server.close()
