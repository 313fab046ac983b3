from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from partsmith import __version__
from partsmith.cli.main import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_installed_command_runs() -> None:
    exe = Path(sys.executable).parent / "partsmith"
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"partsmith {__version__}"


def test_doctor_tells_the_truth_about_this_machine(partsmith_home: Path) -> None:
    import llama_cpp

    from partsmith.cli.doctor import run_checks

    checks = {check.name: check for check in run_checks()}
    assert "build123d 0.12.0" in checks["CAD libraries"].detail
    offload = llama_cpp.llama_supports_gpu_offload()
    assert ("built with GPU offload" if offload else "CPU-only build") in checks["llama.cpp"].detail
    assert "gemma-3-270m" in checks["embedded model"].detail and checks["embedded model"].ok
    assert str(partsmith_home) in checks["data folder"].detail
    assert "audit_hook" in checks["sandbox"].detail and checks["sandbox"].ok
    assert checks["FreeCAD"].ok == (shutil.which("freecadcmd") is not None)
    for check in checks.values():
        assert check.ok or check.fix, f"{check.name} fails without saying how to fix it"
    result = runner.invoke(app, ["doctor", "--quick"])
    assert result.exit_code == 0, result.output


def test_user_error_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(tmp_path / "missing.py")])
    assert result.exit_code == 1
    assert "cannot read" in result.output
    assert "Traceback" not in result.output


def test_bad_param_syntax(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text("from build123d import Box\nsize = 3\nresult = Box(size, size, size)\n")
    result = runner.invoke(app, ["run", str(script), "--param", "size"])
    assert result.exit_code == 1
    assert "NAME=VALUE" in result.output
