"""Language models: backends behind one interface, the model catalog, and the prompts."""

from partsmith.llm.base import Backend, Cancelled, Completion, Request

__all__ = ["Backend", "Cancelled", "Completion", "Request"]
