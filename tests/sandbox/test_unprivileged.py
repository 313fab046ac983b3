"""The jail as an unprivileged user runs it: the attack suite again, with the engine as nobody.

Root engines and user engines take different roads to a job without capabilities (a user id of
its own and an empty bounding set; a user namespace of its own). CI runs as root, so this runs the
attack suite's deeper layers once more as the user `nobody` (65534), straight to the pool and
through the service and `partsmith run --local`, from root, through a mount namespace that lets
that user reach the interpreter and the checkout (as_user.py). Run as a user
already, the whole suite is this test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from partsmith.paths import CHECKOUT

NOBODY = 65534


def test_the_attack_suite_holds_for_an_unprivileged_engine(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        assert os.getuid() != 0  # this very run is the unprivileged one
        return
    assert shutil.which("unshare") and shutil.which("mount"), "util-linux is needed (apt-get install util-linux)"
    work = tmp_path / "nobody"
    work.mkdir()
    os.chown(work, NOBODY, NOBODY)
    stash = Path(tempfile.mkdtemp(prefix="partsmith-as-user-", dir="/tmp"))
    paths = ",".join(str(p) for p in (sys.base_prefix, sys.prefix, CHECKOUT, work))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work), "TMPDIR": str(work), "LANG": "C.UTF-8",
           "PYTHONDONTWRITEBYTECODE": "1"}
    command = [
        "unshare", "--mount", "--propagation", "private",
        sys.executable, str(Path(__file__).with_name("as_user.py")), str(NOBODY), str(stash), paths, "--",
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--basetemp={work / 'pytest'}",
        "-k", "kernel-only or no-static-policy or unprivileged_job or through",
        str(Path(__file__).with_name("test_attacks.py")),
        str(Path(__file__).with_name("test_attack_paths.py")),  # through the service and --local
    ]
    try:
        done = subprocess.run(command, cwd=CHECKOUT, env=env, capture_output=True, text=True, timeout=1200)
    finally:  # the namespace and its mounts ended with the command: only empty folders are left
        for folder in sorted(stash.glob("*"), reverse=True):
            folder.rmdir()
        stash.rmdir()
    tail = (done.stdout + done.stderr)[-4000:]
    assert done.returncode == 0, tail
    assert " passed" in tail and "failed" not in tail and "skipped" not in tail, tail
    passed = re.search(r"(\d+) passed", tail)
    # Both deeper settings of every attack, and the attacks through the service and --local.
    assert passed is not None and int(passed.group(1)) >= 140, tail
