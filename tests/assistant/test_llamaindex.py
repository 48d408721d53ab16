"""Derek inside LlamaIndex: its retriever in LlamaIndex's own engines, its query and chat engines on real LlamaIndex
classes (MockLLM where an LLM is needed), node postprocessors, ChatMemoryBuffer memory, prompt templates."""

from __future__ import annotations

import asyncio

import pytest
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.chat_engine import CondensePlusContextChatEngine
from llama_index.core.chat_engine.types import BaseChatEngine
from llama_index.core.llms import MockLLM
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.postprocessor import SimilarityPostprocessor
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.prompts import ChatPromptTemplate
from llama_index.core.query_engine import RetrieverQueryEngine

from assistant.llamaindex import (
    DerekQueryEngine,
    chunk_to_node,
    derek_chat_engine,
    derek_query_engine,
    derek_retriever,
    node_to_chunk,
)
from assistant.prompts import load_prompt

TRADE_RU = "Каким был объём торговли Китая и Туркменистана в 2023 году?"
FOLLOW_UP_RU = "А что в ней сказано об энергетике?"
CONCEPT_RU = "Когда Таджикистан принял концепцию внешней политики?"
LABOUR_EN = "How long can a probation period last under the Labour Code?"


def test_the_retriever_returns_nodes_with_derek_metadata(indexed_home):
    retriever = derek_retriever(settings=indexed_home)
    assert isinstance(retriever, BaseRetriever)
    nodes = retriever.retrieve(TRADE_RU)
    assert 1 <= len(nodes) <= indexed_home.top_k
    assert "10,59" in nodes[0].node.get_content()
    meta = nodes[0].node.metadata
    assert {"source", "title", "page", "section", "language", "reference", "sentences"} <= set(meta)
    assert meta["source"].endswith("central-asia-china-foreign-policy.kk.txt") and meta["language"] == "kk"
    assert "sentences" not in nodes[0].node.get_content(metadata_mode="llm")  # evidence is not prompt text
    assert [n.node.node_id for n in asyncio.run(retriever.aretrieve(TRADE_RU))] == [n.node.node_id for n in nodes]


def test_nodes_and_chunks_round_trip(service):
    chunk = service.retrieve(TRADE_RU, k=1)[0]
    back = node_to_chunk(chunk_to_node(chunk))
    assert (back.chunk_id, back.text, back.source, back.page, back.section, back.sentences) == (
        chunk.chunk_id, chunk.text, chunk.source, chunk.page, chunk.section, chunk.sentences)
    assert back.sentence_scores == pytest.approx(chunk.sentence_scores)


def test_a_merged_result_round_trips_with_its_parts(service):
    """A result that joins chunks (assistant/retrieve/merge.py) keeps where each part begins, so an answerer given
    LlamaIndex nodes reads each quote's context and point within its own part."""
    from assistant.retrieve.merge import join

    first, second = service.retriever_with(merge=False).retrieve(TRADE_RU, "ru", 2)
    merged = join([first, second])
    back = node_to_chunk(chunk_to_node(merged))
    assert back.parts == merged.parts and len(back.parts) == 1 and back.position == merged.position is not None
    assert [back.part_range(i) for i in range(len(back.sentences))] == [
        merged.part_range(i) for i in range(len(merged.sentences))]
    assert back.sentence_texts() == first.sentence_texts() + second.sentence_texts() or (
        back.sentence_texts() == second.sentence_texts() + first.sentence_texts())


def test_derek_retriever_in_llamaindex_engines(indexed_home):
    retriever = derek_retriever(settings=indexed_home)
    expected = [n.node.node_id for n in retriever.retrieve(TRADE_RU)]
    response = RetrieverQueryEngine.from_args(retriever, llm=MockLLM(max_tokens=8)).query(TRADE_RU)
    assert [n.node.node_id for n in response.source_nodes] == expected
    chat = CondensePlusContextChatEngine.from_defaults(retriever=retriever, llm=MockLLM(max_tokens=8))
    reply = chat.chat(TRADE_RU)
    assert reply.source_nodes and "10,59" in reply.source_nodes[0].node.get_content()
    second = chat.chat(CONCEPT_RU)  # a second turn: condensed with the first by the engine, then retrieved by Derek
    assert second.source_nodes and len(chat.chat_history) == 4


