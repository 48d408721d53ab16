"""Derek's chat UI (Streamlit): page layout and session state; drawing lives in ui/views.py."""

from __future__ import annotations

import hashlib
import hmac
import threading

import streamlit as st

from assistant.chat import ChatSession, question_language
from assistant.messages import LANGUAGES, message
from assistant.service import Derek
from assistant.settings import Settings
from ui import views

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
# The choice's labels never change with the interface language: Streamlit (1.67) hands back a changed option
# label, not the option, once the labels of a keyed selectbox change between runs, and "auto" was then lost.
AUTO_LABEL = "Auto · Авто"


def language_choice(state) -> str:
    """The sidebar's choice: kk, ru, en, or auto (also for anything unexpected the widget returns)."""
    choice = state.get("lang_choice", "auto")
    return choice if choice in LANGUAGES else "auto"


def _settings_key(settings: Settings) -> str:
    return settings.model_dump_json() + hashlib.sha256((settings.llm_key or "").encode()).hexdigest()


@st.cache_resource(show_spinner=False, hash_funcs={Settings: _settings_key})
def load_service(settings: Settings) -> Derek:
    """One Derek per process and configuration; the embedder and retriever warm up in the background."""
    service = Derek(settings)
    threading.Thread(target=_warm_up, args=(service,), daemon=True).start()
    return service


def _warm_up(service: Derek) -> None:
    try:
        service.embedder.query_vectors(["warm up"])
        if service.store.count():
            service.retriever  # noqa: B018 -- builds the lexical index before the first question
    except Exception:  # noqa: BLE001 -- the first question reports the real error
        pass


def interface_language(state) -> str:
    """The sidebar choice, else the language of the last answer, else the browser's, else English."""
    choice = language_choice(state)
    if choice in LANGUAGES:
        return choice
    if state.get("answer_lang") in LANGUAGES:
        return state.answer_lang
    locale = (st.context.locale or "en")[:2]
    return locale if locale in LANGUAGES else "en"


def password_ok(settings: Settings, lang: str) -> bool:
    if settings.ui_password is None or st.session_state.get("authenticated"):
        return True
    st.title(message("ui_title", lang))
    entered = st.text_input(message("ui_password", lang), type="password", key="password")
    if entered and hmac.compare_digest(entered.encode(), settings.ui_password.get_secret_value().encode()):
        st.session_state.authenticated = True
        st.rerun()
    if entered:
        st.error(message("ui_password_wrong", lang))
    else:
        st.info(message("ui_password_prompt", lang))
    return False


def new_chat() -> None:
    st.session_state.chat.reset()
    st.session_state.turns = []
    st.session_state.last_query = None
    st.session_state.retrieved = None


settings = Settings()
state = st.session_state
lang = interface_language(state)
st.set_page_config(page_title=message("ui_title", lang), page_icon="📚", layout="wide")
if not password_ok(settings, lang):
    st.stop()

service = load_service(settings)
if "chat" not in state or state.chat.service is not service:
    state.chat = ChatSession(service)
    state.turns, state.last_query, state.retrieved = [], None, None
state.setdefault("upload_round", 0)

# every widget whose label is translated has a key, so switching the language keeps its state
question = st.chat_input(message("ui_chat_placeholder", lang), max_chars=settings.max_question_chars,
                         key="question")
if question and question.strip() and language_choice(state) == "auto":
    lang = question_language(question)
    lang = lang if lang in LANGUAGES else interface_language(state)

with st.sidebar:
    st.button(message("ui_new_chat", lang), on_click=new_chat, icon=":material/add_comment:",
              width="stretch", key="new_chat")
    st.selectbox(message("ui_language", lang), ["auto", *LANGUAGES], key="lang_choice",
                 format_func=lambda code: LANGUAGE_NAMES.get(code, AUTO_LABEL))
    views.answerer_info(settings, lang)
    top_k = st.slider(message("ui_top_k", lang), 1, 20, settings.top_k, key="top_k")
    show_chunks = st.toggle(message("ui_show_chunks", lang), key="show_chunks")

st.title(message("ui_title", lang))
st.caption(message("ui_intro", lang))
chat_tab, documents_tab = st.tabs([message("ui_tab_chat", lang), message("ui_tab_documents", lang)])

with chat_tab:
    for asked, answered in state.turns:
        views.turn(asked, answered, lang, service)
    if question and question.strip():
        history = list(state.chat.history)
        answer = views.ask(state.chat, question, top_k, lang)
        if answer is not None:
            state.turns.append((question, answer))
            state.answer_lang = answer.language
            state.last_query, state.retrieved = (question, history, top_k), None
    if state.turns:
        views.downloads(state.turns, lang)
    if show_chunks and state.last_query:
        if state.retrieved is None:
            asked, history, k = state.last_query
            state.retrieved = service.retrieve(asked, k=k, history=history)
        views.retrieved(state.retrieved, lang)

with documents_tab:
    views.documents(service, settings, lang)
