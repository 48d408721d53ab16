from index.sentences import split_sentences


def sentences(text: str) -> list[str]:
    spans = split_sentences(text)
    for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False):
        assert end <= next_start
    for start, end in spans:
        assert text[start:end] == text[start:end].strip() and text[start:end]
    return [text[start:end] for start, end in spans]


def test_initials_do_not_end_sentences():
    text = (
        "В.В. Парамонов талдау жасайды [2]. Зерттеуші Р. Пантуччидің пікірінше, Бейжің маңызды. "
        "Ш. Мирзиеев келді."
    )
    assert sentences(text) == [
        "В.В. Парамонов талдау жасайды [2].",
        "Зерттеуші Р. Пантуччидің пікірінше, Бейжің маңызды.",
        "Ш. Мирзиеев келді.",
    ]


def test_abbreviations():
    assert sentences("Көлік, сауда т.б. салалар дамыды. Келесі сөйлем.") == [
        "Көлік, сауда т.б. салалар дамыды.",
        "Келесі сөйлем.",
    ]
    assert sentences("Экспорт 5 млрд. долларды құрады, т.с.с. Мәселелер бар.") == [
        "Экспорт 5 млрд. долларды құрады, т.с.с.",
        "Мәселелер бар.",
    ]
    assert sentences("Бағдарлама (2021-2025 жж.) Ынтымақтастық туралы. 2019 ж. 11 наурызда қабылданды.") == [
        "Бағдарлама (2021-2025 жж.) Ынтымақтастық туралы.",
        "2019 ж. 11 наурызда қабылданды.",
    ]
    assert sentences("Costs rose, e.g. in transport. Dr. Smith agreed. It grew 3 млн. Рост продолжился.") == [
        "Costs rose, e.g. in transport.",
        "Dr. Smith agreed.",
        "It grew 3 млн. Рост продолжился.",
    ]


def test_decimals_and_ellipsis():
    text = "Сауда 10,59 миллиард, ал экспорт 7.62 млрд доллар болды. Әрі қарай... Бұл жалғасады!? Иә."
    assert sentences(text) == [
        "Сауда 10,59 миллиард, ал экспорт 7.62 млрд доллар болды.",
        "Әрі қарай...",
        "Бұл жалғасады!?",
        "Иә.",
    ]


def test_closing_quotes_and_brackets_stay_with_the_sentence():
    text = (
        "Президент атап өткендей, «Біз әлемге ашық болуымыз керек.» Бұл заман талабы [12]. "
        "(Сөз соңы.) Келесі."
    )
    assert sentences(text) == [
        "Президент атап өткендей, «Біз әлемге ашық болуымыз керек.»",
        "Бұл заман талабы [12].",
        "(Сөз соңы.)",
        "Келесі.",
    ]
    assert sentences("Он сказал: «Мы готовы». Потом ушёл.") == ["Он сказал: «Мы готовы».", "Потом ушёл."]


def test_list_items_on_their_own_lines():
    text = (
        "Басымдықтар мыналар:\n- егемендікті қорғау;\n- тату көршілік\nқатынастарды нығайту;\n"
        "• Аймақ қауіпсіздігі."
    )
    assert sentences(text) == [
        "Басымдықтар мыналар:",
        "- егемендікті қорғау;",
        "- тату көршілік\nқатынастарды нығайту;",
        "• Аймақ қауіпсіздігі.",
    ]


def test_lower_case_after_period_does_not_split_and_empty_text():
    assert sentences("Мысалы, ж. т.б. сөздер. және тағы") == ["Мысалы, ж. т.б. сөздер. және тағы"]
    assert split_sentences("") == []
    assert split_sentences("  \n ") == []


def test_english_and_russian():
    assert sentences("The article focusses on China. It examines policy! Why? Because.") == [
        "The article focusses on China.",
        "It examines policy!",
        "Why?",
        "Because.",
    ]
    assert sentences("Статья посвящена Китаю. Рост составил 5,2%. Итог.") == [
        "Статья посвящена Китаю.",
        "Рост составил 5,2%.",
        "Итог.",
    ]


def test_the_number_of_a_point_stays_with_its_sentence():
    """«1. Еңбек шарты ...»: a point's number opening a line is part of its first sentence, not a sentence of its
    own (which e5 scored like any other and the answerer could quote alone: «3.» [1]); a number closing a sentence
    still ends it."""
    text = (
        "1. Еңбек шарты жазбаша нысанда кемінде екі данада жасалады. Бір данасы жұмыскерде сақталады.\n"
        "2. Осы Кодексте көзделген жағдайлар.\n"
        "  3.1. The Licensor grants a licence.\n"
        "Жоспар 2023. Келесі сөйлем."
    )
    assert sentences(text) == [
        "1. Еңбек шарты жазбаша нысанда кемінде екі данада жасалады.",
        "Бір данасы жұмыскерде сақталады.",
        "2. Осы Кодексте көзделген жағдайлар.",
        "3.1. The Licensor grants a licence.",
        "Жоспар 2023.",
        "Келесі сөйлем.",
    ]
