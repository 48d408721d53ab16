"""OCR of PDF pages that have no text layer: pypdfium2 renders the page, Tesseract (kaz+rus+eng) reads it.

Tesseract is the Debian package `tesseract-ocr` with `tesseract-ocr-kaz`, `-rus` and `-eng` (`make install` adds
them); pytesseract is the wrapper. A page whose OCR result does not look like text (a photo, a drawing) is dropped
with a note instead of polluting the index.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_LANGUAGES = "kaz+rus+eng"
DPI = 300  # Tesseract's recommended resolution; 200 reads 12 pt text as well but small print worse
MIN_TEXT_CHARS = 16  # a page whose text layer has fewer letters and digits than this is treated as a scan
MIN_CONFIDENCE = 50.0  # mean word confidence (0-100) below which the result is noise
MIN_WORDLIKE = 0.6  # share of tokens that are words or numbers


@dataclass
class OcrPage:
    text: str
    confidence: float  # mean word confidence, 0-100
    words: int
    wordlike: float  # share of tokens made of letters (>= 2) or digits

    @property
    def usable(self) -> bool:
        return self.words > 0 and self.confidence >= MIN_CONFIDENCE and self.wordlike >= MIN_WORDLIKE


class OcrUnavailable(RuntimeError):
    """Tesseract, or one of the requested language packs, is not installed."""


def needs_ocr(text: str) -> bool:
    """True when a page's text layer is missing or too thin to hold its content."""
    return sum(ch.isalnum() for ch in text) < MIN_TEXT_CHARS


@lru_cache(maxsize=8)
def check_tesseract(languages: str = DEFAULT_LANGUAGES) -> None:
    """Raise OcrUnavailable with the install hint when tesseract or a language is missing."""
    if shutil.which("tesseract") is None:
        raise OcrUnavailable("tesseract is not installed (run `make install`, or apt-get install tesseract-ocr "
                             "tesseract-ocr-kaz tesseract-ocr-rus tesseract-ocr-eng)")
    import pytesseract

    installed = set(pytesseract.get_languages(config=""))
    missing = [lang for lang in languages.split("+") if lang not in installed]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise OcrUnavailable(f"tesseract has no {'+'.join(missing)} language data (apt-get install {packages})")


def ocr_image(image, languages: str = DEFAULT_LANGUAGES) -> OcrPage:
    """Read one page image; lines keep their breaks and paragraphs are separated by a blank line."""
    import pytesseract

    check_tesseract(languages)
    data = pytesseract.image_to_data(image, lang=languages, output_type=pytesseract.Output.DICT)
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for word, conf, block, par, line in zip(data["text"], data["conf"], data["block_num"], data["par_num"],
                                            data["line_num"]):
        if not word.strip():
            continue
        lines.setdefault((block, par, line), []).append(word.strip())
        confidences.append(max(float(conf), 0.0))
    paragraphs: dict[tuple[int, int], list[str]] = {}
    for (block, par, _), words in lines.items():
        paragraphs.setdefault((block, par), []).append(" ".join(words))
    text = "\n\n".join("\n".join(par) for par in paragraphs.values())
    tokens = [w for words in lines.values() for w in words]
    wordlike = sum(_wordlike(t) for t in tokens) / len(tokens) if tokens else 0.0
    confidence = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrPage(text=text, confidence=confidence, words=len(tokens), wordlike=wordlike)


def _wordlike(token: str) -> bool:
    core = token.strip(".,;:!?«»\"'()[]-–—/%")
    letters = sum(ch.isalpha() for ch in core)
    digits = sum(ch.isdigit() for ch in core)
    return bool(core) and (letters >= 2 or digits >= 1) and letters + digits >= len(core) * 0.8


def render_page(pdf, index: int, dpi: int = DPI):
    """A pypdfium2 page as a PIL image."""
    return pdf[index].render(scale=dpi / 72).to_pil()
