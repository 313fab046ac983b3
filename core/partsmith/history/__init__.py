"""Every generation remembered: entry folders, a time line (SQLite) and a semantic index."""

from partsmith.history.entry import Entry
from partsmith.history.store import History

__all__ = ["Entry", "History"]
