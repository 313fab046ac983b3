"""The attack suite through the two ways a user runs code: `partsmith run --local` (an engine in
the command's own process) and the service (the engine the panels talk to), with the Python layers
switched off (the setting sandbox.python_layers) so that the kernel layers hold on their own.

Through the service every attack of the suite that needs no other fixture runs; through `--local`,
which starts an engine per command, one of each class.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_engine import Running, SlowKitModel, start_service
from typer.testing import CliRunner

from partsmith.cli.main import app
from partsmith.client.client import EngineError
from partsmith.config import ExportSettings, SandboxSettings
from partsmith.sandbox import SandboxPool

from .test_attacks import ATTACKS, Attack

NEEDS_OTHER_FIXTURES = ("{port}", "{abstract}", "{site}", "{core}", "{pth}", "FIND_PIPE")
STANDALONE = [a for a in ATTACKS if not any(key in a.script for key in NEEDS_OTHER_FIXTURES)
              and not any(key in t for t in a.targets for key in NEEDS_OTHER_FIXTURES)
              and "pipes" not in a.script]
# One of each class for the command line, which starts an engine per run.
LOCAL = ["fork-then-write", "setxattrat-file-capability", "realtime-priority",
         "memfd-outside-the-memory-limit", "stat-and-list-other-jobs", "string-annotation-gets-frame"]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    settings = SandboxSettings(workers=1, timeout_s=20, python_layers=False)
    with SandboxPool(settings, ExportSettings(), jobs_dir=tmp_path_factory.mktemp("jobs")) as pool:
        pool.warm()
        running = start_service(tmp_path_factory.mktemp("home"), pool, SlowKitModel())
        yield running
        running.stop()


def _scene(tmp_path: Path, attack: Attack) -> tuple[str, Path, Path, list[Path]]:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("victim")
    victim.chmod(0o600)
    sibling = tmp_path / "sibling"  # stands for another job's folder
    (sibling / "part").mkdir(parents=True)
    (sibling / "part" / "model.step").write_text("another job's part")
    values = {"outside": outside, "victim": victim, "sibling": sibling}
    return attack.script.format(**values), outside, victim, [Path(t.format(**values)) for t in attack.targets]


def _contained(outcome: str, outside: Path, victim: Path, targets: list[Path], mode: int) -> None:
    assert "ESCAPED" not in outcome and "Traceback" not in outcome, outcome
    for target in targets:
        assert not target.exists(), f"the script wrote {target}"
    assert list(outside.iterdir()) == [], "the script wrote outside its job folder"
    assert victim.stat().st_mode == mode and os.listxattr(victim) == []
    sibling = outside.parent / "sibling" / "part" / "model.step"
    assert sibling.read_text() == "another job's part", "another job's file changed"


@pytest.mark.parametrize("attack", STANDALONE, ids=[a.name for a in STANDALONE])
def test_attack_through_the_service(service: Running, tmp_path: Path, attack: Attack) -> None:
    script, outside, victim, targets = _scene(tmp_path, attack)
    mode = victim.stat().st_mode
    try:
        job = service.client.submit("script", script=script, params={}, prompt=attack.name, timeout_s=10)
        outcome = str(service.client.wait(str(job["id"]), timeout_s=60))
    except EngineError as exc:
        outcome = str(exc)
    _contained(outcome, outside, victim, targets, mode)


@pytest.mark.parametrize("name", LOCAL)
def test_attack_through_run_local(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    [attack] = [a for a in ATTACKS if a.name == name]
    script, outside, victim, targets = _scene(tmp_path, attack)
    mode = victim.stat().st_mode
    path = tmp_path / "attack.py"
    path.write_text(script)
    monkeypatch.setenv("PARTSMITH_SANDBOX__PYTHON_LAYERS", "false")
    result = CliRunner().invoke(app, ["run", str(path), "--local", "--timeout", "10"])
    _contained(result.output, outside, victim, targets, mode)
    assert "sandbox" in result.output.lower() or result.exit_code != 0 or not targets


def test_every_class_is_sent_down_both_paths() -> None:
    names = {a.name for a in STANDALONE}
    assert set(LOCAL) <= names and len(STANDALONE) >= 25
