"""The offline answerer: quotes the 1-3 source sentences that best answer the question, or abstains."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.answer.abstain import (
    amount_in,
    asks_for_quantity,
    count_in,
    counted_thing,
    figure_in,
    missing_entities,
    states_the_specifics,
    unseen_acronyms,
)
from assistant.answer.crossref import referring
from assistant.answer.definition import about, asks_for_definition, defined_term, question_words
from assistant.answer.reference import chunk_reference
from assistant.answer.types import Answer, Citation
from assistant.answer.verify import INSTRUCTION
from assistant.messages import message
from assistant.retrieve.types import RetrievedChunk
from index.structure import (
    Reference,
    article_number,
    asked_reference,
    is_note,
    section_heading,
    structural_heading,
)
from index.text.concepts import coverage, mentions_in, named_titles, question_concepts
from index.text.expand import ExpandedQuery, expand_query, load_lexicon, name_matches
from index.text.language import detect_language
from index.text.numbers import extract_numbers


@dataclass(frozen=True)
class Thresholds:
    """The weakest best-sentence score that is still an answer. e5 scores a question against a sentence of another
    language lower than against one of its own, so each case has its threshold; both keep >= 90% of the answerable
    questions of the article (dev + probe + holdout) and of the legal dev set, per language (bench/results/)."""

    same_language: float = 0.90
    cross_language: float = 0.82
    # The weakest fused retrieval score (chunk cosine, best-sentence cosine, IDF-weighted coverage, ...) of the top
    # chunk that is still an answer, when the question and that chunk share a language. Across corpora it tells
    # answerable from unanswerable questions better than the best sentence's score (AUC, trained on the other two
    # corpora: article 0.75 vs 0.68, legal 0.70 vs 0.64, KazQAD kk 0.76 vs 0.68). At 1.32, on the same retrievals:
    # the article's unanswerable questions abstained 11/23 -> 12/23 with no new false abstention, the legal set
    # unchanged, KazQAD kk with its gold passages removed abstained 0.111 -> 0.219 for false abstentions 0.045 ->
    # 0.057 (bench/results/answer-decision.md). No floor across languages: every floor that abstains more there
    # (>= 1.22) first adds false abstentions on the article's en/ru questions.
    fused_same_language: float = 1.32

    def for_languages(self, question: str, source: str) -> float:
        return self.same_language if question == source else self.cross_language

    def retrieval_too_weak(self, language: str, chunks: list[RetrievedChunk]) -> bool:
        """Whether the best retrieved chunk is too weak a match to answer from (see fused_same_language)."""
        top = chunks[0] if chunks else None
        return bool(top and top.fused and top.language == language and top.score < self.fused_same_language)


ABSTAIN_BELOW = Thresholds()
# The answer decision's additions, each switched off in turn by the benchmarks' ablation columns: name ->
# ExtractiveAnswerer options.
ANSWER_ABLATIONS: dict[str, dict] = {
    "− fused floor": {"abstain_below": Thresholds(fused_same_language=0.0)},
    "− acronyms": {"acronyms": False},
    "− amounts": {"amounts": False},
    "− limits and fines": {"limits": False},
    "− asked article": {"articles": False},
    "− named document": {"documents": False},
    "− measure words": {"measures": False},
    "− counts in words": {"counts": False},
}
# The quote selection's settings, each set back in turn by the benchmarks' key-fact / answer-in-quotes columns.
QUOTE_ABLATIONS: dict[str, dict] = {
    "− quote window": {"keep_within": 0.015},  # the first build's near-tie window
    "− definitions": {"definitions": False},
    "− heading context": {"headings": False},
    "− title context": {"titles": False},
    "− cross-references": {"references": False},
}
COVERAGE_WEIGHT = 0.3
CHUNK_PRIOR = 0.1
MAX_QUOTES = 3
# share of credit for question concepts met only in a sentence's context: the sentence just before, the heading of
# its section (a point of a law, «3) кинематография ұйымдарында ...», does not repeat its article's subject) or its
# document's title (an encyclopaedia passage's sentences do not repeat its subject), each context on its own; and
# for names met only in the sentence just before. Headings and titles count since 2026-12-07 (same runs; legal key
# facts 0.615 -> 0.631 and cited 0.714 -> 0.762; KazQAD and the legal set over its Russian texts gain from titles;
# no set loses: bench/results/heading-context.md)
CONTEXT_CARRY = 0.5
# a further sentence this close to the best one is quoted too: the best-scored sentence holds the answer for only
# 0.38-0.64 of the questions whose chunks hold one (sentence-ranking-tried.md), and sentences this close are ties
# within that noise (bench/results/quote-window.md: 0.015 -> 0.05 on three corpora)
KEEP_WITHIN = 0.05
COMPLEMENT_WITHIN = 0.08  # ... and one this close if it mentions a part of the question the others miss
# For a question that asks what a term means, a sentence that defines a term the question names ("TERM – ...") gains
# this much: legal key facts 0.591 -> 0.615 and cited 0.690 -> 0.714 when added; with the heading and title context
# it shortens definition answers at the same recall (legal 475 -> 367 characters, over its Russian texts 641 -> 386,
# KazQAD 2-12 %); licences, the article's sets and KazQAD's recall unchanged (bench/results/definitions.md)
DEFINITION_WEIGHT = 0.06
# For a question that names an article (and point) of a law, a sentence of that article (and point) gains this much
# (half for the article alone): «36-бабының 2-тармағында не делінген?» is answered by 36-бап 2-тармақ, not by the
# points that cite it (bench/results/asked-article.md)
ASKED_WEIGHT = 0.3


@dataclass
class ScoredSentence:
    score: float
    chunk_rank: int
    index: int  # sentence index within the chunk
    text: str


def score_sentences(
    chunks: list[RetrievedChunk],
    expanded: ExpandedQuery,
    definition: list[str] | None = None,
    headings: bool = True,
    titles: bool = True,
    asked: Reference | None = None,
    documents: set[str] | None = None,
) -> list[ScoredSentence]:
    """Every sentence of the retrieved chunks (each text once), scored by e5 similarity plus the share of the
    question's concepts it mentions in any language (part of those only its context mentions: the sentence before
    and, with `headings` and `titles`, its section's heading and its document's title), exact numbers and names,
    and its chunk's rank; with `definition` (the words of a question that asks what a term means), a sentence that
    defines a term the question names gains a little; with `asked` (the article and point a question names), a
    sentence of that article and point gains too (in the `documents` the question names, when it names some)."""
    concepts = question_concepts(expanded)
    bridged = [s for stems in expanded.bridged.values() for s in stems]
    out: dict[str, ScoredSentence] = {}
    top = chunks[0].score if chunks else 0.0
    for rank, chunk in enumerate(chunks):
        texts = chunk.sentence_texts()
        mentions = [mentions_in(text) for text in texts]
        heading = mentions_in(section_heading(chunk.section)) if headings and chunk.section else frozenset()
        title = mentions_in(chunk.title) if titles and chunk.title else frozenset()
        # an editorial note («Ескерту. 37-бапқа өзгерістер енгізілді ...») is metadata of its article, not what it says
        in_asked = _of_asked(chunk, asked, documents) and not is_note(chunk.text)
        for i, text in enumerate(texts):
            if text in out or INSTRUCTION.search(text):  # an instruction inside a source is not a fact
                continue
            sim = chunk.sentence_scores[i] if i < len(chunk.sentence_scores) else 0.0
            own = coverage(concepts, mentions[i])
            score = sim + COVERAGE_WEIGHT * own
            # a sentence often continues its predecessor's subject ("The book ... . It covers 30 years"), a point
            # its article's, a passage its document's; each context carries on its own (the predecessor within
            # the sentence's own chunk, when the result joins several: assistant/retrieve/merge.py)
            before = i > chunk.part_range(i)[0]
            for context in (mentions[i - 1] if before else None, heading, title):
                if context and CONTEXT_CARRY:
                    joint = coverage(concepts, mentions[i] | context)
                    score += CONTEXT_CARRY * COVERAGE_WEIGHT * (joint - own)
            if expanded.numbers:
                found = set(extract_numbers(text))
                score += 0.05 * sum(n in found for n in expanded.numbers) / len(expanded.numbers)
            if expanded.names:
                named = name_matches(expanded.names, text)
                if before and CONTEXT_CARRY:
                    named += CONTEXT_CARRY * max(0.0, name_matches(expanded.names, f"{texts[i - 1]} {text}") - named)
                score += 0.05 * named
            score += CHUNK_PRIOR * (chunk.score - top)
            if definition and (term := defined_term(text)) is not None and about(term, definition, bridged):
                score += DEFINITION_WEIGHT
            if in_asked:
                point = chunk.point_at(chunk.sentence_start(i))[0]
                score += ASKED_WEIGHT * (1.0 if asked.point in (None, point) else 0.5)
            out[text] = ScoredSentence(score, rank, i, text)
    return sorted(out.values(), key=lambda s: -s.score)


HEADING_WORDS = 4
_WORDS = re.compile(r"[^\W\d_]+")
# A sentence that goes on to list what its predecessor announced: "Among them ...", «Среди них ...».
LIST_CONTINUES = re.compile(
    r"[\s\-–—«\"]*(?:олардың ішінде|оның ішінде|атап айтқанда|атап айтсақ|среди них|в их числе|в том числе"
    r"|а именно|among them|these include|they include|namely)\b",
    re.IGNORECASE,
)


def select_quotes(
    ranked: list[ScoredSentence], chunks: list[RetrievedChunk], concepts, keep_within: float = KEEP_WITHIN
) -> list[ScoredSentence]:
    """The best sentence, near-ties, and close runners-up that mention a part of the question the chosen ones
    miss (e.g. the name in "which ambassador ..., and which initiatives"); a sentence ending in ':', a heading
    of a few words, or one followed by a sentence listing what it announced ("Among them ..."), brings the next
    sentence. In source order."""
    best = ranked[0].score
    chosen = [ranked[0]]
    covered = {c.key for c in concepts if c.match(mentions_in(ranked[0].text))}
    for s in ranked[1:]:
        if len(chosen) >= MAX_QUOTES or s.score < best - COMPLEMENT_WITHIN:
            break
        mentions = {c.key for c in concepts if c.match(mentions_in(s.text))}
        if s.score >= best - keep_within or mentions - covered:
            chosen.append(s)
            covered |= mentions
    for s in list(chosen):
        sentences = chunks[s.chunk_rank].sentence_texts()
        if s.index + 1 < chunks[s.chunk_rank].part_range(s.index)[1]:
            follow = sentences[s.index + 1]
            introduces = (
                s.text.rstrip().endswith(":")
                or LIST_CONTINUES.match(follow)
                or len(_WORDS.findall(s.text)) <= HEADING_WORDS  # a bullet or heading: its content follows
            )
            if introduces and all(c.text != follow for c in chosen):
                chosen.append(ScoredSentence(s.score, s.chunk_rank, s.index + 1, follow))
    return sorted(chosen, key=lambda s: (s.chunk_rank, s.index))


def _anything_matched(chunks: list[RetrievedChunk], expanded: ExpandedQuery) -> bool:
    """Whether the retrieved text mentions any of the question's words, concepts (directly or through the term
    bridge), names or numbers. Every answerable question of the article's sets (76) and the legal set (42) does;
    a query like "'; DROP TABLE chunks; --" over them does not."""
    text = " ".join(c.text for c in chunks)
    if (expanded.names and name_matches(expanded.names, text)) or set(expanded.numbers) & set(extract_numbers(text)):
        return True
    mentions = mentions_of(chunks)
    return any(c.match(mentions) for c in question_concepts(expanded))


def mentions_of(chunks: list[RetrievedChunk]) -> frozenset[str]:
    """Every word the retrieved chunks mention (mentions_in of each, cached per text)."""
    return frozenset().union(*(mentions_in(c.text) for c in chunks))


def _articles_of(chunks: list[RetrievedChunk]) -> set[str]:
    """The numbers of the law articles among the retrieved chunks."""
    return {n for c in chunks if (n := article_number(c.section)) is not None}


def _named_documents(
    asked: Reference | None, expanded: ExpandedQuery, chunks: list[RetrievedChunk], named: bool = True
) -> set[str] | None:
    """For a question that names an article, the titles of the retrieved documents it names too (the Law on
    Languages, not the Labour Code), if it names one over another (index.text.concepts.named_titles)."""
    if asked is None or not named:
        return None
    return named_titles(question_concepts(expanded), {c.title for c in chunks})


def _of_asked(chunk: RetrievedChunk, asked: Reference | None, documents: set[str] | None) -> bool:
    """Whether a chunk is of the article a question names, in a document it names (any, when it names none)."""
    return (
        asked is not None
        and article_number(chunk.section) == asked.article
        and (documents is None or chunk.title in documents)
    )


def _asked_article_found(asked: Reference | None, chunks: list[RetrievedChunk], documents: set[str] | None) -> bool:
    """Whether the article a question names is among the retrieved chunks (the retriever brings it whenever the
    sources have it), in the document it names: then the question is matched even when no word of it is («What
    does Article 5 say?» over a Kazakh text whose chunks do not repeat the number of their heading)."""
    return any(_of_asked(c, asked, documents) for c in chunks)


def _article_of(chunk: RetrievedChunk, lines: list[str]) -> str:
    """«36-бап. Сынақ мерзімі: » before a quote from an article (a structural heading), once per answer: a legal
    answer says which article it quotes, and the article's title often carries the subject («... Үкіметінің
    құзыреті»)."""
    heading = section_heading(chunk.section)
    if not heading or structural_heading(heading) is None or any(line.startswith(heading) for line in lines):
        return ""
    return f"{heading}: "


# Where a question asks a second thing: a second question sentence, or "and" / «и» / «және» before a question word.
_PART_BREAK = re.compile(
    r"(?<=\?)\s+(?=\S)|,?\s+(?=(?:and|и|а также|және|әрі)\s+(?:in\s+)?(?:what|which|how|who|when|where"
    r"|какие|какой|какая|какое|сколько|кто|когда|где|в каком|в какой|қанша|қандай|неше|қай|кім|қашан)\b)",
    re.IGNORECASE,
)
_MIN_PART_WORDS = 3


def question_parts(question: str) -> list[str]:
    """The parts of a question that asks two things ("Does the contract have to be in writing, and in how many
    copies?"), each of 3+ words; the question itself when it asks one."""
    parts = [p.strip(" ,") for p in _PART_BREAK.split(question) if p and p.strip(" ,")]
    if len(parts) < 2 or any(len(_WORDS.findall(p)) < _MIN_PART_WORDS for p in parts):
        return [question]
    return parts


class ExtractiveAnswerer:
    """Needs no LLM: the answer is the lead line and verbatim quotes, each with its [n] marker."""

    name = "extractive"

    def __init__(
        self,
        abstain_below: Thresholds | float = ABSTAIN_BELOW,
        lexicon: tuple[Path, ...] = (),
        by_parts: bool = True,
        acronyms: bool = True,
        amounts: bool = True,
        keep_within: float = KEEP_WITHIN,
        definitions: bool = True,
        headings: bool = True,
        titles: bool = True,
        references: bool = True,
        limits: bool = True,
        articles: bool = True,
        documents: bool = True,
        measures: bool = True,
        counts: bool = True,
    ):
        self.by_parts = by_parts
        self.counts = counts
        self.references = references
        self.limits = limits
        self.measures = measures
        self.articles = articles
        self.documents = documents
        self.definitions = definitions
        self.headings = headings
        self.titles = titles
        self.keep_within = keep_within
        self.acronyms = acronyms
        # a quantity question's figure must be an amount: not a year, a date, an ordinal or a reference
        self.figure = amount_in if amounts else figure_in
        if isinstance(abstain_below, float | int):
            abstain_below = Thresholds(float(abstain_below), float(abstain_below), float(abstain_below))
        self.abstain_below = abstain_below
        self.lexicon = load_lexicon(tuple(lexicon))

    def answer(self, question: str, language: str, chunks: list[RetrievedChunk]) -> Answer:
        expanded = self._expand(question, language, chunks)
        if not (expanded.own_terms or expanded.concepts or expanded.names):
            return self._not_found(question, language)  # no content word («Бұл не?», "What is it?"): nothing to find
        asked = asked_reference(question) if self.articles else None
        documents = _named_documents(asked, expanded, chunks, self.documents)
        asked_found = _asked_article_found(asked, chunks, documents)
        if (
            not (_anything_matched(chunks, expanded) or asked_found)
            or missing_entities(chunks, expanded)
            or (self.acronyms and unseen_acronyms(question, language, chunks, expanded))
        ):
            return self._not_found(question, language)
        if self.abstain_below.retrieval_too_weak(language, chunks):
            return self._not_found(question, language)
        if asked is not None and not asked_found and _articles_of(chunks):
            return self._not_found(question, language)  # an article of a law the sources do not have
        parts = question_parts(question) if self.by_parts else [question]
        if len(parts) == 1:
            chosen = self._quotes(question, language, expanded, chunks)
        else:  # each part gets its quotes, checked on its own (only the quantity part needs a figure)
            picked = [self._quotes(part, language, self._expand(part, language, chunks), chunks) for part in parts]
            if any(quotes is None for quotes in picked):
                chosen = None if all(quotes is None for quotes in picked) else self._quotes(
                    question, language, expanded, chunks
                )
            else:
                merged = {(q.chunk_rank, q.index): q for quotes in picked for q in quotes[:2]}
                chosen = sorted(merged.values(), key=lambda q: (q.chunk_rank, q.index))[: MAX_QUOTES + 1]
        if not chosen:
            return self._not_found(question, language)
        citations: list[Citation] = []
        marker_of: dict[int, int] = {}
        lines = [message("lead", language)]
        for s in chosen:
            if s.chunk_rank not in marker_of:
                chunk = chunks[s.chunk_rank]
                marker_of[s.chunk_rank] = len(citations) + 1
                offset = chunk.sentence_start(s.index)  # the quote's page and point: a chunk may span several
                citations.append(
                    Citation(
                        marker=marker_of[s.chunk_rank],
                        source=chunk.source,
                        title=chunk.title,
                        page=chunk.page_at(offset),
                        section=chunk.section,
                        quote=s.text,
                        text=chunk.text,
                        chunk_id=chunk.chunk_id,
                        reference=chunk_reference(chunk, offset),
                    )
                )
            else:
                cit = citations[marker_of[s.chunk_rank] - 1]
                cit.quote = f"{cit.quote} … {s.text}"
            lines.append(f"{_article_of(chunks[s.chunk_rank], lines)}«{s.text}» [{marker_of[s.chunk_rank]}]")
        return Answer(
            question=question,
            language=language,
            answer="\n".join(lines),
            answerable=True,
            citations=citations,
            answerer=self.name,
        )

    def _expand(self, question: str, language: str, chunks: list[RetrievedChunk]) -> ExpandedQuery:
        expanded = expand_query(question, language, self.lexicon)
        if chunks and chunks[0].bridged:  # the retriever's bridge, for the words this question has
            own = set(expanded.own_terms)
            expanded.bridged = {t: stems for t, stems in chunks[0].bridged.items() if t in own}
        return expanded

    def _quotes(
        self, question: str, language: str, expanded: ExpandedQuery, chunks: list[RetrievedChunk]
    ) -> list[ScoredSentence] | None:
        """The sentences that answer `question`, or None when the sources do not: the best one is too weak, or a
        quantity question finds no figure for the place, year and measure it asks about."""
        definition = question_words(question) if self.definitions and asks_for_definition(question) else None
        asked = asked_reference(question) if self.articles else None
        documents = _named_documents(asked, expanded, chunks, self.documents)
        ranked = score_sentences(chunks, expanded, definition, self.headings, self.titles, asked, documents)
        if not ranked or ranked[0].score < self.abstain_below.for_languages(
            language, detect_language(ranked[0].text, default=chunks[ranked[0].chunk_rank].language or language)
        ):
            return None
        chosen = select_quotes(ranked, chunks, question_concepts(expanded), self.keep_within)
        if self.references:  # a provision that names a quoted point qualifies it (assistant/answer/crossref.py)
            added = referring([(q.chunk_rank, q.index) for q in chosen], chunks)
            chosen = sorted(
                chosen + [ScoredSentence(chosen[0].score, r, i, chunks[r].sentence_texts()[i]) for r, i in added],
                key=lambda q: (q.chunk_rank, q.index),
            )
        if not asks_for_quantity(question, self.limits):
            return chosen

        # what the retrieved chunks mention: the question's words among it are the measure a figure must be of
        visible = mentions_of(chunks) if self.measures else None

        # "How many general ideas ...?" is answered by "two general ideas" as by "2 general ideas"
        counted = counted_thing(question, language, expanded) if self.counts else None

        def answers(q: ScoredSentence) -> bool:
            lo, hi = chunks[q.chunk_rank].part_range(q.index)  # the sentences of its own chunk
            texts = chunks[q.chunk_rank].sentence_texts()[lo:hi]
            figure = self.figure(q.text, self.lexicon) or count_in(q.text, counted, self.lexicon)
            return figure and states_the_specifics(texts, q.index - lo, expanded, visible)

        if any(answers(q) for q in chosen):
            return chosen
        figures = [q for q in ranked if q.score >= ranked[0].score - COMPLEMENT_WITHIN and answers(q)]
        if not figures:  # a quantity or date question is not answered without its figure or year, for the
            return None  # place, year and measure it asks about
        kept = [q for q in chosen if not self.figure(q.text, self.lexicon)][: MAX_QUOTES - 1]
        return sorted([*kept, figures[0]], key=lambda q: (q.chunk_rank, q.index))

    def _not_found(self, question: str, language: str) -> Answer:
        return Answer(
            question=question,
            language=language,
            answer=message("not_found", language),
            answerable=False,
            answerer=self.name,
        )


def ablated_answerers(
    options_by_name: dict[str, dict], lexicon: tuple[Path, ...] = ()
) -> dict[str, ExtractiveAnswerer]:
    """One answerer per ablation (name -> ExtractiveAnswerer options: ANSWER_ABLATIONS, QUOTE_ABLATIONS), for the
    benchmarks' `− X` columns."""
    return {name: ExtractiveAnswerer(lexicon=lexicon, **options) for name, options in options_by_name.items()}
