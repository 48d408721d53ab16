"""Answer and Citation: what every answerer returns and the CLI/UI render."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Citation:
    """One numbered reference: the chunk cited and the sentence(s) in it that support the claim."""

    marker: int
    source: str
    title: str
    page: int | None
    section: str | None
    quote: str
    text: str
    chunk_id: str
    reference: str = ""  # one line in the source's own terms: title, chapter › article › point, page
    quote_translation: str | None = None  # machine translation of the quote into the answer's language (LLM)


@dataclass
class Answer:
    """A cited answer in the question's language (or an abstention)."""

    question: str
    language: str
    answer: str
    answerable: bool
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    standalone_question: str | None = None  # the condensed question used for retrieval (follow-ups)
    answerer: str = "extractive"

    def to_dict(self) -> dict:
        """The JSON object of the CLI contract (`derek ask --json`)."""
        data = asdict(self)
        return {
            "question": data["question"],
            "language": data["language"],
            "answer": data["answer"],
            "answerable": data["answerable"],
            "citations": data["citations"],
            "unsupported": data["unsupported"],
            "timings": data["timings"],
            "standalone_question": data["standalone_question"],
            "answerer": data["answerer"],
        }


@dataclass
class Turn:
    """One message of a conversation."""

    role: str  # "user" | "assistant"
    content: str
