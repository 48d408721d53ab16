"""Time left in a long indexing stage: the estimate, its clock text, and the UI's upload progress showing it."""

from types import SimpleNamespace

from assistant.progress import TimeLeft, clock_text


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_time_left_follows_the_pace_of_the_stage():
    clock = FakeClock()
    left = TimeLeft(clock)
    assert left.update("embed", 0, 640, "a.pdf") is None  # the stage starts
    clock.now += 0.5
    assert left.update("embed", 64, 640, "a.pdf") is None  # too early to tell
    clock.now += 9.5
    assert left.update("embed", 64, 640, "a.pdf") == 90.0  # 64 texts in 10 s: 576 more take 90 s
    assert left.update("embed", 640, 640, "a.pdf") is None  # done
    clock.now += 5
    assert left.update("embed", 10, 20, "b.pdf") is None  # a new file starts its own estimate


def test_clock_text():
    assert clock_text(5) == "0:05"
    assert clock_text(65.4) == "1:05"
    assert clock_text(3725) == "1:02:05"


def test_upload_progress_shows_the_time_left(monkeypatch, tmp_path):
    import ui.views as views

    shown = []
    monkeypatch.setattr(views.st, "progress", lambda value: SimpleNamespace(
        progress=lambda fraction, text=None: shown.append((fraction, text))))
    clock = FakeClock()
    monkeypatch.setattr(views, "TimeLeft", lambda: TimeLeft(clock))

    class Service:
        def index(self, paths, progress):
            progress("file", 0, 1, str(paths[0]))
            for done in (0, 100, 200):
                progress("embed", done, 400, str(paths[0]))
                clock.now += 2.0
            return SimpleNamespace(added=[str(paths[0])], updated=[], skipped=[], failed=[], notes=[])

    settings = SimpleNamespace(upload_max_mb=5, uploads_dir=tmp_path)
    upload = SimpleNamespace(name="report.txt", getvalue=lambda: "Мәтін.".encode())
    notes = views.index_uploads(Service(), settings, [upload], "en")
    texts = [t for _, t in shown if t]
    assert "report.txt: embedding 200 of 400 texts · about 0:04 left" in texts  # 200 in 4 s: 200 more in 4 s
    assert not any("left" in t for t in texts[:2])  # no estimate before the stage has run a second
    assert notes and notes[0][0] == "ok"
