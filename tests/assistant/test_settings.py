"""The typed settings: one data folder, however it is spelled."""

from pathlib import Path

from assistant.components import lexical_location
from assistant.settings import Settings
from index.manifest import Manifest


def test_a_relative_and_an_absolute_home_are_one_home(tmp_path, monkeypatch):
    """The manifest and the lexical index are named after the store's location: `.derek` from its parent folder
    and the same folder's absolute path must name the same files, or a reset through one spelling leaves the
    other's records stale (a second manifest vouching for chunks that are gone)."""
    monkeypatch.chdir(tmp_path)
    relative, absolute = Settings(home=Path("data")), Settings(home=tmp_path / "data")
    assert relative.home == absolute.home == (tmp_path / "data").resolve()
    where = [f"embedded:{s.chroma_dir}" for s in (relative, absolute)]
    assert Manifest.location(relative.home, where[0], "c") == Manifest.location(absolute.home, where[1], "c")
    assert lexical_location(relative.home, where[0], "c") == lexical_location(absolute.home, where[1], "c")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Settings(home=Path("~/data")).home == absolute.home
