from index.text.language import detect_language, dominant_language


def test_kazakh_short_questions():
    for question in [
        "Қытай туралы не айтылған?",
        "Бұл не?",
        "Орталық Азия мен Қытай арасындағы сауда қандай?",
        "Мен туралы",
        "Форум неше рет өтті",
        "Саммит қашан болды?",
        "Бойынша жылы",
    ]:
        assert detect_language(question) == "kk", question


def test_russian_questions_and_text_quoting_a_kazakh_name():
    assert detect_language("Что говорится о Китае?") == "ru"
    assert detect_language("Сколько стоил проект Датка-Кемин?") == "ru"
    assert detect_language("В статье упоминается Тоқаев и его политика в отношении Китая.") == "ru"
    assert detect_language("Что такое One Belt One Road?") == "ru"


def test_english():
    assert detect_language("What does the article say about China?") == "en"
    assert detect_language("What is Қорғас?") == "en"
    assert detect_language("Mirziyoyev met Путин in Tashkent in 2022") == "en"


def test_digits_and_empty_text_use_the_default():
    assert detect_language("2023 10,59 5.2%") == "en"
    assert detect_language("") == "en"
    assert detect_language("  [16]. ", default="kk") == "kk"


def test_article_abstracts(article):
    by_section = {p.section: p.text for p in article.paragraphs}
    assert detect_language(by_section["Abstract"]) == "en"
    assert detect_language(by_section["Аннотация"]) == "ru"
    assert detect_language(by_section["Аңдатпа"]) == "kk"
    assert detect_language(article.text) == "kk"


def test_dominant_language_weighs_letters():
    blocks = ["Қазақстан мен Қытай арасындағы байланыстар туралы ұзын мәтін. " * 5, "Short English note."]
    assert dominant_language(blocks) == "kk"
    assert dominant_language(["123", ""], default="ru") == "ru"
