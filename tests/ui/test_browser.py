"""`derek ui` in a real headless Chromium: ask, wait for the cited answer, open a source, screenshot it; and a
report writer's session: uploads with progress, questions in three languages and a follow-up, a PDF citation's
page view, and the conversation exported as DOCX with its reference list."""

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


def _start_ui(home: Path) -> tuple[str, subprocess.Popen]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DEREK_HOME": str(home), "DEREK_LLM": "extractive", "ANONYMIZED_TELEMETRY": "False"}
    for name in ("DEREK_UI_PASSWORD", "DEREK_COLLECTION", "DEREK_CHROMA_HOST", "DEREK_EMBED"):
        env.pop(name, None)
    derek = shutil.which("derek", path=str(Path(sys.executable).parent)) or "derek"
    server = subprocess.Popen([derek, "ui", "--port", str(port), "--host", "127.0.0.1"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return url, server


@pytest.mark.browser
def test_ask_in_the_browser(derek_home):
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium)"
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    url, server = _start_ui(derek_home)
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


# A report writer's own documents: a Kazakh regulation (DOCX, numbered articles) and an English report (PDF, 2 pages)
REGULATION_TITLE = "Су ресурстарын пайдалану туралы ереже"
LIMIT_ARTICLE = ("2-бап. Су алу лимиті", [
    "1. Бір шаруашылықтың жылдық су алу лимиті 4 500 текше метрден аспайды.",
    "2. Лимиттен асқан су үшін төлем екі есе мөлшерде алынады.",
])
RIVERS = ["Іле", "Сырдария", "Ертіс", "Есіл", "Тобыл", "Жайық", "Шу", "Талас", "Нұра", "Қаратал", "Көксу", "Лепсі"]
REPORT_PAGES = [
    "Annual Water Report 2024\n\nIntroduction. This report describes the state of the water resources of the "
    "region and the work of the basin inspection during the year.",
    "Section 3. Reservoir levels\n\nIn 2024 the Kapshagay reservoir held 14.2 billion cubic metres of water, the "
    "highest level in a decade. The inspection recorded 37 violations of the water use rules.",
]
SESSION = [  # (question, a text the answer must contain, the interface's "new chat" button then)
    ("Когда Таджикистан принял концепцию внешней политики?", "2015", "Новый чат"),
    ("А что в ней сказано об энергетике?", "энергетик", "Новый чат"),
    ("Бір шаруашылықтың жылдық су алу лимиті қанша?", "4 500", "Жаңа чат"),
    ("How much water did the Kapshagay reservoir hold in 2024?", "14.2", "New chat"),
]


def _regulation_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = REGULATION_TITLE
    document.add_heading(REGULATION_TITLE, level=1)
    document.add_paragraph("1-бап. Жалпы ережелер")
    document.add_paragraph("Осы ереже өзендер мен көлдердің суын шаруашылық мақсатта пайдалану тәртібін белгілейді.")
    heading, points = LIMIT_ARTICLE
    document.add_paragraph(heading)
    for point in points:
        document.add_paragraph(point)
    for n, river in enumerate(RIVERS, start=3):  # enough text for the upload to take a few seconds
        document.add_paragraph(f"{n}-бап. {river} өзенінің бассейні")
        document.add_paragraph(f"1. {river} бассейнінде су пайдаланушылар тізілімі жыл сайын {n + 10} наурызға "
                               f"дейін жаңартылады.")
        document.add_paragraph(f"2. {river} өзенінің жағалау белдеуінде {20 * n} метр қорғау аймағы белгіленеді, "
                               "онда құрылыс салуға тыйым салынады.")
    document.save(str(path))
    return path


def _report_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("DejaVu", size=12)
    pdf.set_title("Annual Water Report 2024")
    for text in REPORT_PAGES:
        pdf.add_page()
        pdf.multi_cell(0, 7, text)
    pdf.output(str(path))
    return path


@pytest.mark.browser
def test_a_report_writers_session(derek_home, tmp_path):
    """Upload a DOCX and a PDF (progress shown), ask in ru (plus a follow-up), kk and en, open the PDF citation's
    page view, and download the conversation as DOCX: it ends each answer with its numbered references."""
    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium)"
    import docx
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    home = tmp_path / "home"
    shutil.copytree(derek_home, home)  # the article is indexed; this session adds its own documents
    files = [_regulation_docx(tmp_path / "su-erezhe.docx"), _report_pdf(tmp_path / "water-report-2024.pdf")]
    url, server = _start_ui(home)
    try:
        _wait_healthy(url, server)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 1300}, locale="ru-RU", accept_downloads=True)
            page.goto(url)
            expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=60_000)

            # uploads, with a progress bar while they are indexed
            page.get_by_role("tab").nth(1).click()
            page.locator("input[type=file]").set_input_files([str(f) for f in files])
            expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "ui-upload-progress.png"))
            expect(page.get_by_test_id("stAlert").filter(has_text="2")).to_be_visible(timeout=180_000)
            expect(page.get_by_test_id("stDataFrame")).to_be_visible()
            page.get_by_role("tab").nth(0).click()

            box = page.get_by_test_id("stChatInputTextArea")
            for n, (question, expected, new_chat) in enumerate(SESSION, start=1):
                box.fill(question)
                box.press("Enter")
                answer = page.get_by_test_id("stChatMessage").nth(2 * n - 1)
                expect(answer).to_contain_text("[1]", timeout=120_000)
                expect(answer).to_contain_text(expected)
                expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=60_000)
                expect(page.get_by_test_id("stSidebar")).to_contain_text(new_chat)  # the question's language

            answers = page.get_by_test_id("stChatMessage")
            kazakh = answers.nth(5).get_by_test_id("stExpander").first
            expect(kazakh.locator("summary")).to_contain_text("2-бап")  # the reference names the article
            english = answers.nth(7)
            source = english.get_by_test_id("stExpander").filter(has_text="water-report-2024.pdf").first
            source.locator("summary").click()
            expect(source.locator("summary")).to_contain_text("p. 2")
            view = source.get_by_test_id("stImage").locator("img")
            expect(view).to_be_visible(timeout=30_000)
            assert view.evaluate("img => img.naturalWidth") > 600  # a rendered page, not an icon
            expect(source.locator("mark").first).to_contain_text("14.2")
            page.wait_for_timeout(300)
            source.screenshot(path=str(ARTIFACTS / "ui-page-view.png"))

            button = page.locator(".st-key-dl_ui_download_chat_docx button")
            with page.expect_download(timeout=30_000) as download:
                button.click()
            saved = tmp_path / "conversation.docx"
            download.value.save_as(saved)
            page.screenshot(path=str(ARTIFACTS / "ui-session.png"), full_page=True)
            browser.close()
    finally:
        _stop(server)

    exported = docx.Document(str(saved))
    texts = [p.text for p in exported.paragraphs]
    headings = [p.text for p in exported.paragraphs if p.style.name.startswith("Heading")]
    assert [h for h in headings if h[:2] in ("1.", "2.", "3.", "4.")] == [f"{n}. {q}" for n, (q, *_) in
                                                                        enumerate(SESSION, start=1)]
    references = [t for t in texts if t.startswith("[")]
    assert len(references) >= len(SESSION)
    assert any(t.startswith("[1] " + REGULATION_TITLE) and "2-бап" in t for t in references), references
    assert any("Annual Water Report 2024" in t and "p. 2" in t for t in references), references
    assert not any("/" in t for t in references)  # never a server path
