"""The scale bench at two small sizes: synthetic chunks written through the store, the real CLI and a reader."""

import json

from bench import scale


def test_synthetic_chunks_are_deterministic_real_sentences():
    pool = scale.sentence_pool()
    assert len(pool) > 500 and all(30 <= len(s) <= 400 for s in pool)
    a, b = scale.synthetic_chunks(0, 45, pool), scale.synthetic_chunks(0, 45, pool)
    assert [c.text for c in a] == [c.text for c in b] and len({c.id for c in a}) == 45
    assert len({c.source for c in a}) == 3  # 20 chunks per document
    for c in a:
        assert all(c.text[s:e] in pool for s, e in c.sentences) and 2 <= len(c.sentences) <= 6
    vectors = scale.fake_vectors([c.text for c in a])
    assert vectors.shape == (45, scale.DIM) and abs(float((vectors**2).sum(axis=1).mean()) - 1) < 1e-5


def test_the_bench_measures_each_size_and_finds_a_new_document(tmp_path):
    markdown = scale.run([120, 240], project_to=1000, out_dir=tmp_path, keep=tmp_path / "home")
    data = json.loads((tmp_path / "scale.json").read_text(encoding="utf-8"))
    rows = data["rows"]
    assert [r["chunks"] for r in rows] == [120, 240] and all(r["sentences"] >= 2 * r["chunks"] for r in rows)
    for r in rows:
        assert r["cold exit codes"] == [0, 0, 0]  # the real `derek retrieve` opened the synthetic collection
        assert r["fresh found"] is True and 0 < r["searchable s"] < 60
        assert r["warm p50 ms"] > 0 and r["reader peak RSS MB"] > 0 and r["lexical disk MB"] > 0
    assert {p["figure"] for p in data["projections"]} >= {"warm p50 ms", "reader peak RSS MB"}
    assert "projected at 1,000" in markdown
    # the new document was removed again: the collection holds the synthetic chunks only
    from assistant.components import make_store

    store = make_store(scale.settings_for(tmp_path / "home", "scale_embedded", None), "scale_embedded")
    assert store.count() == 240 and store.lexical.count() == 240
