"""When the offline answerer abstains: quantity questions need their figure for the asked place, year and measure;
named things the sources lack."""

from pathlib import Path as _Path

import pytest

from assistant.answer.abstain import asks_for_quantity
from index.text.expand import load_lexicon as _load_lexicon

# the article's domain vocabulary: these tests are about mechanisms that work on a lexicon's concepts
DOMAIN = _load_lexicon((_Path(__file__).resolve().parents[3] / "lexicons" / "central-asia.tsv",))


@pytest.mark.parametrize(
    "question",
    [
        "How many joint ventures were opened?",
        "What is the population of China according to the article?",
        "What was the trade volume between China and Turkmenistan in 2023?",
        "Каким был объём торговли Китая и Туркменистана в 2023 году?",
        "Сколько институтов Конфуция открыто?",
        "Какова численность населения Китая?",
        "Қытай мен Түрікменстан арасындағы сауда көлемі қанша болды?",
        "Неше бірлескен кәсіпорын бар?",
        "How long is the railway tunnel?",
        "Какова протяжённость газопровода?",
        "Туннельдің ұзындығы қандай?",
        "What is the maximum normal working week under the Labour Code?",
        "Какой минимальный срок трудового договора?",
        "Сынақ мерзімінің максималды ұзақтығы қандай?",
        "Какой штраф грозит организации за вывеску?",
        "What fine does the law set for a Russian-only sign?",
        "Мемлекеттік тілді білмегені үшін айыппұл бар ма?",
    ],
)
def test_quantity_questions_are_recognised(question):
    assert asks_for_quantity(question)


@pytest.mark.parametrize(
    "question",
    [
        "Which Chinese ambassador to Kazakhstan is quoted?",
        "Какой принцип в международных отношениях твёрдо придерживается Туркменистан?",
        "Какой период истории отношений исследован в монографии В.В. Парамонова?",
        "Өзбекстанның қазіргі сыртқы саясатын сипаттау үшін қандай термин пайда болды?",
        "When did the president visit China?",
        "How long did the visit last?",
        "1867-1868 жылғы «Ережелер» бойынша сот жүйесінің ең төменгі буыны",
        "Is it fine to write the contract in Russian?",
    ],
)
def test_other_questions_are_not(question):
    assert not asks_for_quantity(question)


def test_a_quantity_question_is_answered_with_the_figure(service):
    answer = service.ask("Каким был объём торговли Китая и Туркменистана в 2023 году?")
    assert answer.answerable
    assert "10,59" in answer.answer


def test_a_quantity_question_without_a_figure_in_the_sources_abstains(service):
    # the article mentions China and "residents", but gives no population figure
    answer = service.ask("What is the population of China according to the article?")
    assert not answer.answerable, answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "What was the trade volume between Kazakhstan and China in 2024?",  # the article has 2023
        "2023 жылы Өзбекстан мен Қытай арасындағы сауда көлемі қанша болды?",  # it has Turkmenistan's 2023
        "What is the annual gas throughput capacity of the Central Asia–China pipeline?",  # no figure
        "Какова стоимость строительства железной дороги Китай – Кыргызстан – Узбекистан?",  # no cost given
    ],
)
def test_a_figure_for_another_place_year_or_measure_is_not_an_answer(service, question):
    answer = service.ask(question)
    assert not answer.answerable, answer.answer


def test_the_figure_for_the_asked_place_and_year_is_still_given(service):
    answer = service.ask("Какую долю внешнеторгового оборота Узбекистана приходилось на Китай в конце 2019 года?")
    assert answer.answerable and "18,1" in answer.answer


def test_a_multiword_name_the_sources_lack_is_not_answered(service):
    answer = service.ask("Транскаспий халықаралық көлік бағыты (Орта дәліз) туралы мақалада не айтылған?")
    assert not answer.answerable, answer.answer


