"""Running untrusted part scripts.

Layers, from the first and cheapest to the ones that hold: the static policy (`policy`), the
guarded builtins and audit hook (`runner`, `audit`), per-job limits (`limits`), closed descriptors
(`descriptors`), and the kernel layers Landlock (`landlock`) and seccomp (`seccomp`), applied in
each job process before its script runs (`job`). The warm workers (`worker`) fork one process per
job; the pool (`pool`) refuses to run code without the layers `sandbox.require` asks for
(`layers`) and checks every reply (`replies`). `roots` says what a job may read.
"""

from partsmith.sandbox.pool import JobResult, SandboxPool

__all__ = ["JobResult", "SandboxPool"]
