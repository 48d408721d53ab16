"""What the chat UI draws: a message with its sources, retrieved chunks, exports, the documents view."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import streamlit as st

from assistant.answer.types import Answer, Citation
from assistant.export import answer_docx, answer_markdown, conversation_docx, conversation_markdown
from assistant.messages import message
from assistant.progress import TimeLeft, clock_text
from assistant.settings import LLMMode, Settings
from assistant.uploads import save_upload
from index.errors import DerekError
from index.load import SUPPORTED_SUFFIXES
from ui import page_view

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_MD_SPECIAL = re.compile(r"([\\`*_{}()#+\-!|$~<>])")  # brackets stay: the [n] markers must read as typed


def md_escape(text: str) -> str:
    """Source text shown literally in Markdown (no emphasis, lists, links, LaTeX); line breaks kept."""
    text = re.sub(r"(?m)^(\s*\d+)\.", r"\1\\.", _MD_SPECIAL.sub(r"\\\1", text))
    return text.replace("\n", "  \n")


def highlight(text: str, quote: str) -> str:
    """The chunk text as safe HTML with the quoted sentences wrapped in <mark>."""
    spans: list[tuple[int, int]] = []
    for piece in [quote, *re.split(r"\s*(?:…|\.\.\.)\s*|\n+", quote)]:
        words = piece.split()
        if len(" ".join(words)) < 8:
            continue
        found = re.search(r"\s+".join(map(re.escape, words)), text)
        if found:
            spans.append(found.span())
            if piece is quote:
                break
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            start = pos
        if start >= end:
            continue
        out += [html.escape(text[pos:start]), "<mark>", html.escape(text[start:end]), "</mark>"]
        pos = end
    out.append(html.escape(text[pos:]))
    body = "".join(out).replace("$", "&#36;").replace("\n", "<br>")
    if not spans and quote.strip():
        body = f"<blockquote><mark>{html.escape(quote).replace('$', '&#36;')}</mark></blockquote>{body}"
    return f'<div style="line-height:1.55">{body}</div>'  # one line: Markdown never re-parses it


def citation_label(c: Citation, lang: str) -> str:
    if c.reference:  # the reference, and the file it is in when the title is not the file name (no path)
        name = c.source.replace("\\", "/").rsplit("/", 1)[-1]
        return md_escape(f"[{c.marker}] {c.reference}" + ("" if c.reference.startswith(name) else f" · {name}"))
    parts = [f"[{c.marker}] {c.source}"]
    if c.page is not None:
        parts.append(f"{message('page', lang)} {c.page}")
    if c.section:
        parts.append(c.section)
    return md_escape(" · ".join(parts))


@st.cache_data(show_spinner=False, max_entries=64)
def _page_png(path: str, modified: float, page: int | None, quote: str) -> bytes | None:
    view = page_view.render(Path(path), page, quote, crop=True)
    return view.png if view else None


def page_image(service, c: Citation, lang: str) -> bool:
    """The cited PDF page with the quote highlighted; False when there is none to show."""
    if service is None or not c.source.lower().endswith(".pdf"):
        return False
    path = service.source_file(c.source)
    if path is None:
        return False
    png = _page_png(str(path), path.stat().st_mtime, c.page, c.quote)
    if png is None:
        return False
    st.image(png, caption=f"{message('page', lang)} {c.page}" if c.page is not None else None, width="stretch")
    return True


def answer_body(answer: Answer, lang: str, body=None, service=None) -> None:
    """The answer text with its [n] markers, warnings for unsupported claims, then the Sources expanders."""
    (body or st.empty()).markdown(md_escape(answer.answer))
    if not answer.answerable:
        return
    for claim in answer.unsupported:
        st.warning(f"{message('unsupported_header', lang)} {claim}", icon="⚠️")
    if answer.citations:
        st.markdown(f"**{message('ui_sources', lang)}**")
    for c in answer.citations:
        with st.expander(citation_label(c, lang)):
            if c.title and c.title != c.source:
                st.caption(md_escape(c.title))
            if c.quote_translation:
                st.markdown(f"**{message('machine_translation', lang).capitalize()}:** "
                            f"{md_escape(c.quote_translation)}")
            page_image(service, c, lang)
            st.markdown(highlight(c.text, c.quote), unsafe_allow_html=True)
    total = answer.timings.get("total")
    st.caption(f"{answer.answerer}" + (f" · {total:.1f} s" if total is not None else ""))


def turn(question: str, answer: Answer, lang: str, service=None) -> None:
    with st.chat_message("user"):
        st.markdown(md_escape(question))
    with st.chat_message("assistant"):
        answer_body(answer, lang, service=service)


def _deltas(items: Iterator, final: list[Answer]) -> Iterator[str]:
    for item in items:
        if isinstance(item, Answer):
            final.append(item)
        else:
            yield item


def ask(chat, question: str, k: int, lang: str) -> Answer | None:
    """Answer a new question in the chat: at once (extractive) or streamed (LLM)."""
    with st.chat_message("user"):
        st.markdown(md_escape(question))
    with st.chat_message("assistant"):
        try:
            if chat.service.llm is None:
                with st.spinner(message("ui_thinking", lang)):
                    answer = chat.ask(question, k=k)
                body = None
            else:
                final: list[Answer] = []
                body = st.empty()
                body.write_stream(_deltas(chat.stream(question, k=k), final))
                answer = final[-1]
        except DerekError as exc:
            st.error(message("ui_error", lang, error=exc))
            return None
        answer_body(answer, lang, body, service=chat.service)
    return answer


def downloads(turns: list[tuple[str, Answer]], lang: str) -> None:
    """Markdown and DOCX of the last answer and of the whole conversation."""
    last = turns[-1][1]
    cols = st.columns(4)
    buttons = [
        ("ui_download_answer_md", answer_markdown(last), "derek-answer.md", "text/markdown"),
        ("ui_download_answer_docx", answer_docx(last), "derek-answer.docx", DOCX_MIME),
        ("ui_download_chat_md", conversation_markdown(turns), "derek-conversation.md", "text/markdown"),
        ("ui_download_chat_docx", conversation_docx(turns), "derek-conversation.docx", DOCX_MIME),
    ]
    for col, (key, data, name, mime) in zip(cols, buttons, strict=True):
        col.download_button(message(key, lang), data, file_name=name, mime=mime, on_click="ignore",
                            icon=":material/download:", key=f"dl_{key}")


def retrieved(chunks: list, lang: str) -> None:
    with st.expander(message("ui_retrieved_chunks", lang), expanded=True):
        for n, c in enumerate(chunks, 1):
            page = f" · {message('page', lang)} {c.page}" if c.page is not None else ""
            st.markdown(f"**{n}. {md_escape(c.source)}{page}** · {message('ui_score', lang)} {c.score:.3f}")
            st.markdown(highlight(c.text, ""), unsafe_allow_html=True)


def answerer_info(settings: Settings, lang: str) -> None:
    """Which answerer is in use and, for an LLM, whether it is configured."""
    st.markdown(f"**{message('ui_answerer', lang)}**")
    if settings.llm is LLMMode.EXTRACTIVE:
        st.caption(message("ui_answerer_extractive", lang))
        return
    missing = {
        LLMMode.OPENAI: None if settings.llm_key else "OPENAI_API_KEY / DEREK_LLM_API_KEY",
        LLMMode.OPENAI_LIKE: None if settings.llm_base_url else "DEREK_LLM_BASE_URL",
        LLMMode.LLAMACPP: None if settings.llm_model_path and settings.llm_model_path.is_file()
        else "DEREK_LLM_MODEL_PATH",
    }[settings.llm]
    ready = message("ui_llm_not_ready", lang, reason=missing) if missing else message("ui_llm_ready", lang)
    model = message("ui_answerer_llm", lang, mode=settings.llm.value, model=settings.llm_model)
    st.caption(f"{model} — {ready}")


def documents(service, settings: Settings, lang: str) -> None:
    """Upload (with progress and per-file errors), the indexed documents, and deleting one."""
    state = st.session_state
    files = st.file_uploader(
        message("ui_upload", lang, mb=settings.upload_max_mb),
        type=[s.lstrip(".") for s in SUPPORTED_SUFFIXES], accept_multiple_files=True,
        max_upload_size=settings.upload_max_mb,
        key=f"upload_{state.upload_round}",  # a new key empties the uploader once its files are indexed
    )
    if files:
        state.upload_notes = index_uploads(service, settings, files, lang)
        state.upload_round += 1
        st.rerun()
    for kind, note in state.get("upload_notes", []):
        {"ok": st.success, "note": st.warning}.get(kind, st.error)(note)
    docs = sorted(service.documents(), key=lambda d: d["indexed_at"], reverse=True)
    if not docs:
        st.info(message("ui_documents_empty", lang))
        return
    chunks = sum(d["chunks"] for d in docs)
    st.caption(message("ui_documents_count", lang, documents=len(docs), chunks=chunks))
    columns = ["name", "title", "chunks", "language", "indexed_at"]
    st.dataframe(
        [{"name": Path(d["source"]).name, **{c: d[c] for c in columns[1:]}} for d in docs],
        hide_index=True, width="stretch", column_config={c: message(f"ui_col_{c}", lang) for c in columns},
    )
    names = {d["source"]: f"{Path(d['source']).name} — {d['title']}" for d in docs}
    col1, col2 = st.columns([4, 1], vertical_alignment="bottom")
    source = col1.selectbox(message("ui_delete", lang), list(names), format_func=names.get,
                            key="delete_source")
    if col2.button(message("ui_delete_button", lang), key="delete_button", icon=":material/delete:"):
        delete(service, settings, source, next(d for d in docs if d["source"] == source))
        state.upload_notes = [("ok", message("ui_deleted", lang, name=Path(source).name))]
        st.rerun()


def index_uploads(service, settings: Settings, files, lang: str) -> list[tuple[str, str]]:
    """Store and index uploaded files; returns (ok|error, note) lines to show."""
    paths, failed = [], []
    for f in files:
        try:
            max_bytes = settings.upload_max_mb * 2**20
            paths.append(save_upload(f.name, f.getvalue(), settings.uploads_dir, max_bytes))
        except DerekError as exc:
            failed.append((f.name, str(exc)))
    notes = []
    if paths:
        bar = st.progress(0.0)
        position = [0, 1]  # the file being indexed and the number of files
        left = TimeLeft()

        def progress(stage: str, done: int, total: int, source: str) -> None:
            name = Path(source).name
            if stage == "file":
                position[:] = [done, max(total, 1)]
                fraction, text = 0.0, message("ui_indexing", lang, source=name) if source else None
            else:  # pages read and texts embedded within the current file
                fraction = done / total if total else 1.0
                text = message(f"ui_indexing_{stage}", lang, source=name, done=done, total=total)
                if (seconds := left.update(stage, done, total, source)) is not None:
                    text += message("ui_time_left", lang, time=clock_text(seconds))
            bar.progress(min((position[0] + fraction) / position[1], 1.0), text=text)

        try:
            report = service.index(paths, progress=progress)
        except DerekError as exc:
            return [("error", message("ui_upload_failed", lang, name=", ".join(p.name for p in paths),
                                      reason=exc))]
        failed += [(Path(p).name, reason) for p, reason in report.failed]
        notes.append(("ok", message("ui_indexed", lang, added=len(report.added), updated=len(report.updated),
                                    skipped=len(report.skipped))))
        notes += [("note", message("ui_upload_note", lang, name=Path(p).name, note=n)) for p, n in report.notes]
    return notes + [
        ("error", message("ui_upload_failed", lang, name=n, reason=_reason(n, r))) for n, r in failed
    ]


def _reason(name: str, reason: str) -> str:
    """The reason without the leading "path/name: " that loader errors carry (the note names the file)."""
    head, sep, rest = reason.partition(": ")
    return rest if sep and head.endswith(name) else reason


def delete(service, settings: Settings, source: str, entry: dict) -> None:
    """Remove a document from the index, and its stored copy when it was uploaded through the UI."""
    service.delete(source)
    stored = Path(entry.get("path", ""))
    uploads = settings.uploads_dir.resolve()
    if stored.is_file() and stored.resolve().parent == uploads:
        stored.unlink()
