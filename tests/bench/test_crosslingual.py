"""The FLORES-200 articles written in each language share their ids, so a question set about the Kazakh articles can
be asked over the English or Russian texts."""

from bench.crosslingual import load, write_articles


def _flores(folder):
    urls = ["https://a.example/x", "https://a.example/x", "https://b.example/y"]
    folder.mkdir()
    (folder / "metadata_devtest.tsv").write_text("URL\tdomain\n" + "".join(f"{u}\twikinews\n" for u in urls))
    for name, lines in {
        "kaz_Cyrl": ["Бірінші сөйлем.", "Екінші сөйлем.", "Басқа мақала."],
        "eng_Latn": ["First sentence.", "Second sentence.", "Another article."],
        "rus_Cyrl": ["Первое предложение.", "Второе предложение.", "Другая статья."],
    }.items():
        (folder / f"{name}.devtest").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_articles_in_every_language_share_their_ids(tmp_path):
    data = _flores(tmp_path / "flores")
    kazakh, _ = load(data)
    assert write_articles("en", tmp_path / "en", data) == 2
    assert write_articles("kk", tmp_path / "kk", data) == 2
    assert sorted(p.name for p in (tmp_path / "en").iterdir()) == [f"{aid}.txt" for aid in sorted(kazakh)]
    assert (tmp_path / "en" / "a0000.txt").read_text(encoding="utf-8") == "First sentence.\nSecond sentence.\n"
    assert (tmp_path / "kk" / "a0001.txt").read_text(encoding="utf-8") == "\n".join(kazakh["a0001"]) + "\n"
