"""Derek as LlamaIndex components: a retriever, a query engine and a chat engine, usable from any LlamaIndex app.

    from assistant.llamaindex import derek_retriever, derek_chat_engine
    retriever = derek_retriever()            # BaseRetriever over the configured collection (DEREK_* settings)
    nodes = retriever.retrieve("question")   # list[NodeWithScore]; metadata: source, title, page, section, ...
    engine = derek_chat_engine()             # BaseChatEngine: .chat(q), .stream_chat(q) -> .source_nodes

The UI, the CLI and the benchmarks answer through these same engines (`Derek.ask` is `DerekQueryEngine.answer`,
the UI's and `derek chat`'s conversations are `DerekChatEngine`s).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import astuple, dataclass, field
from threading import Thread
from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole
from llama_index.core.base.response.schema import Response
from llama_index.core.chat_engine.types import AgentChatResponse, BaseChatEngine, StreamingAgentChatResponse
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from pydantic import ConfigDict, Field

from assistant.answer.reference import chunk_reference
from assistant.answer.types import Answer, Turn
from assistant.history import memory as make_memory
from assistant.history import recent, to_turns
from assistant.retrieve.types import Part, RetrievedChunk
from assistant.settings import Settings

# Node metadata the answerers need but an LLM prompt or an embedding should not see
_EVIDENCE_KEYS = [
    "sentences", "sentence_scores", "bridged", "point", "subpoint", "chunk_id", "page_breaks", "position", "parts"
]


def chunk_to_node(chunk: RetrievedChunk) -> NodeWithScore:
    """A retrieved chunk as a LlamaIndex node: its text, Derek's metadata and its per-sentence evidence."""
    node = TextNode(
        id_=chunk.chunk_id,
        text=chunk.text,
        metadata={
            "source": chunk.source, "title": chunk.title, "page": chunk.page, "section": chunk.section,
            "language": chunk.language, "reference": chunk_reference(chunk), "point": chunk.point,
            "subpoint": chunk.subpoint, "chunk_id": chunk.chunk_id,
            "sentences": [list(span) for span in chunk.sentences],
            "sentence_scores": [float(s) for s in chunk.sentence_scores],
            "bridged": chunk.bridged,
            "page_breaks": [list(b) for b in chunk.page_breaks],
            "position": chunk.position,
            "parts": [list(astuple(p)) for p in chunk.parts],
        },
        excluded_llm_metadata_keys=_EVIDENCE_KEYS,
        excluded_embed_metadata_keys=_EVIDENCE_KEYS + ["reference", "language"],
    )
    return NodeWithScore(node=node, score=float(chunk.score))


def node_to_chunk(node: NodeWithScore, known: dict[str, RetrievedChunk] | None = None) -> RetrievedChunk:
    """Back to Derek's chunk: the retriever's own object when it made the node (it keeps the stored sentence
    vectors), else rebuilt from the node's metadata (sentence vectors are then computed when needed)."""
    found = (known or {}).get(node.node.node_id)
    if found is not None:
        if node.score is not None and node.score != found.score:
            from dataclasses import replace

            return replace(found, score=float(node.score))
        return found
    meta = node.node.metadata
    text = node.node.get_content()
    sentences = [tuple(span) for span in meta.get("sentences") or [(0, len(text))]]
    return RetrievedChunk(
        chunk_id=node.node.node_id, text=text, source=meta.get("source", ""), title=meta.get("title", ""),
        page=meta.get("page"), section=meta.get("section"), language=meta.get("language", ""),
        score=float(node.score or 0.0), sentences=sentences,
        sentence_scores=list(meta.get("sentence_scores") or []), point=meta.get("point"),
        subpoint=meta.get("subpoint"), bridged=dict(meta.get("bridged") or {}),
        page_breaks=[tuple(b) for b in _listed(meta.get("page_breaks"))],
        position=meta.get("position"),
        parts=[Part(*p) for p in _listed(meta.get("parts"))],
    )


def _listed(value) -> list:
    """A list kept in node metadata, as a list or as the JSON string Chroma stores."""
    return json.loads(value) if isinstance(value, str) else list(value or [])


