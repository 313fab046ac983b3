"""The job's own view of the file system, built directly in a forked child."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from partsmith.sandbox import limits, mounts, roots


def _in_view(read_root: Path, hidden: Path) -> int:
    """Fork a child that builds the view with `read_root` as its read root; its exit status says
    what it saw (0: the read root's file read, the other folder gone)."""
    pid = os.fork()
    if pid == 0:  # the child: no pytest past this point
        code = 1
        try:
            limits.prepare()
            if limits.enter_namespaces(user=os.geteuid() != 0, mounts=True):
                mounts.prepare_view([str(read_root), *roots.system_read_paths()])
                seen = (read_root / "font.ttf").read_text() == "glyphs"
                code = 0 if seen and not hidden.exists() else 2
            else:
                code = 3
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_a_read_root_inside_the_staging_folder_stays_readable() -> None:
    # A project cloned into /tmp: the new root is built on /tmp, and must not hide it.
    with tempfile.TemporaryDirectory(dir=mounts.STAGING) as base:
        read_root, hidden = Path(base, "venv"), Path(base, "other-job")
        read_root.mkdir()
        hidden.mkdir()
        (read_root / "font.ttf").write_text("glyphs")
        assert _in_view(read_root, hidden) == 0
