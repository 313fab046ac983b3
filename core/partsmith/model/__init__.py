"""Language models: backends behind one interface (each declares its prompt style), the model
catalog and downloads, the hardware probe, and the embedder. The prompts are `generate`'s."""

from partsmith.model.base import Backend, Cancelled, Completion, Request

__all__ = ["Backend", "Cancelled", "Completion", "Request"]
