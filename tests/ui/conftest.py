"""A real Derek home with the article corpus indexed once per session; UI tests point DEREK_HOME at it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.service import Derek
from assistant.settings import Settings

CORPUS_FILE = Path(__file__).resolve().parents[2] / "corpus" / "central-asia-china-foreign-policy.kk.txt"


@pytest.fixture(scope="session")
def derek_home(tmp_path_factory) -> Path:
    """A DEREK_HOME holding an embedded Chroma with the Kazakh article indexed."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    home = tmp_path_factory.mktemp("derek-home")
    report = Derek(Settings(home=home, llm="extractive", _env_file=None)).index([CORPUS_FILE])
    assert not report.failed, report.failed
    return home


@pytest.fixture
def ui_env(derek_home, monkeypatch) -> Path:
    """Environment the app's Settings() reads: the indexed home, the extractive answerer, no password."""
    monkeypatch.chdir(CORPUS_FILE.parents[1])
    monkeypatch.setenv("DEREK_HOME", str(derek_home))
    monkeypatch.setenv("DEREK_LLM", "extractive")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    for name in ("DEREK_UI_PASSWORD", "DEREK_COLLECTION", "DEREK_CHROMA_HOST", "DEREK_EMBED"):
        monkeypatch.delenv(name, raising=False)
    return derek_home
