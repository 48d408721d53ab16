"""Query rewriting (LLM condense + translations as extra queries) against a scripted OpenAI-compatible server."""

import pytest

from assistant.answer.llm_client import make_llm
from assistant.answer.types import Answer, Turn
from assistant.chat import condense
from assistant.prompts import load_prompt
from assistant.query import QueryRewriter, parse_standalone, parse_translations
from assistant.service import Derek
from assistant.settings import Settings

HISTORY = [
    Turn("user", "What is Tajikistan's 2015 foreign policy concept?"),
    Turn("assistant", "It is the concept adopted in 2015 that sets the country's priorities [1]."),
]
FOLLOW_UP = "What did it say about China?"
STANDALONE = "What did Tajikistan's 2015 foreign policy concept say about China?"
TRANSLATIONS = [
    "Тәжікстанның 2015 жылғы сыртқы саяси тұжырымдамасында Қытай туралы не делінген?",
    "Что говорится о Китае во внешнеполитической концепции Таджикистана 2015 года?",
]
ANSWER = "Tajikistan's concept names China among its priorities [1]."


def is_stream(body: dict) -> bool:
    return bool(body.get("stream"))


@pytest.fixture(scope="module")
def shared_server(scripted_server_type):
    server = scripted_server_type()
    yield server
    server.close()


@pytest.fixture
def llm_server(shared_server):
    shared_server.reset()
    return shared_server


@pytest.fixture(scope="module")
def llm_derek(shared_server, indexed_home, settings_for):
    """A Derek in openai-like mode over the session's indexed home, talking to the scripted server."""
    return Derek(settings_for(indexed_home.home, llm="openai-like", llm_base_url=shared_server.url, llm_timeout=10.0))


@pytest.fixture
def rewriter(llm_server):
    settings = Settings(_env_file=None, llm="openai-like", llm_base_url=llm_server.url, llm_timeout=10.0)
    return QueryRewriter(make_llm(settings))


def sources_sent(server, k: int = -1) -> str:
    """The user message of the k-th answering request (those that carry <source> blocks; quote translations
    come after the answer)."""
    answering = [n for n, r in enumerate(server.requests) if "<source" in r["messages"][-1]["content"]]
    return server.messages(answering[k])["user"]


# parsing


@pytest.mark.parametrize(
    "reply",
    [
        "Тәжікстан туралы?\nЧто о Таджикистане?",
        '1. «Тәжікстан туралы?»\n2) "Что о Таджикистане?"',
        "Here are the translations:\n\nKazakh (kk): Тәжікстан туралы?\nRussian (ru): Что о Таджикистане?",
        "- kk: 'Тәжікстан туралы?'\n- ru: “Что о Таджикистане?”\n- en: About Tajikistan?",
        "**Kazakh:** Тәжікстан туралы?\n**Russian:** Что о Таджикистане?",
    ],
)
def test_translations_are_parsed_one_per_line(reply):
    assert parse_translations(reply, "About Tajikistan?") == ["Тәжікстан туралы?", "Что о Таджикистане?"]


def test_translation_parsing_drops_copies_empty_and_runaway_lines():
    question = "Trade with China in 2023?"
    reply = f"{question}\n\n---\n{'Very long answer text. ' * 30}\nRussian trade with China in 2023?\n2023 жылы?"
    # "Russian ..." is content, not a label; a line starting with a year is not numbering
    assert parse_translations(reply, question) == ["Russian trade with China in 2023?", "2023 жылы?"]
    assert parse_translations("", question) == []


def test_standalone_parsing_strips_the_prompts_label_and_refuses_garbage():
    assert parse_standalone('Standalone question: "Who?"\nbecause…', "Standalone question", 400) == "Who?"
    assert parse_standalone("Sure, here it is:\n  What about 2019?  ", "Standalone question", 400) == "What about 2019?"
    assert parse_standalone("  \n ?! \n", "Standalone question", 400) is None
    assert parse_standalone("x" * 500, "Standalone question", 400) is None


# the rewriter against the server


def test_extractive_mode_is_rule_based_and_never_translates():
    rewriter = QueryRewriter(None)
    assert rewriter.standalone(FOLLOW_UP, HISTORY, "en") == condense(FOLLOW_UP, HISTORY)
    assert rewriter.translations(STANDALONE, "en") == []


def test_condense_sends_history_and_follow_up_in_the_questions_language(rewriter, llm_server):
    question = "Ал Қытай туралы не айтылған?"
    llm_server.replies.append("Өз алдына түсінікті сұрақ: Тәжікстанның 2015 жылғы тұжырымдамасы Қытай туралы не дейді?")
    standalone = rewriter.standalone(question, HISTORY, "kk")
    assert standalone == "Тәжікстанның 2015 жылғы тұжырымдамасы Қытай туралы не дейді?"
    assert len(llm_server.requests) == 1
    system, _ = load_prompt("condense", "kk").render(history="", question="")
    messages = llm_server.messages()
    assert messages["system"] == system
    assert f"Нақтылаушы сұрақ: {question}" in messages["user"]
    assert f"user: {HISTORY[0].content}" in messages["user"]
    assert "assistant: It is the concept adopted in 2015 that sets the country's priorities." in messages["user"]


