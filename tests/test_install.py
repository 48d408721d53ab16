"""Derek installed as a wheel would be (`pip install .`, not editable), run from another folder: the prompts, the
message tables and the data files must come with it, so answers are text, not message keys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAW = "Қазақстан Республикасының мемлекеттік тілі - қазақ тілі.\n\nОрыс тілі ресми түрде қолданылады.\n"


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A non-editable install of this tree into a folder of its own (the venv's dependencies are reused)."""
    site = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "--target", str(site), str(REPO)],
        capture_output=True, text=True, timeout=300, cwd=build, env={**os.environ, "TMPDIR": str(build)},
    )
    assert done.returncode == 0, done.stderr
    return site


def _derek(site: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("DEREK_") and k not in ("OPENAI_API_KEY",)}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from assistant.cli import main; sys.argv[0] = 'derek'; main()", *args],
        cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=300, stdin=subprocess.DEVNULL,
        env={**keep, "PYTHONPATH": str(site), "DEREK_HOME": str(cwd / ".derek"), "DEREK_LLM": "extractive",
             "ANONYMIZED_TELEMETRY": "False", "NO_COLOR": "1", **env},
    )


def test_the_wheel_answers_offline_and_through_an_llm_server(installed, tmp_path, llm_server):
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "law.kk.txt").write_text(LAW, encoding="utf-8")
    where = _derek(installed, work, "status", "--json")
    assert where.returncode == 0, where.stderr
    probe = subprocess.run(
        [sys.executable, "-c", "import assistant, prompts; print(assistant.__file__); print(prompts.__file__)"],
        cwd=work, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(installed)},
    )
    assert all(line.startswith(str(installed)) for line in probe.stdout.split()), probe.stdout  # not the tree

    indexed = _derek(installed, work, "index", "law.kk.txt")
    assert indexed.returncode == 0, indexed.stderr
    asked = _derek(installed, work, "ask", "--json", "Мемлекеттік тіл қандай?")
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["answer"].startswith("Дереккөздерде:") and "қазақ тілі" in answer["answer"]
    assert answer["citations"][0]["source"] == "law.kk.txt"

    llm_server.reply = "Мемлекеттік тіл - қазақ тілі [1]."
    with_llm = _derek(
        installed, work, "ask", "--json", "Мемлекеттік тіл қандай?",
        DEREK_LLM="openai-like", DEREK_LLM_BASE_URL=llm_server.url, DEREK_LLM_MODEL="scripted",
        DEREK_LLM_API_KEY="sk-test",
    )
    assert with_llm.returncode == 0, with_llm.stderr
    answer = json.loads(with_llm.stdout)
    assert answer["answerer"] == "openai-like" and "қазақ тілі" in answer["answer"]
    assert "Prompt template" not in with_llm.stderr and "lead" != answer["answer"].strip()
