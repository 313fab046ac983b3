"""Issue 15: the history imports and locks where there is no fcntl (Windows), what it imports is
declared, and a thumbnail that cannot be drawn says why in the log."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from partsmith.config import ExportSettings, SandboxSettings
from partsmith.sandbox import SandboxPool


def test_the_history_works_without_fcntl(tmp_path: Path) -> None:
    """As on Windows: `import fcntl` fails. The history imports, and two writers share its lock."""
    script = textwrap.dedent(f"""
        import sys
        sys.modules["fcntl"] = None  # import fcntl raises ImportError, as on Windows
        from pathlib import Path
        from partsmith.history import Entry, History

        folder = Path({str(tmp_path / "h")!r})
        first, second = History(folder), History(folder)
        for history, prompt in ((first, "a 30 mm knob"), (second, "a 20 x 20 x 5 mm spacer")):
            history.add(Entry(id="", created=0.0, prompt=prompt, status="ok"))
        print(sorted(h.prompt for h in first.search("a part", 5)))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "['a 20 x 20 x 5 mm spacer', 'a 30 mm knob']"


def test_a_thumbnail_that_cannot_be_drawn_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The picture is drawn in the sandbox; a mesh it cannot read costs the picture, not the part."""
    settings = SandboxSettings(workers=1, timeout_s=30)
    with SandboxPool(settings, ExportSettings(), jobs_dir=tmp_path / "jobs") as pool:
        made = pool.run("from build123d import *\nresult = Box(4, 3, 2)\n")
        (made.job_dir / "part" / "model.stl").write_text("solid nothing\nthis is not an STL\n")
        with caplog.at_level(logging.WARNING, logger="partsmith.sandbox.pool"):
            assert pool.draw_thumbnail(made) is None
    [record] = [r for r in caplog.records if r.name == "partsmith.sandbox.pool"]
    assert "no thumbnail for" in record.getMessage() and "model.stl" in record.getMessage()
