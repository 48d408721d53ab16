# Derek: `make run` serves the chat UI, `make test` runs the test suite. Both bootstrap what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEREK_PORT ?= 8501
export DEREK_PORT
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test lint chromium tesseract dictionaries bench clean
TESSERACT_PACKAGES := tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus tesseract-ocr-eng
DICTIONARY_PACKAGES := libhunspell-1.7-0 hunspell-en-us hunspell-en-gb hunspell-ru hunspell-kk

install: $(STAMP) tesseract dictionaries

# OCR of scanned PDF pages; Derek runs without it (those pages are skipped with a note)
tesseract:
	@command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx kaz \
		&& tesseract --list-langs 2>/dev/null | grep -qx rus || { \
		echo "installing Debian tesseract-ocr (kaz, rus, eng) for scanned PDFs"; \
		{ $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
		$(TESSERACT_PACKAGES) >/dev/null; } || echo "warning: tesseract could not be installed;" \
		"scanned PDF pages will be skipped with a note"; }

# Hunspell (the library and its dictionaries): which capitalized question words are common words (translated across
# languages) and which are names (transliterated); Derek runs without them (every capitalized word is then a name)
dictionaries:
	@for d in en_US en_GB ru_RU kk_KZ; do test -f /usr/share/hunspell/$$d.dic || missing=1; done; \
	ls /usr/lib/*/libhunspell-1.[67].so.0 /usr/lib/libhunspell-1.[67].so.0 >/dev/null 2>&1 || missing=1; \
	[ -z "$$missing" ] || { \
		echo "installing Debian hunspell and its dictionaries (en, ru, kk)"; \
		{ $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
		$(DICTIONARY_PACKAGES) >/dev/null; } || echo "warning: hunspell dictionaries could not be installed;" \
		"capitalized common words in questions will be taken for names"; }

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

run: install
	$(BIN)/derek index corpus
	$(BIN)/derek ui --port $(DEREK_PORT)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian chromium for the browser test"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

test: install chromium
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check assistant index ui bench tests

bench: install
	$(BIN)/derek bench qa
	$(BIN)/derek bench kazqad
	$(BIN)/derek bench crosslingual
	$(BIN)/derek bench speed

clean:
	rm -rf .derek tests/artifacts .pytest_cache
