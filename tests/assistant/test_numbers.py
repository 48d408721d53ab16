import pytest

from index.text.numbers import extract_numbers, numbers_match


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7.62 and 7,62", ["7.62"]),
        ("7 620 | 7\u00a0620 | 7\u202f620 | 7620 | 7,620", ["7620"]),
        ("10,59 млрд доллар", ["10.59"]),
        ("10,59", ["10.59"]),
        ("0,620", ["0.62"]),
        ("1.234.567", ["1234567"]),
        ("1 234,56 and 1,234.56", ["1234.56"]),
        ("2019 150 000", ["2019", "150000"]),
        ("2,519 миллиард долларлық", ["2.519"]),
        ("32,2 пайызға артқан", ["32.2%", "32.2"]),
        ("5,2%-ға азайған", ["5.2%", "5.2"]),
        ("15 %", ["15%", "15"]),
        ("15 процентов", ["15%", "15"]),
        ("2023-2024 жж.", ["2023", "2024"]),
        ("2023 жылы", ["2023"]),
        ("2022-ші жыл", ["2022"]),
        ("19-съезінде", ["19"]),
        ("18.05.2023", ["18", "5", "2023"]),
    ],
)
def test_extract_numbers_canonical_forms(text, expected):
    assert extract_numbers(text) == expected


@pytest.mark.parametrize(
    "text", ["[16]", "[1, 2]", "[3-5]", "[16, б. 45]", "H2O", "G20", "COVID-19", "no digits"]
)
def test_extract_numbers_ignores_citations_and_digits_in_words(text):
    assert extract_numbers(text) == []


def test_extract_numbers_keeps_numbers_next_to_a_citation():
    assert extract_numbers("тауар айналымы 41 миллиард юань [11].") == ["41"]


def test_numbers_match_returns_missing_claim_numbers():
    source = "2019 жылы Қытай 7,62 миллиард доллар (18,1%) және 2,519 миллиард [13]."
    assert numbers_match(["2019", "7.62", "18.1%", "2.519"], source) == []
    assert numbers_match(["7,62", "18,1 %"], source) == []
    assert numbers_match(["13", "2020", "7.6"], source) == ["13", "2020", "7.6"]


def test_numbers_match_percent_claim_needs_a_percent_in_source():
    assert numbers_match(["15%"], "15 елде") == ["15%"]
    assert numbers_match(["15"], "15 пайыз") == []


def test_numbers_match_accepts_either_reading_of_an_ambiguous_group():
    assert numbers_match(["2519"], "2,519 миллиард") == []
    assert numbers_match(["7.62"], "7,620") == []
