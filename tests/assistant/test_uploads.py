"""save_upload: allow-listed types, sniffed content, size limit, safe names, no silent overwrite."""

from __future__ import annotations

import io
import os
import stat
import zipfile

import docx
import pytest

from assistant.uploads import safe_name, save_upload
from index.errors import DerekError

MB = 2**20


def _docx(text: str = "Сәлем, әлем!") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\system.ini.md", "system.ini.md"),
        (".hidden.txt", "hidden.txt"),
        ("...", "upload"),
        ("Қытай мен Түрікменстан 2023.docx", "Қытай_мен_Түрікменстан_2023.docx"),
        ("отчёт <v2>; rm -rf $HOME.PDF", "отчёт_v2_rm_-rf_HOME.pdf"),
        ("a\x00b.txt", "ab.txt"),
    ],
)
def test_safe_name(name, expected):
    assert safe_name(name) == expected


def test_safe_name_caps_the_length():
    name = safe_name("ұ" * 500 + ".txt")
    assert name.endswith(".txt") and len(name) <= 84


def test_traversal_stays_inside_the_uploads_folder(tmp_path):
    uploads = tmp_path / "uploads"
    path = save_upload("../../../outside.txt", "мәтін".encode(), uploads, MB)
    assert path.parent == uploads and path.name == "outside.txt"
    assert not (tmp_path / "outside.txt").exists()


def test_saved_file_is_not_executable(tmp_path):
    path = save_upload("note.md", b"# Title\ntext", tmp_path, MB)
    assert not os.stat(path).st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    assert path.read_bytes() == b"# Title\ntext"


@pytest.mark.parametrize("name", ["run.sh", "macro.docm", "x.exe", "noextension", "page.php"])
def test_extension_not_allowed(tmp_path, name):
    with pytest.raises(DerekError, match="unsupported file type"):
        save_upload(name, b"hello", tmp_path, MB)


def test_content_sniffing(tmp_path):
    save_upload("real.pdf", b"%PDF-1.7\n...", tmp_path, MB)
    save_upload("real.docx", _docx(), tmp_path, MB)
    save_upload("page.html", "<html><body>Сәлем</body></html>".encode(), tmp_path, MB)
    with pytest.raises(DerekError, match="not a PDF"):
        save_upload("fake.pdf", b"<html>not a pdf</html>", tmp_path, MB)
    with pytest.raises(DerekError, match="not a Word document"):
        save_upload("fake.docx", b"PK\x03\x04 broken", tmp_path, MB)
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(DerekError, match="word/document.xml"):
        save_upload("other.docx", other_zip.getvalue(), tmp_path, MB)
    with pytest.raises(DerekError, match="binary"):
        save_upload("binary.txt", b"text\x00\x01\x02", tmp_path, MB)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html", "real.docx", "real.pdf"]


def test_size_limit_and_empty_file(tmp_path):
    with pytest.raises(DerekError, match="too large"):
        save_upload("big.txt", b"a" * (MB + 1), tmp_path, MB)
    with pytest.raises(DerekError, match="empty"):
        save_upload("empty.txt", b"", tmp_path, MB)
    assert list(tmp_path.iterdir()) == []


def test_same_name_other_bytes_gets_a_suffix_and_same_bytes_is_idempotent(tmp_path):
    first = save_upload("report.txt", b"version one", tmp_path, MB)
    again = save_upload("report.txt", b"version one", tmp_path, MB)
    second = save_upload("report.txt", b"version two", tmp_path, MB)
    second_again = save_upload("report.txt", b"version two", tmp_path, MB)
    assert first == again and second == second_again
    assert first.name == "report.txt" and second.name == "report-1.txt"
    assert first.read_bytes() == b"version one" and second.read_bytes() == b"version two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report-1.txt", "report.txt"]


def test_error_message_is_one_line(tmp_path):
    with pytest.raises(DerekError) as info:
        save_upload("../x\n.pdf", b"nope", tmp_path, MB)
    assert "\n" not in str(info.value)