def test_the_query_engine_answers_with_citations_and_source_nodes(indexed_home):
    engine = derek_query_engine(settings=indexed_home)
    assert isinstance(engine, DerekQueryEngine)
    response = engine.query(TRADE_RU)
    answer = response.metadata["answer"]
    assert "10,59" in str(response) and str(response) == answer.answer
    assert answer.citations and answer.citations[0].chunk_id in {n.node.node_id for n in response.source_nodes}


class OnlyAbstracts(BaseNodePostprocessor):
    """Keeps the nodes of the abstract sections only (a user's own filter)."""

    def _postprocess_nodes(self, nodes, query_bundle=None):
        return [n for n in nodes if "ннотация" in (n.node.metadata.get("section") or "")
                or "Abstract" in (n.node.metadata.get("section") or "")]


def test_node_postprocessors_shape_what_the_answerer_sees(service):
    engine = DerekQueryEngine(retriever=service.query_engine.retriever,
                              node_postprocessors=[SimilarityPostprocessor(similarity_cutoff=99.0)])
    answer = engine.query(TRADE_RU).metadata["answer"]
    assert not answer.answerable and not answer.citations  # nothing left to cite: an abstention
    filtered = DerekQueryEngine(retriever=service.query_engine.retriever, node_postprocessors=[OnlyAbstracts()])
    response = filtered.query(TRADE_RU)
    assert all("ннотация" in (n.node.metadata["section"] or "") or "Abstract" in (n.node.metadata["section"] or "")
               for n in response.source_nodes)
    cited = {c.chunk_id for c in response.metadata["answer"].citations}
    assert cited <= {n.node.node_id for n in response.source_nodes}


def test_the_chat_engine_remembers_and_streams(indexed_home):
    engine = derek_chat_engine(settings=indexed_home)
    assert isinstance(engine, BaseChatEngine) and isinstance(engine.memory, ChatMemoryBuffer)
    first = engine.chat(CONCEPT_RU)
    assert "2015" in first.response and first.source_nodes
    assert first.metadata["answer"].citations
    follow = engine.chat(FOLLOW_UP_RU)
    assert follow.metadata["answer"].standalone_question  # the memory made the follow-up standalone
    assert any("энергетикалық" in n.node.get_content() for n in follow.source_nodes)
    assert [m.role.value for m in engine.chat_history] == ["user", "assistant", "user", "assistant"]
    streamed = engine.stream_chat(TRADE_RU)
    assert streamed.source_nodes and "10,59" in streamed.source_nodes[0].node.get_content()
    text = "".join(streamed.response_gen)
    assert "10,59" in text and text == streamed.metadata["answer"].answer
    assert len(engine.chat_history) == 6
    engine.reset()
    assert engine.chat_history == [] and engine.history == []


def test_memory_is_token_bounded(indexed_home, settings_for):
    from assistant.tokens import count_tokens

    budget = 500
    engine = derek_chat_engine(settings=settings_for(indexed_home.home, lexicon=indexed_home.lexicon,
                                                     history_tokens=budget))
    for question in (CONCEPT_RU, TRADE_RU, CONCEPT_RU):
        engine.chat(question)
    assert len(engine.chat_history) == 6  # everything is kept ...
    kept = engine.history  # ... and what the next question is asked with fits the budget
    assert 0 < len(kept) < 6 and kept[0].role == "user"
    assert count_tokens(" ".join(t.content for t in kept)) <= budget


def test_the_chat_engine_streams_llm_tokens(indexed_home, llm_server, settings_for):
    llm_server.respond = lambda body: (
        "In 2023 the trade volume was 10.59 billion dollars [1]." if "<source" in body["messages"][-1]["content"]
        else "")
    engine = derek_chat_engine(settings=settings_for(indexed_home.home, lexicon=indexed_home.lexicon,
                                                     llm="openai-like", llm_base_url=llm_server.url,
                                                     llm_api_key="k", llm_model="stub"))
    streamed = engine.stream_chat("What was the trade volume between China and Turkmenistan in 2023?")
    tokens = list(streamed.response_gen)
    assert len(tokens) > 3 and "".join(tokens).startswith("In 2023 the trade volume")
    assert streamed.metadata["answer"].citations and streamed.source_nodes


def test_prompts_are_llamaindex_templates():
    prompt = load_prompt("answer", "kk")
    assert isinstance(prompt.template, ChatPromptTemplate)
    system, user = prompt.messages(sources="<source id=\"1\">{question}</source>", history="—", question="Q?")
    assert "{question}</source>" in user.content and "Q?" in user.content  # one pass: inserted text stays