def test_no_history_means_no_condense_call(rewriter, llm_server):
    assert rewriter.standalone(FOLLOW_UP, [], "en") == FOLLOW_UP
    assert llm_server.requests == []


@pytest.mark.parametrize("reply", ["", "   ", "Standalone question:", "word " * 200])
def test_unusable_condense_reply_falls_back_to_the_rule_based_question(rewriter, llm_server, reply):
    llm_server.replies.append(reply)
    assert rewriter.standalone(FOLLOW_UP, HISTORY, "en") == condense(FOLLOW_UP, HISTORY)
    assert len(llm_server.requests) == 1


def test_translate_request_names_the_other_languages_in_order(rewriter, llm_server):
    llm_server.replies.append("\n".join(f"{n}. {t}" for n, t in enumerate(TRANSLATIONS, 1)))
    assert rewriter.translations(STANDALONE, "en") == TRANSLATIONS
    messages = llm_server.messages()
    assert "Kazakh (kk) and Russian (ru)" in messages["system"]
    assert messages["user"] == f"Question (English): {STANDALONE}"


def test_server_error_means_rule_based_condense_and_no_translations(rewriter, llm_server):
    llm_server.mode = "error"
    assert rewriter.standalone(FOLLOW_UP, HISTORY, "en") == condense(FOLLOW_UP, HISTORY)
    assert rewriter.translations(STANDALONE, "en") == []
    assert llm_server.requests  # it did try


# the service


def test_translations_join_retrieval_as_extra_queries(llm_derek, llm_server):
    llm_server.replies.append("\n".join(TRANSLATIONS))
    results = llm_derek.retrieve(STANDALONE, k=5)
    assert "Kazakh (kk) and Russian (ru)" in llm_server.messages(0)["system"]
    retriever = llm_derek.retriever
    with_extra = retriever.retrieve(STANDALONE, "en", 5, extra_queries=TRANSLATIONS)
    plain = retriever.retrieve(STANDALONE, "en", 5)
    ranking = [(c.chunk_id, round(c.score, 5)) for c in results]
    assert ranking == [(c.chunk_id, round(c.score, 5)) for c in with_extra]
    assert ranking != [(c.chunk_id, round(c.score, 5)) for c in plain]


def test_follow_up_is_condensed_by_the_model_and_its_standalone_question_retrieves(llm_derek, llm_server):
    llm_server.replies += [STANDALONE, "\n".join(TRANSLATIONS), ANSWER]
    *deltas, answer = list(llm_derek.stream(FOLLOW_UP, history=HISTORY, k=3))
    assert isinstance(answer, Answer) and "".join(deltas) == ANSWER
    condense_request, translate_request, answer_request = (llm_server.messages(i) for i in range(3))
    assert f"Follow-up question: {FOLLOW_UP}" in condense_request["user"]
    assert HISTORY[0].content in condense_request["user"]
    assert translate_request["user"] == f"Question (English): {STANDALONE}"
    assert answer.standalone_question == STANDALONE
    expected = llm_derek.retriever.retrieve(STANDALONE, "en", 3, extra_queries=TRANSLATIONS)
    sent = answer_request["user"]
    positions = [sent.index(c.text) for c in expected]  # the sources are the standalone question's, in order
    assert positions == sorted(positions)
    assert f"Question: {FOLLOW_UP}" in sent  # the answer itself is asked with the user's own words
    assert answer.timings["rewrite"] > 0
    assert answer.timings["total"] + 1e-3 >= answer.timings["rewrite"] + answer.timings["retrieve"]


def test_rewrite_failure_falls_back_silently_and_the_answer_still_works(llm_derek, llm_server):
    llm_server.fail_if = lambda body: not is_stream(body)  # condense and translate fail, the answer does not
    llm_server.replies.append(ANSWER)
    answer = llm_derek.ask(FOLLOW_UP, history=HISTORY, k=3)
    assert answer.answer == ANSWER and answer.answerer == "openai-like"
    rule_based = condense(FOLLOW_UP, HISTORY)
    assert answer.standalone_question == rule_based
    expected = llm_derek.retriever.retrieve(rule_based, "en", 3)  # no extra queries
    assert expected[0].text in sources_sent(llm_server)
    assert sum(not is_stream(r) for r in llm_server.requests) >= 2  # both rewrite steps were tried


def test_extractive_service_keeps_rule_based_condense(service):
    answer = service.ask(FOLLOW_UP, history=HISTORY, k=3)
    assert answer.standalone_question == condense(FOLLOW_UP, HISTORY)
    assert answer.answerer == "extractive" and "rewrite" in answer.timings
    assert service.rewriter.llm is None
