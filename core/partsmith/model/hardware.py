"""The hardware probe: which GPUs this machine has, as the NVIDIA driver reports them."""

from __future__ import annotations

import shutil
import subprocess


def gpu_devices() -> list[str]:
    """GPUs the NVIDIA driver reports, with their memory ("name, 24576 MiB"); none when it is absent."""
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.splitlines() if line.strip()]
