"""The time index of the history: a small SQLite table beside the entry folders.

ChromaDB has no ORDER BY, so "the last one" and "the newest 50" come from here, from an index on
the creation time, without touching the vector store. Like the vector index, the timeline can be
rebuilt from the folders at any time. Each entry passes through two states: `writing` (its row
exists, its folder may not yet) and `ok` (folder and vector index both written); a process killed
in between leaves a `writing` row that the next open finishes or drops.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from partsmith.errors import StorageError

FILE = "catalog.sqlite3"


@dataclass(frozen=True)
class Row:
    id: str
    created: float
    prompt: str
    status: str
    host: str
    like: str | None


# Numbered steps: timeline version N is reached by running step N on version N - 1.
STEPS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE entries (id TEXT PRIMARY KEY, created REAL NOT NULL, prompt TEXT NOT NULL, "
        "status TEXT NOT NULL, host TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'writing')",
        "CREATE INDEX entries_created ON entries (created)",
    ),
    2: ("ALTER TABLE entries ADD COLUMN like_id TEXT",),
}
VERSION = max(STEPS)
COLUMNS = "id, created, prompt, status, host, like_id"


class Timeline:
    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE
        self._local = threading.local()
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for step in range(version + 1, VERSION + 1):
                for statement in STEPS[step]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {step}")

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.Error as exc:
                raise StorageError(f"cannot open the history catalog {self.path}: {exc}") from None
            self._local.db = db
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise StorageError(f"cannot write the history catalog: {exc}",
                               hint="check the free disk space in the data folder") from None

    def begin(self, entry_id: str, created: float, prompt: str, status: str, host: str,
              like: str | None) -> None:
        with self._write() as db:
            db.execute(f"INSERT INTO entries ({COLUMNS}, state) VALUES (?, ?, ?, ?, ?, ?, 'writing')",
                       (entry_id, created, prompt, status, host, like))

    def finish(self, entry_id: str) -> None:
        with self._write() as db:
            db.execute("UPDATE entries SET state = 'ok' WHERE id = ?", (entry_id,))

    def drop(self, entry_id: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM entries WHERE id = ?", (entry_id,))

    def unfinished(self) -> list[str]:
        return [r[0] for r in self._db().execute("SELECT id FROM entries WHERE state = 'writing'")]

    def newest(self, limit: int = 50, offset: int = 0, status: str | None = None) -> list[Row]:
        where = "state = 'ok'" + (" AND status = ?" if status else "")
        args: tuple[object, ...] = (status,) if status else ()
        rows = self._db().execute(
            f"SELECT {COLUMNS} FROM entries WHERE {where} ORDER BY created DESC LIMIT ? OFFSET ?",
            (*args, limit, offset),
        )
        return [Row(*r) for r in rows]

    def get(self, entry_id: str) -> Row | None:
        row = self._db().execute(
            f"SELECT {COLUMNS} FROM entries WHERE id = ? AND state = 'ok'", (entry_id,)).fetchone()
        return Row(*row) if row else None

    def by_prefix(self, prefix: str) -> list[str]:
        rows = self._db().execute(
            "SELECT id FROM entries WHERE id >= ? AND id < ? AND state = 'ok' LIMIT 2",
            (prefix, prefix + "\U0010ffff"))
        return [r[0] for r in rows]

    def count(self) -> int:
        return int(self._db().execute("SELECT count(*) FROM entries WHERE state = 'ok'").fetchone()[0])

    def existing(self, ids: list[str]) -> set[str]:
        marks = ",".join("?" * len(ids))
        rows = self._db().execute(
            f"SELECT id FROM entries WHERE state = 'ok' AND id IN ({marks})", ids) if ids else []
        return {r[0] for r in rows}

    def rebuild(self, rows: Callable[[], Iterator[Row]]) -> int:
        """Replace every row with the given ones (the folders' view), in one transaction."""
        count = 0
        with self._write() as db:
            db.execute("DELETE FROM entries")
            for row in rows():
                db.execute(f"INSERT INTO entries ({COLUMNS}, state) VALUES (?, ?, ?, ?, ?, ?, 'ok')",
                           (row.id, row.created, row.prompt, row.status, row.host, row.like))
                count += 1
        return count

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