class DerekRetriever(BaseRetriever):
    """Derek's hybrid retrieval (dense chunk and sentence search, BM25, concepts, term bridge) as a BaseRetriever.

    It retrieves exactly as `derek retrieve` does (`Derek.retrieve`): with an LLM configured the question is also
    translated into the other two languages as extra queries. Follow-ups are made standalone by the chat engine.
    """

    def __init__(self, service, k: int | None = None, callback_manager=None) -> None:
        super().__init__(callback_manager=callback_manager)
        self.service = service
        self.k = k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [chunk_to_node(c) for c in self.service.retrieve(query_bundle.query_str, k=self.k)]

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        import asyncio

        return await asyncio.to_thread(self._retrieve, query_bundle)


class DerekQueryEngine(CustomQueryEngine):
    """Retrieve, answer (extractive or LLM, as configured), cite, verify and translate quotes.

    `query(q)` returns a Response whose `source_nodes` are the retrieved nodes and whose `metadata["answer"]`
    is Derek's Answer (citations with references, unsupported claims, timings). Node postprocessors run on the
    retrieved nodes before the answerer sees them.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: DerekRetriever
    node_postprocessors: list[BaseNodePostprocessor] = Field(default_factory=list)

    @property
    def service(self):
        return self.retriever.service

    def custom_query(self, query_str: str) -> Response:
        answer, nodes = self.answer_with_nodes(query_str)
        return Response(response=answer.answer, source_nodes=nodes, metadata={"answer": answer})

    def answer(self, question: str, history: list[Turn] | None = None, k: int | None = None) -> Answer:
        return self.answer_with_nodes(question, history, k)[0]

    def answer_with_nodes(self, question: str, history: list[Turn] | None = None,
                          k: int | None = None) -> tuple[Answer, list[NodeWithScore]]:
        answer, nodes = None, []
        for item in self._run(question, history, k):
            if isinstance(item, Answer):
                answer = item
            elif isinstance(item, list):
                nodes = item
        return answer, nodes

    def stream(self, question: str, history: list[Turn] | None = None, k: int | None = None) -> Iterator:
        """Text deltas (LLM answerer), then the final Answer."""
        for item in self._run(question, history, k):
            if not isinstance(item, list):
                yield item

    def _run(self, question: str, history: list[Turn] | None, k: int | None) -> Iterator:
        """Yields the retrieved nodes (a list), the answer's text deltas (str), then the Answer."""
        service = self.service
        t0 = time.perf_counter()
        checked, standalone, extra_queries, rewrite = service.prepare(question, history)
        t1 = time.perf_counter()
        k = k or self.retriever.k or service.settings.top_k
        chunks = service.retriever.retrieve(standalone, checked.language, k, extra_queries=extra_queries)
        nodes = [chunk_to_node(c) for c in chunks]
        for post in self.node_postprocessors:
            nodes = post.postprocess_nodes(nodes, query_bundle=QueryBundle(standalone))
        known = {c.chunk_id: c for c in chunks}
        chunks = [node_to_chunk(n, known) for n in nodes]
        yield nodes
        t2 = time.perf_counter()
        answer = None
        if service.llm is None:
            answer = service.answerer.answer(checked.text, checked.language, chunks)
        else:
            for item in service.answerer.stream(checked.text, checked.language, chunks, history or []):
                if isinstance(item, Answer):
                    answer = item
                else:
                    yield item
            service.quote_translator.translate(answer)
        t3 = time.perf_counter()
        answer.question = question
        answer.standalone_question = standalone if standalone != checked.text else None
        if checked.note:
            answer.answer = f"({checked.note})\n{answer.answer}"
        answer.timings.update({"prepare": round(t1 - t0 - rewrite, 4), "rewrite": round(rewrite, 4),
                               "retrieve": round(t2 - t1, 4), "answer": round(t3 - t2, 4),
                               "total": round(t3 - t0, 4)})
        yield answer


@dataclass
class DerekStreamingChatResponse(StreamingAgentChatResponse):
    """LlamaIndex's streaming chat response, plus `metadata["answer"]` (Derek's Answer) once the stream ends."""

    metadata: dict[str, Any] = field(default_factory=dict)


class _Discard:
    """A memory that forgets: the chat engine writes the final answer (not the raw deltas) itself."""

    def put(self, message: ChatMessage) -> None:
        pass


