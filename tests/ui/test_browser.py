"""`derek ui` in a real headless Chromium: ask, wait for the cited answer, open a source, screenshot it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
QUESTION = "Каким был объём торговли Китая и Туркменистана в 2023 году?"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, f"derek ui exited with {server.returncode}"
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"derek ui did not answer on {url} within {timeout:.0f}s")


@pytest.mark.browser
def test_ask_in_the_browser(derek_home):
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium)"
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DEREK_HOME": str(derek_home), "DEREK_LLM": "extractive",
           "ANONYMIZED_TELEMETRY": "False"}
    env.pop("DEREK_UI_PASSWORD", None)
    derek = shutil.which("derek", path=str(Path(sys.executable).parent)) or "derek"
    server = subprocess.Popen([derek, "ui", "--port", str(port), "--host", "127.0.0.1"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_healthy(url, server)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 1300}, locale="ru-RU")
            page.goto(url)
            box = page.get_by_test_id("stChatInputTextArea")
            expect(box).to_be_visible(timeout=60_000)
            box.fill(QUESTION)
            started = time.perf_counter()
            box.press("Enter")
            answer = page.get_by_test_id("stChatMessage").filter(has_text="10,59").last
            expect(answer).to_contain_text("[1]", timeout=90_000)
            seconds = time.perf_counter() - started
            source = page.get_by_test_id("stExpander").first
            source.locator("summary").click()
            expect(source.locator("mark").first).to_contain_text("10,59")
            expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=30_000)  # the run has finished
            page.wait_for_timeout(300)
            page.screenshot(path=str(ARTIFACTS / "ui-answer.png"), full_page=True)
            browser.close()
        print(f"Enter to answer: {seconds:.2f} s")
        (ARTIFACTS / "ui-timing.json").write_text(json.dumps(
            {"question": QUESTION, "enter_to_answer_seconds": round(seconds, 3), "answerer": "extractive"},
            ensure_ascii=False, indent=1))
        assert seconds <= 90
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """End `derek ui` and the streamlit process it started (their own process group)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)
            server.wait(timeout=10)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue
