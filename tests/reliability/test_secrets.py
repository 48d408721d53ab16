"""API keys are used (sent to the LLM server) but never logged, printed, exported or shown in error messages."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.export import answer_docx, answer_markdown, conversation_docx, conversation_markdown
from assistant.service import Derek

KEY = "sk-test-SECRET123"
OPENAI_KEY = "sk-test-OPENAI456"
SECRETS = (KEY, OPENAI_KEY, "SECRET123", "OPENAI456")


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked in: {text[:300]!r}"


def key_env(**extra: str) -> dict[str, str]:
    return {"DEREK_LLM_API_KEY": KEY, "OPENAI_API_KEY": OPENAI_KEY, **extra}


def llm_env(server) -> dict[str, str]:
    return key_env(DEREK_LLM="openai-like", DEREK_LLM_BASE_URL=server.url, DEREK_LLM_MODEL="scripted")


def test_status_shows_keys_only_as_set(run_cli, indexed_home):
    env = key_env(DEREK_LLM="openai", DEREK_LLM_BASE_URL="http://127.0.0.1:9/v1")
    with ThreadPoolExecutor(2) as pool:
        text, as_json = pool.map(lambda args: run_cli(*args, home=indexed_home.home, env=env),
                                 [["status"], ["status", "--json"]])
    assert text.returncode == 0 and as_json.returncode == 0, text.stderr + as_json.stderr
    assert_no_secret(text.stdout, text.stderr, as_json.stdout, as_json.stderr)
    assert json.loads(as_json.stdout)["llm_api_key"] == "set"
    assert any(line.strip() == "llm_api_key: set" for line in text.stdout.splitlines()), text.stdout


def test_ask_and_server_errors_never_show_the_key(run_cli, indexed_home, dev_rows, make_llm_server):
    """`derek ask --json` with a working server, one failing with HTTP 500, and one echoing the key in a 401."""
    d03 = next(r["question"] for r in dev_rows if r["id"] == "d03")
    servers = {mode: make_llm_server(mode) for mode in ("reply", "error", "echo-key")}
    servers["reply"].reply = "Serdar Berdimuhamedov visited China in January 2023 [1]."
    with ThreadPoolExecutor(3) as pool:
        runs = dict(zip(servers, pool.map(
            lambda s: run_cli("ask", "--json", d03, home=indexed_home.home, env=llm_env(s)), servers.values()
        )))
    ok, failed, echoed = runs["reply"], runs["error"], runs["echo-key"]
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["answerer"] == "openai-like"
    for result in (failed, echoed):  # warnings of skipped optional steps may come first; the error is one line
        last = result.stderr.strip().splitlines()[-1]
        assert result.returncode == 1 and last.startswith("derek: error: The language model server"), result.stderr
        assert "Traceback" not in result.stderr
    assert "[redacted]" in echoed.stderr
    for result in runs.values():
        assert_no_secret(result.stdout, result.stderr)
    # the key was used: every server received it
    for server in servers.values():
        assert server.headers and all(h.get("Authorization") == f"Bearer {KEY}" for h in server.headers)


@pytest.fixture
def llm_service(indexed_home, llm_server, settings_for) -> Derek:
    settings = settings_for(indexed_home.home, llm="openai-like", llm_base_url=llm_server.url,
                            llm_model="scripted", llm_api_key=KEY, openai_api_key=OPENAI_KEY)
    llm_server.reply = "Serdar Berdimuhamedov visited China in January 2023 [1]."
    return Derek(settings)


def test_nothing_logged_and_exports_clean(llm_service, llm_server, dev_rows, caplog):
    d03 = next(r["question"] for r in dev_rows if r["id"] == "d03")
    with caplog.at_level(logging.DEBUG):  # every logger, including openai, httpx and httpcore
        for name in ("openai", "httpx", "httpcore", "llama_index"):
            logging.getLogger(name).setLevel(logging.DEBUG)
        answer = llm_service.ask(d03)
    assert llm_server.headers[-1]["Authorization"] == f"Bearer {KEY}"
    assert caplog.records, "debug logging was not captured"
    assert_no_secret(caplog.text, *(str(r.args) for r in caplog.records))
    assert_no_secret(json.dumps(answer.to_dict()), repr(answer))
    turns = [(d03, answer), ("And then?", answer)]
    for data in (answer_docx(answer), conversation_docx(turns)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert_no_secret(*(archive.read(n).decode("utf-8", "replace") for n in archive.namelist()))
    assert_no_secret(answer_markdown(answer), conversation_markdown(turns))


def test_settings_never_render_the_key(llm_service):
    settings = llm_service.settings
    assert settings.llm_key == KEY  # available to the code that needs it
    assert_no_secret(repr(settings), str(settings), settings.model_dump_json(), json.dumps(llm_service.status()))
    assert llm_service.status()["llm_api_key"] == "set"