class DerekChatEngine(BaseChatEngine):
    """A conversation over a DerekQueryEngine, remembered in a token-bounded ChatMemoryBuffer.

    `chat(q)` returns an AgentChatResponse with `source_nodes` and `metadata["answer"]` (Derek's Answer);
    `stream_chat(q)` streams the text (`response_gen`) and has the same `source_nodes`; once the stream ends,
    `.metadata["answer"]` holds the Answer. `ask`/`stream` are the same with Derek's Answer as the result (the UI
    and `derek chat` use them).
    """

    def __init__(self, query_engine: DerekQueryEngine, memory: ChatMemoryBuffer | None = None,
                 k: int | None = None) -> None:
        self.query_engine = query_engine
        self.k = k
        self.memory = memory or make_memory(query_engine.service.settings.history_tokens)

    @property
    def service(self):
        return self.query_engine.service

    # Derek's interface
    @property
    def history(self) -> list[Turn]:
        """The latest turns within the memory's token limit (what the next question is asked with)."""
        return recent(to_turns(self.memory.get_all()), self.memory.token_limit)

    def _remember(self, question: str, answer: Answer) -> None:
        self.memory.put(ChatMessage(role=MessageRole.USER, content=question))
        self.memory.put(ChatMessage(role=MessageRole.ASSISTANT, content=answer.answer))

    def ask(self, question: str, k: int | None = None) -> Answer:
        answer = self.query_engine.answer(question, self.history, k or self.k)
        self._remember(question, answer)
        return answer

    def stream(self, question: str, k: int | None = None) -> Iterator[str | Answer]:
        for item in self.query_engine.stream(question, self.history, k or self.k):
            if isinstance(item, Answer):
                self._remember(question, item)
            yield item

    # LlamaIndex's interface
    def reset(self) -> None:
        self.memory.reset()

    @property
    def chat_history(self) -> list[ChatMessage]:
        return self.memory.get_all()

    def _history_for(self, chat_history: list[ChatMessage] | None) -> list[Turn]:
        if chat_history is not None:
            self.memory.set(list(chat_history))
        return self.history

    def chat(self, message: str, chat_history: list[ChatMessage] | None = None) -> AgentChatResponse:
        answer, nodes = self.query_engine.answer_with_nodes(message, self._history_for(chat_history), self.k)
        self._remember(message, answer)
        return AgentChatResponse(response=answer.answer, source_nodes=nodes, metadata={"answer": answer})

    def stream_chat(self, message: str, chat_history: list[ChatMessage] | None = None
                    ) -> DerekStreamingChatResponse:
        history = self._history_for(chat_history)
        run = self.query_engine._run(message, history, self.k)
        nodes = next(run)  # retrieval happens before the first token
        metadata: dict[str, Any] = {}

        def deltas() -> Iterator[ChatResponse]:
            text = ""
            for item in run:
                if isinstance(item, Answer):
                    metadata["answer"] = item
                    self._remember(message, item)
                    if not text:  # the extractive answerer does not stream: its answer is one delta
                        yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=item.answer),
                                           delta=item.answer)
                else:
                    text += item
                    yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=item)

        response = DerekStreamingChatResponse(chat_stream=deltas(), source_nodes=nodes, metadata=metadata)
        thread = Thread(target=response.write_response_to_history, args=(_Discard(),), daemon=True)
        response.write_response_to_history_thread = thread
        thread.start()  # as LlamaIndex's own engines do: response_gen reads the deltas while they come
        return response

    async def achat(self, message: str, chat_history: list[ChatMessage] | None = None) -> AgentChatResponse:
        import asyncio

        return await asyncio.to_thread(self.chat, message, chat_history)

    async def astream_chat(self, message: str, chat_history: list[ChatMessage] | None = None):
        import asyncio

        return await asyncio.to_thread(self.stream_chat, message, chat_history)


def _service(settings: Settings | None, collection: str | None):
    from assistant.service import Derek

    return Derek(settings or Settings(), collection=collection)


def derek_retriever(settings: Settings | None = None, collection: str | None = None,
                    k: int | None = None) -> DerekRetriever:
    """A BaseRetriever over the configured collection (DEREK_* settings unless `settings` is given)."""
    return DerekRetriever(_service(settings, collection), k=k)


def derek_query_engine(settings: Settings | None = None, collection: str | None = None) -> DerekQueryEngine:
    return _service(settings, collection).query_engine


def derek_chat_engine(settings: Settings | None = None, collection: str | None = None) -> DerekChatEngine:
    """A BaseChatEngine: `.chat(q)` and `.stream_chat(q)` return responses with `.source_nodes`."""
    return DerekChatEngine(_service(settings, collection).query_engine)
