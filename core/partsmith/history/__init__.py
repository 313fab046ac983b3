"""Every generation remembered: entry folders, a time line (SQLite) and a semantic index.

`History` (and with it ChromaDB) is imported on first use, so a client that only reads records
(`partsmith.history.entry`) does not pay for the index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from partsmith.history.entry import Entry

if TYPE_CHECKING:
    from partsmith.history.store import History

__all__ = ["Entry", "History"]


def __getattr__(name: str) -> Any:
    if name == "History":
        from partsmith.history.store import History

        return History
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