@pytest.mark.parametrize(
    ("question", "states"),
    [
        ("What was the trade volume between Turkmenistan and China in 2023?", True),
        ("What was the trade volume between Kazakhstan and China in 2023?", False),  # another country
        ("What was the trade volume between Turkmenistan and China in 2024?", False),  # another year
        ("How many students from Turkmenistan studied in China in 2023?", False),  # another measure
    ],
)
def test_a_figure_sentence_must_state_the_questions_place_year_and_measure(question, states):
    from assistant.answer.abstain import states_the_specifics
    from index.text.expand import expand_query

    texts = [
        "Түрікменстан Қытайдың негізгі газ жеткізушісі.",
        "2023 жылы Қытай мен Түрікменстан арасындағы екіжақты сауда көлемі 10,59 миллиард АҚШ долларын құрады.",
    ]
    assert states_the_specifics(texts, 1, expand_query(question, "en", DOMAIN)) is states


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("Сынақ мерзімі үш айдан аспауға тиіс.", True),
        ("кемінде бір ай бұрын хабардар етуге міндетті", True),
        ("не более трёх месяцев", True),
        ("within five calendar days", True),
        ("2020 жылы қабылданды", True),
        ("Бір жағынан, Қытай маңызды серіктес.", False),  # «бір» alone is "one/a", no figure
        ("оның құқықтары сақталады", False),  # «он» (ten) is not «оның»
        ("one of the partners", False),
    ],
)
def test_a_figure_is_digits_or_a_number_word_with_a_unit(text, figure):
    from assistant.answer.abstain import figure_in
    from index.text.expand import load_lexicon

    assert figure_in(text, load_lexicon()) is figure


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("2023 жылғы 18 мамырда Сиань қаласында келісімге қол қойылды.", False),  # a year and a day of a month
        ("2017 жылы Коммунистік партияның 19-съезінде енгізілді.", False),  # a year and an ordinal
        ("2020-2030 жылдарға арналған тұжырымдама.", False),
        ("осы Кодекстің 52-бабы 1-тармағының 3) тармақшасында көзделген негіз", False),  # references
        ("The treaty was signed on May 18, 2023.", False),
        ("in the 19th century", False),
        ("в 2023 году", False),
        ("Шекараның ұзындығы 13394 км.", True),
        ("In 2023, trade reached 41 billion dollars.", True),  # the year is set aside, the amount stays
        ("8) жұмыскер бір жұмыс күні ішінде үш сағат бойы жұмыста болмаған;", True),  # a list marker, and a number word
        ("кемінде бір ай бұрын хабардар етуге міндетті", True),
        ("1991 жылдан бері 30 жыл өтті.", True),
        ("Көтеріліске 600-ге тарта адам қатысты.", True),  # a case ending after the hyphen: an amount
        ("Ауылда 30-дан астам үй бар.", True),
        # the number of the point a sentence opens («4. ...» since point numbers stay with their sentence)
        ("4. Еңбек шартының жарамсыз деп танылуы өтемақы алу құқығынан айырылуына әкеп соқпайды.", False),
        ("3.1. The Licensor grants the licence.", False),
        ("2. Сынақ мерзімі 3 айдан аспауға тиіс.", True),
    ],
)
def test_an_amount_is_a_figure_that_is_not_a_year_a_date_or_a_reference(text, amount):
    from assistant.answer.abstain import amount_in, figure_in

    assert amount_in(text, _load_lexicon()) is amount
    assert figure_in(text, _load_lexicon())  # each of them is a figure


def _chunk(text: str, question: str, embedder) -> "RetrievedChunk":
    chunk = RetrievedChunk(
        chunk_id="c", text=text, source="history.txt", title="History", page=None, section=None, language="kk",
        score=1.5, sentences=split_sentences(text),
    )
    chunk.sentence_scores = [float(x) for x in
                             embedder.passage_vectors(chunk.sentence_texts()) @ embedder.query_vectors([question])[0]]
    return chunk


def test_a_how_many_question_is_not_answered_with_a_year(embedder):
    question = "1869 жылғы көтеріліске неше адам қатысты?"
    text = ("1869 жылғы наурызда Маңғыстауда көтеріліс басталды. Көтеріліске Адай руының шаруалары қатысты. "
            "Көтерілісшілер 1870 жылы Орал облысына қарай жылжыды.")
    chunk = _chunk(text, question, embedder)
    assert not ExtractiveAnswerer().answer(question, "kk", [chunk]).answerable
    assert ExtractiveAnswerer(amounts=False).answer(question, "kk", [chunk]).answerable  # the years were figures
    chunk = _chunk(text.replace("Адай руының шаруалары", "600-ге тарта адам"), question, embedder)
    answer = ExtractiveAnswerer().answer(question, "kk", [chunk])
    assert answer.answerable and "600" in answer.answer


@pytest.fixture(scope="module")
def plain_article(tmp_path_factory, settings_for):
    """The article indexed with the language resources alone, as a user's corpus nobody wrote a lexicon for."""
    from assistant.service import Derek

    service = Derek(settings_for(tmp_path_factory.mktemp("plain-article")))
    assert not service.index([_Path(__file__).resolve().parents[3] / "corpus"]).failed
    return service


def _both_answers(service, question):
    """The service's answer, and the same retrieval answered without the measure-word check."""
    checked, standalone, extra, _ = service.prepare(question, [])
    chunks = service.retriever.retrieve(standalone, checked.language, service.settings.top_k, extra_queries=extra)
    return service.ask(question), ExtractiveAnswerer(measures=False).answer(checked.text, checked.language, chunks)


