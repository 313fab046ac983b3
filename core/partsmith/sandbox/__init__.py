"""Running untrusted part scripts.

Layers, from the first and cheapest to the ones that hold: the static policy (`policy`), the
guarded builtins and audit hook (`runner`, `audit`), per-job identity and limits (`limits`: no
capability, a user of its own for a root engine's job, resource limits), closed descriptors
(`descriptors`), and the kernel layers Landlock (`landlock`) and seccomp (`seccomp`, an
allow-list), applied in each job process before its script runs (`job`). The warm workers
(`worker`) have a zygote (`zygote`) fork one clean process per job; a script's part is checked,
measured and exported by a second job the script never ran in, and its picture drawn by a third
(`runner`). The pool (`pool`) refuses to run code without the layers `sandbox.require` asks for
(`layers`), checks every reply (`replies`) and removes failed jobs' folders. `roots` says what a
job may read.
"""

from partsmith.sandbox.pool import JobResult, SandboxPool

__all__ = ["JobResult", "SandboxPool"]
