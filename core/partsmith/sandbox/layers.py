"""Which kernel layers this machine offers, which ones a job must have, and what is lost without one.

`sandbox.require` names the kernel layers without which the engine refuses to run generated code.
Unset, it means each kernel layer this Linux kernel offers: Landlock when the kernel has it,
seccomp when the kernel can filter system calls (and then libseccomp must be installed).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from partsmith.sandbox import landlock, seccomp

KERNEL_LAYERS = ("landlock", "seccomp")

LOST = {
    "landlock": "a script that gets past the Python layers can read any file the engine can read "
    "and write any file the engine can write (for example a .pth file that runs at every Python "
    "start)",
    "seccomp": "a script that gets past the Python layers can start programs, open sockets, fork "
    "and call any system call the engine's user may",
    "mount_namespace": "a script can see (stat, list, watch) every folder on the machine, other "
    "jobs' folders among them, though Landlock still refuses to open them",
}


def offered() -> dict[str, Any]:
    """What this machine offers: the Landlock ABI (0: none) and seccomp (kernel, library)."""
    return {
        "landlock_abi": landlock.abi_version(),
        "seccomp_kernel": seccomp.kernel_offers(),
        "seccomp_library": seccomp.load(),
    }


def required(require: Iterable[str] | None, offer: dict[str, Any]) -> list[str]:
    """The kernel layers a job must have: `require` as set, or by default those the kernel offers."""
    if require is not None:
        return sorted(set(require))
    if not sys.platform.startswith("linux"):
        return []
    wanted = []
    if int(offer.get("landlock_abi") or 0) >= 1:
        wanted.append("landlock")
    if offer.get("seccomp_kernel"):
        wanted.append("seccomp")
    return wanted


def available(offer: dict[str, Any], disabled: Iterable[str] = ()) -> list[str]:
    """The kernel layers a job here will have."""
    off = set(disabled)
    have = []
    if int(offer.get("landlock_abi") or 0) >= 1 and "landlock" not in off:
        have.append("landlock")
    if offer.get("seccomp_kernel") and offer.get("seccomp_library") and "seccomp" not in off:
        have.append("seccomp")
    return have


def why_missing(layer: str, disabled: Iterable[str] = (), error: str = "") -> str:
    if layer in set(disabled):
        return "switched off by the setting sandbox.disable"
    if error:
        return f"applying it failed: {error}"
    if layer == "landlock":
        return landlock.unavailable_reason()
    return seccomp.unavailable_reason()


def refusal(
    missing: Iterable[str], disabled: Iterable[str] = (), errors: dict[str, Any] | None = None
) -> str:
    """The message for a refused job: each missing layer, why, and how to get it.

    `errors` are the job's own reports (`landlock_error`, `seccomp_error`) when applying failed.
    """
    errors = errors or {}
    parts = [f"{layer}: {why_missing(layer, disabled, str(errors.get(f'{layer}_error') or ''))}"
             for layer in sorted(missing)]
    return ("generated code was not run: the sandbox is missing required kernel layers ("
            + "; ".join(parts) + "); " + "; ".join(lost(missing)))


REFUSAL_HINT = ("get the layer (see `partsmith doctor`), or accept running without it by leaving it "
                "out of the setting sandbox.require (for example PARTSMITH_SANDBOX__REQUIRE='[]')")


def lost(missing: Iterable[str]) -> list[str]:
    """What a user loses without each layer, in words."""
    return [f"without {layer}, {LOST[layer]}" for layer in sorted(missing) if layer in LOST]