@pytest.mark.parametrize(
    "question",
    [
        # the article gives no FDI total for Kazakhstan: its figures nearby are Kyrgyz projects' costs
        "Мақалада Қытайдың Қазақстандағы тікелей шетелдік инвестицияларының жалпы көлемі қанша деп көрсетілген?",
        # nor Kyrgyzstan's debt to China
        "Мақалада Қырғызстанның Қытай алдындағы сыртқы қарызының көлемі қанша деп көрсетілген?",
    ],
)
def test_a_figure_of_another_measure_is_not_an_answer_without_a_domain_lexicon(plain_article, question):
    # the domain lexicon names "investment" and "debt" as measures; without it the question's own words do
    answer, without = _both_answers(plain_article, question)
    assert not answer.answerable, answer.answer
    assert without.answerable  # the wrong figure the check withholds


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("Какую долю внешнеторгового оборота Узбекистана приходилось на Китай в конце 2019 года?", "18,1"),
        ("2023 жылы Қытай мен Түрікменстан арасындағы сауда көлемі қанша болды?", "10,59"),
    ],
)
def test_the_figure_of_the_asked_measure_is_still_given_without_a_domain_lexicon(plain_article, question, figure):
    answer = plain_article.ask(question)
    assert answer.answerable and figure in answer.answer, answer.answer


def test_the_measure_is_only_asked_of_words_the_retrieved_text_uses():
    from assistant.answer.abstain import states_the_specifics
    from index.text.concepts import mentions_in

    question = "Қытай Қазақстанда қанша кәсіпорын ашты?"  # how many enterprises has China opened in Kazakhstan?
    texts = ["Қытай компаниялары Қазақстанда жаңа кәсіпорындар ашты.", "Екі ел арасындағы ынтымақтастық кеңеюде.",
             "2023 жылы Қазақстанға 3 миллион турист келді."]
    expanded = expand_query(question, "kk")
    assert states_the_specifics(texts, 2, expanded)  # without the retrieved text's words: place and year only
    # the retrieved text uses «кәсіпорын» and «ашты», so a figure two sentences away from them is not theirs
    assert not states_the_specifics(texts, 2, expanded, mentions_in(" ".join(texts)))
    # a question word no retrieved text uses (the bridge found no spelling for it) is not asked of the sentence
    assert states_the_specifics(texts, 2, expanded, mentions_in(" ".join(texts[1:])))
    assert states_the_specifics(texts, 1, expanded, mentions_in(" ".join(texts)))  # the sentence before has them


# --- acronyms the sources never name ---------------------------------------------------------------------------

from assistant.answer.abstain import unseen_acronyms  # noqa: E402
from assistant.answer.extractive import ExtractiveAnswerer  # noqa: E402
from assistant.retrieve.types import RetrievedChunk  # noqa: E402
from index.sentences import split_sentences  # noqa: E402
from index.text.expand import expand_query  # noqa: E402

LEGAL_KK = _Path(__file__).resolve().parents[2] / "data" / "legal" / "kk" / "language-law.kk.txt"


def _legal_chunk(start: str, language: str = "kk") -> RetrievedChunk:
    """One sentence of the Law on Languages (tests/data/legal) as a retrieved chunk."""
    text = " ".join(LEGAL_KK.read_text(encoding="utf-8").split())
    i = text.index(start)
    text = text[i : text.index(".", i + 40) + 1]
    return RetrievedChunk(
        chunk_id="kk-language-law", text=text, source="language-law.kk.txt", title="Тіл туралы", page=None,
        section=None, language=language, score=1.4, sentences=split_sentences(text),
    )


KAZTEST = "Мемлекеттік қызметке кіру үшін ҚАЗТЕСТ бойынша қазақ тілін білудің қандай деңгейі талап етіледі?"


def test_an_acronym_no_retrieved_text_names_is_reported():
    chunk = _legal_chunk("Мемлекеттік тілді белгілі бір көлемде")
    assert unseen_acronyms(KAZTEST, "kk", [chunk], expand_query(KAZTEST, "kk")) == ["ҚАЗТЕСТ"]


def test_an_acronym_the_text_names_inflected_is_not():
    chunk = _legal_chunk("Мемлекеттік тілді белгілі бір көлемде")
    chunk.text += " Деңгей ҚАЗТЕСТ-ке сәйкес белгіленеді."
    assert unseen_acronyms(KAZTEST, "kk", [chunk], expand_query(KAZTEST, "kk")) == []


def test_one_named_acronym_of_two_is_enough():
    # "ГДР and ГФР": the sources name one of them, so they are about the question
    question = "Қай жылы ГДР мен ГФР біріктірілді?"
    chunk = _legal_chunk("Мемлекеттік тілді белгілі бір көлемде")
    chunk.text += " ГДР туралы."
    assert unseen_acronyms(question, "kk", [chunk], expand_query(question, "kk")) == []


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("What KAZTEST level does the civil service require?", "en"),  # another language abbreviates otherwise
        ("XVIII ғасырда мемлекеттік тіл қандай болды?", "kk"),  # a Roman numeral
        ("АҚШ-та мемлекеттік тіл қандай?", "kk"),  # the lexicon's concept (spelled out in a text as Америка)
    ],
)
def test_other_capitals_are_not_checked(question, language):
    chunk = _legal_chunk("Мемлекеттік тілді белгілі бір көлемде")
    assert unseen_acronyms(question, language, [chunk], expand_query(question, language)) == []


