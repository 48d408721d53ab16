"""Derek works with no network: indexing and answering in-process open no non-loopback socket."""

from __future__ import annotations

import socket

import pytest

from assistant.service import Derek

LOOPBACK = {"127.0.0.1", "::1", "localhost", "0:0:0:0:0:0:0:1"}


def _host(address) -> str | None:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return None
    if isinstance(address, tuple) and address:
        return str(address[0])
    return repr(address)


@pytest.fixture
def no_network(monkeypatch):
    """Every connect to a non-loopback address raises (and is recorded, in case a library swallows it)."""
    attempts: list[str] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_create = socket.create_connection

    def check(address):
        host = _host(address)
        if host is not None and host not in LOOPBACK and not host.startswith("127."):
            attempts.append(repr(address))
            raise OSError(f"network access forbidden in this test: {address!r}")

    def connect(self, address):
        check(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        check(address)
        return real_connect_ex(self, address)

    def create_connection(address, *args, **kwargs):
        check(address)
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return attempts


def test_guard_blocks_a_public_address(no_network):
    with pytest.raises(OSError, match="forbidden"):
        socket.create_connection(("93.184.216.34", 80), timeout=1)
    assert no_network == ["('93.184.216.34', 80)"]
    no_network.clear()


def test_index_and_answer_offline(no_network, tmp_path, settings_for, write_file, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # even if a library were willing to download, the guard would catch it
    doc = write_file(tmp_path / "docs" / "caspian.txt",
                     "The Caspian Sea is the largest enclosed body of water on Earth.\n\n"
                     "Its surface lies about 28 metres below sea level. Five countries border it: Kazakhstan, "
                     "Russia, Azerbaijan, Iran and Turkmenistan.\n")
    service = Derek(settings_for(tmp_path / "home"))
    report = service.index([doc])
    assert not report.failed and len(report.added) == 1
    answer = service.ask("How far below sea level is the surface of the Caspian Sea?")
    assert answer.answerable, answer.answer
    assert answer.language == "en"
    assert any("28 metres" in c.quote for c in answer.citations), answer.citations
    assert service.status()["documents"] == 1
    assert no_network == [], f"non-loopback connections attempted: {no_network}"
