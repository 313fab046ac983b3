"""Running untrusted part scripts: static policy, runtime guard, warm worker pool."""

from partsmith.sandbox.pool import JobResult, SandboxPool

__all__ = ["JobResult", "SandboxPool"]
