"""Answers and conversations as Markdown or DOCX, with numbered references, ready to paste into a report."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.shared import Pt

from assistant.answer.types import Answer, Citation
from assistant.messages import message

# Exports hold only answers and source text; this is a last guard against a pasted key travelling along.
_SECRET = re.compile(r"\b(sk-[A-Za-z0-9_\-]{16,}|(?:Bearer|api[_-]?key[=:])\s*[A-Za-z0-9_\-.]{16,})", re.I)


def redact(text: str) -> str:
    return _SECRET.sub("[redacted]", text)


def _md_lines(text: str) -> str:
    """Plain lines for Markdown: hard line breaks, and a leading list or heading mark taken literally."""
    lines = [re.sub(r"^(\d+)\.", r"\1\\.", re.sub(r"^([-*+#>])", r"\\\1", line))
             for line in redact(text.strip()).splitlines()]
    return "  \n".join(lines)


def reference_line(citation: Citation, language: str) -> str:
    """`[n] Title, chapter, article, point, p. 3` (the citation's reference; unknown parts left out)."""
    if citation.reference:
        return redact(f"[{citation.marker}] {citation.reference}")
    where = [citation.source]
    if citation.page is not None:
        where.append(f"{message('page', language)} {citation.page}")
    if citation.section:
        where.append(citation.section)
    title = f"{citation.title} — " if citation.title and citation.title != citation.source else ""
    return redact(f"[{citation.marker}] {title}{', '.join(where)}")


def _answer_md(answer: Answer, heading: str, with_question: bool = True) -> list[str]:
    lang = answer.language
    lines = []
    if with_question:
        lines += [f"{heading} {message('export_question', lang)}", "", _md_lines(answer.question), ""]
    lines += [_md_lines(answer.answer), ""]
    if answer.unsupported:
        lines += [f"**{message('unsupported_header', lang)}**", ""]
        lines += [f"- {redact(u)}" for u in answer.unsupported] + [""]
    if answer.citations:
        lines += [f"{heading}# {message('references', lang)}", ""]
        for c in answer.citations:
            lines.append(reference_line(c, lang))
            lines += [f"> {_md_lines(q)}" for q in c.quote.strip().splitlines() if q.strip()]
            if c.quote_translation:
                lines += [">", f"> *{message('machine_translation', lang)}:* {_md_lines(c.quote_translation)}"]
            lines.append("")
    return lines


def answer_markdown(answer: Answer) -> str:
    return "\n".join(_answer_md(answer, "##")).rstrip() + "\n"


def conversation_markdown(turns: list[tuple[str, Answer]]) -> str:
    """Every turn with its own references (markers restart at [1] in each answer)."""
    lang = turns[-1][1].language if turns else "en"
    lines = [f"# {message('export_conversation', lang)}", ""]
    for n, (question, answer) in enumerate(turns, 1):
        lines += [f"## {n}. {redact(question.strip())}", ""]
        lines += _answer_md(answer, "###", with_question=False)
    return "\n".join(lines).rstrip() + "\n"


def _answer_docx(doc, answer: Answer, level: int, with_question: bool = True) -> None:
    lang = answer.language
    if with_question:
        doc.add_heading(message("export_question", lang), level=level)
        doc.add_paragraph(redact(answer.question.strip()))
    for block in redact(answer.answer.strip()).split("\n"):
        if block.strip():
            doc.add_paragraph(block)
    if answer.unsupported:
        doc.add_paragraph().add_run(message("unsupported_header", lang)).bold = True
        for claim in answer.unsupported:
            doc.add_paragraph(redact(claim), style="List Bullet")
    if answer.citations:
        doc.add_heading(message("references", lang), level=level + 1)
        for c in answer.citations:
            doc.add_paragraph(reference_line(c, lang))
            quote = doc.add_paragraph(style="Quote")
            run = quote.add_run(redact(c.quote.strip()))
            run.italic = True
            run.font.size = Pt(10)
            if c.quote_translation:
                note = doc.add_paragraph(style="Quote")
                note.add_run(f"{message('machine_translation', lang)}: ").bold = True
                note.add_run(redact(c.quote_translation.strip())).font.size = Pt(10)


def _to_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def answer_docx(answer: Answer) -> bytes:
    doc = Document()
    _answer_docx(doc, answer, level=1)
    return _to_bytes(doc)


def conversation_docx(turns: list[tuple[str, Answer]]) -> bytes:
    doc = Document()
    lang = turns[-1][1].language if turns else "en"
    doc.add_heading(message("export_conversation", lang), level=0)
    for n, (question, answer) in enumerate(turns, 1):
        doc.add_heading(f"{n}. {redact(question.strip())}", level=1)
        _answer_docx(doc, answer, level=1, with_question=False)
    return _to_bytes(doc)
