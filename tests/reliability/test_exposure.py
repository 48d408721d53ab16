"""The UI listens on 127.0.0.1 unless DEREK_HOST says otherwise (documented), and a password gate exists."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.settings import Settings, get_settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("DEREK_HOST", "DEREK_PORT", "DEREK_UI_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env file
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def ui_command(monkeypatch, *args: str) -> list[str]:
    """The command line `derek ui ARGS` would run (Streamlit is not started)."""
    calls: list[list[str]] = []
    monkeypatch.setattr(subprocess, "call", lambda cmd, *a, **k: calls.append(cmd) or 0)
    result = CliRunner().invoke(app, ["ui", *args])
    assert result.exit_code == 0, result.output
    return calls[0]


def option(cmd: list[str], name: str) -> str:
    return cmd[cmd.index(name) + 1]


def test_settings_default_to_localhost(clean_env):
    assert Settings(_env_file=None).host == "127.0.0.1"
    assert Settings.model_fields["host"].default == "127.0.0.1"


def test_ui_binds_localhost_by_default(clean_env):
    cmd = ui_command(clean_env)
    assert option(cmd, "--server.address") == "127.0.0.1"
    assert option(cmd, "--server.headless") == "true" and option(cmd, "--browser.gatherUsageStats") == "false"


def test_ui_binds_elsewhere_only_when_asked(clean_env):
    clean_env.setenv("DEREK_HOST", "0.0.0.0")
    assert option(ui_command(clean_env), "--server.address") == "0.0.0.0"
    get_settings.cache_clear()
    clean_env.delenv("DEREK_HOST")
    assert option(ui_command(clean_env, "--host", "192.168.1.5"), "--server.address") == "192.168.1.5"


def test_no_streamlit_config_overrides_the_address():
    for config in (REPO / ".streamlit" / "config.toml", REPO / "ui" / ".streamlit" / "config.toml"):
        if config.exists():
            assert "address" not in config.read_text(encoding="utf-8")


def test_host_and_password_are_documented():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "`DEREK_HOST`" in readme and "127.0.0.1" in readme
    assert "`DEREK_UI_PASSWORD`" in readme


def test_password_gate_exists_and_is_tested():
    app_source = (REPO / "ui" / "app.py").read_text(encoding="utf-8")
    assert "hmac.compare_digest" in app_source and "ui_password" in app_source
    assert "def test_password_is_asked_first" in (REPO / "tests" / "ui" / "test_app.py").read_text(encoding="utf-8")