def test_the_answerer_abstains_on_an_unseen_acronym_and_answers_without_the_check(embedder):
    chunk = _legal_chunk("Мемлекеттік тілді белгілі бір көлемде")
    chunk.sentence_scores = [float(x) for x in
                             embedder.passage_vectors(chunk.sentence_texts()) @ embedder.query_vectors([KAZTEST])[0]]
    assert not ExtractiveAnswerer().answer(KAZTEST, "kk", [chunk]).answerable
    assert ExtractiveAnswerer(acronyms=False).answer(KAZTEST, "kk", [chunk]).answerable


def test_a_fine_or_a_maximum_the_law_does_not_state_is_not_answered(legal_service):
    """The legal set's l29 and l06: the Law on Languages speaks of liability for breaking its rules on signs but
    names no fine, and chapter 4 of the Labour Code gives no working week in hours; both were answered with a quote
    before a fine and a maximum asked for a figure. A minimum the code does state is still answered (l20)."""
    fine = legal_service.ask("Какой штраф грозит организации за вывеску только на русском языке?")
    week = legal_service.ask("What is the maximum normal working week, in hours, under the Labour Code?")
    assert not fine.answerable, fine.answer
    assert not week.answerable, week.answer
    term = legal_service.ask("На какой срок можно заключить срочный трудовой договор, есть ли минимальный срок?")
    assert term.answerable
    assert "бір жылдан кем емес" in " ".join(c.quote for c in term.citations)


def _chunk_in(text: str, question: str, language: str, embedder) -> "RetrievedChunk":
    chunk = _chunk(text, question, embedder)
    chunk.language = language
    return chunk


@pytest.mark.parametrize(
    "language, question, text",
    [
        ("en", "How many working languages does the council use?",
         "The council uses three working languages: English, French and Spanish. Its meetings are public."),
        ("ru", "Сколько рабочих языков использует совет?",
         "Совет использует три рабочих языка: английский, французский и испанский. Его заседания открыты."),
        ("kk", "Кеңес неше жұмыс тілін пайдаланады?",
         "Кеңес үш жұмыс тілін пайдаланады: ағылшын, француз және испан тілдері. Оның отырыстары ашық өтеді."),
        ("ru", "Во сколько раз выросли продажи компании за год?",
         "За год продажи компании выросли в пять раз. Компания открыла новый склад."),
    ],
)
def test_a_count_in_words_answers_a_how_many_question(language, question, text, embedder):
    """"Three working languages" answers "how many working languages" as "3 working languages" would; without
    the count in words, no figure is found and the question abstains."""
    chunk = _chunk_in(text, question, language, embedder)
    answer = ExtractiveAnswerer().answer(question, language, [chunk])
    assert answer.answerable and text.split(".")[0] in answer.answer
    assert not ExtractiveAnswerer(counts=False).answer(question, language, [chunk]).answerable


def test_a_number_word_before_another_thing_is_no_count(embedder):
    question = "How many working languages does the council use?"
    text = "The council of two countries uses working languages of its members. Its meetings are public."
    chunk = _chunk_in(text, question, "en", embedder)
    assert not ExtractiveAnswerer().answer(question, "en", [chunk]).answerable


def test_the_thing_a_question_counts():
    from assistant.answer.abstain import count_in, counted_thing
    from index.text.expand import expand_query

    lexicon = _load_lexicon()
    for question, language, word in [
        ("How many general ideas do they share?", "en", "general"),
        ("Сколько общих идей у них?", "ru", "общих"),
        ("Во сколько раз дороже первый класс?", "ru", "раз"),
        ("Обалар неше түрге бөлінді?", "kk", "түрге"),
    ]:
        counted = counted_thing(question, language, expand_query(question, language, lexicon))
        assert counted is not None and counted.word == word
    assert counted_thing("When was it built?", "en", expand_query("When was it built?", "en", lexicon)) is None
    question = "Обалар неше түрге бөлінді?"
    counted = counted_thing(question, "kk", expand_query(question, "kk", lexicon))
    assert count_in("Обалар үш түрге бөлінеді.", counted, lexicon)
    assert not count_in("Бота түріне қарай төрт топқа бөлінеді.", counted, lexicon)  # the kind comes before the number
    assert not count_in("Обалардың бір түрі белгілі.", counted, lexicon)  # «бір» is also "a"
