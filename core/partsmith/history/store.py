"""The history: every generation, its files and a way back to it.

`history/<id>/` (meta.json, STEP, STL, GLB, thumbnail.png, script.py) is the source of truth; the
timeline (time order) and the semantic index (prompt similarity) are both rebuilt from the folders
by `reindex`. An entry is written into a hidden partial folder and renamed into place, so a
process killed in the middle of a write loses only that entry, and a full disk leaves every
earlier entry as it was.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import time
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from partsmith.config import Settings
from partsmith.errors import EntryNotFound, InputError, StorageError
from partsmith.history.entry import META, THUMBNAIL, Entry, new_id
from partsmith.history.index import Hit, Index
from partsmith.history.timeline import Row, Timeline
from partsmith.model.embed import Vectors, get_embedder

log = logging.getLogger(__name__)

PARTIAL = ".partial"
# A cosine distance at most this makes a free-text reference a match: "the gear", "that knob",
# "the bracket with slots" land at 0.25-0.52 from their parts, unrelated words at 0.73 or more.
LIKE_DISTANCE = 0.62
# What an entry id looks like (entry.new_id); anything else from a team index is not followed.
ENTRY_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{6}")
# A teammate's script longer than this is not used as an example (it would crowd the prompt).
MAX_SHARED_SCRIPT_CHARS = 20_000


class History:
    @classmethod
    def from_settings(cls, settings: Settings) -> History:
        """The history in the data folder, indexed locally or on the team's Chroma server."""
        token = settings.history.chroma_token
        return cls(settings.history_dir, settings.history.chroma_url,
                   token.get_secret_value() if token else None, settings.history.chroma_token_header)

    def __init__(self, folder: Path, chroma_url: str | None = None, chroma_token: str | None = None,
                 chroma_token_header: str = "Authorization") -> None:
        self.folder = folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the history folder {folder}: {exc.strerror}") from None
        self.timeline = Timeline(folder)
        self.index = Index(folder, chroma_url, chroma_token, chroma_token_header)
        self.recover()

    # Writing ---------------------------------------------------------------------------------

    def add(self, entry: Entry, files: dict[str, Path] | None = None,
            vector: Vectors | None = None) -> Entry:
        """Save an entry with copies of its files (format -> path). Returns it with its id."""
        created = time.time()
        entry = replace(entry, id=new_id(created), created=created)
        final = self.folder / entry.id
        partial = self.folder / f".{entry.id}.{os.getpid()}{PARTIAL}"
        try:
            partial.mkdir()
            names = {}
            for fmt, path in (files or {}).items():
                # The picture is drawn in the sandbox (SandboxPool.draw_thumbnail), never here.
                name = THUMBNAIL if fmt == "thumbnail" else path.name
                shutil.copyfile(path, partial / name)
                if fmt != "thumbnail":
                    names[fmt] = name
            entry.artifacts = names
            if entry.script:
                (partial / "script.py").write_text(entry.script)
            _write_synced(partial / META, entry.to_json())
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise _storage_error(exc, self.folder) from None
        self.timeline.begin(entry.id, entry.created, entry.prompt, entry.status, entry.host, entry.like)
        try:
            partial.rename(final)
            _sync_folder(self.folder)
        except OSError as exc:
            self.timeline.drop(entry.id)
            shutil.rmtree(partial, ignore_errors=True)
            raise _storage_error(exc, self.folder) from None
        if vector is None:
            vector = get_embedder().encode_one(entry.prompt)
        self.index.add([entry.id], vector[None, :], [entry.prompt], [self._index_meta(entry)])
        self.timeline.finish(entry.id)
        return entry

    def remove(self, entry_id: str) -> None:
        entry = self.get(entry_id)
        self.timeline.drop(entry.id)
        self.index.remove([entry.id])
        shutil.rmtree(self.folder / entry.id, ignore_errors=True)

    def recover(self) -> None:
        """Finish or drop what a killed process left half written."""
        for entry_id in self.timeline.unfinished():
            folder = self.folder / entry_id
            if (folder / META).is_file():
                entry = Entry.read(folder)
                vector = get_embedder().encode_one(entry.prompt)
                self.index.add([entry.id], vector[None, :], [entry.prompt], [self._index_meta(entry)])
                self.timeline.finish(entry_id)
            else:
                self.timeline.drop(entry_id)
        for partial in self.folder.glob(f".*{PARTIAL}"):
            pid = partial.name.rsplit(".", 2)[-2]
            if not (pid.isdigit() and _alive(int(pid))):
                shutil.rmtree(partial, ignore_errors=True)

    def reindex(self, batch: int = 256) -> int:
        """Rebuild the timeline and the semantic index from the entry folders."""
        entries = [Entry.read(folder) for folder in self._folders()]
        count = self.timeline.rebuild(lambda: (_row(e) for e in entries))
        if not self.index.remote:  # a team index also holds other machines' entries: keep them
            self.index.clear()
        embedder = get_embedder()
        for start in range(0, len(entries), batch):
            chunk = entries[start:start + batch]
            vectors = embedder.encode([e.prompt for e in chunk])
            self.index.add([e.id for e in chunk], vectors, [e.prompt for e in chunk],
                           [self._index_meta(e) for e in chunk])
        return count

    # Reading ---------------------------------------------------------------------------------

    def get(self, entry_id: str) -> Entry:
        folder = self.folder / entry_id
        if "/" in entry_id or entry_id.startswith(".") or not (folder / META).is_file():
            matches = self.timeline.by_prefix(entry_id) if entry_id and "/" not in entry_id else []
            if len(matches) != 1:
                raise EntryNotFound(f"there is no history entry {entry_id!r}",
                                 hint="`partsmith history list` shows the entries")
            folder = self.folder / matches[0]
        return Entry.read(folder)

    def path(self, entry: Entry, fmt: str) -> Path:
        name = THUMBNAIL if fmt == "thumbnail" else entry.artifacts.get(fmt)
        if not name or not (self.folder / entry.id / name).is_file():
            raise InputError(f"the entry {entry.id} has no {fmt} file")
        return self.folder / entry.id / name

    def newest(self, limit: int = 50, offset: int = 0, status: str | None = None) -> list[Row]:
        return self.timeline.newest(limit, offset, status)

    def last(self, ok_only: bool = True) -> Entry | None:
        rows = self.timeline.newest(1, status="ok" if ok_only else None)
        return self.get(rows[0].id) if rows else None

    def search(self, query: str | Vectors, count: int = 5, status: str | None = None) -> list[Hit]:
        vector = get_embedder().encode_one(query) if isinstance(query, str) else query
        hits = self.index.query(vector, count, status)
        if self.index.remote:
            return hits  # a team index: entries made on other machines are hits too
        alive = self.timeline.existing([h.id for h in hits])  # skip what another process removed
        return [h for h in hits if h.id in alive]

    def similar_successes(self, vector: Vectors, count: int = 2,
                          max_distance: float = 0.5) -> list[Entry]:
        """Successful past parts close to a new prompt (a teammate's too, with a team index):
        the best few-shot examples there are."""
        found = []
        for hit in self.search(vector, count, status="ok"):
            if hit.distance > max_distance or not ENTRY_ID.fullmatch(hit.id):
                continue  # a team index is other machines' data: an odd id is skipped, not followed
            if (self.folder / hit.id / META).is_file():
                found.append(self.get(hit.id))
            elif shared := _shared_entry(hit):
                found.append(shared)
        return found

    def resolve(self, reference: str) -> Entry:
        """`last`, an id (or its unique start), or words describing an earlier part."""
        text = reference.strip()
        if text.lower() in {"last", "the last one", "previous"}:
            entry = self.last()
            if entry is None:
                raise InputError("there is no earlier part to start from",
                                 hint="generate one first")
            return entry
        if (self.folder / text / META).is_file() or (text and len(self.timeline.by_prefix(text)) == 1
                                                      and " " not in text):
            return self.get(text)
        hits = self.search(text, 1, status="ok")
        if not hits or hits[0].distance > LIKE_DISTANCE:
            raise InputError(f"no earlier part looks like {text!r}",
                             hint="`partsmith history search WORDS` shows what there is")
        return self.get(hits[0].id)

    def export(self, target: Path, ids: list[str] | None = None) -> int:
        """A zip of entry folders (all, or the given ids)."""
        chosen = [self.get(i).id for i in ids] if ids else [f.name for f in self._folders()]
        try:
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
                for entry_id in chosen:
                    for file in sorted((self.folder / entry_id).iterdir()):
                        archive.write(file, f"{entry_id}/{file.name}")
        except OSError as exc:
            raise _storage_error(exc, target.parent) from None
        return len(chosen)

    def count(self) -> int:
        return self.timeline.count()

    def _folders(self) -> Iterator[Path]:
        for folder in sorted(self.folder.iterdir()):
            if not folder.name.startswith(".") and (folder / META).is_file():
                yield folder

    def _index_meta(self, entry: Entry) -> dict[str, Any]:
        return _index_meta(entry, self.index.remote)

    def close(self) -> None:
        self.timeline.close()


def _shared_entry(hit: Hit) -> Entry | None:
    """A teammate's part from the team index, as a few-shot example. Its metadata is another
    machine's word, so nothing in it is trusted: the script is only text for the model's prompt
    (what the model then writes runs in the sandbox, like any answer), a family the kit does not
    have is dropped, and an oversized or non-text script is skipped."""
    from partsmith.kit.registry import FAMILIES

    script = hit.meta.get("script")
    if not isinstance(script, str) or not script.strip() or len(script) > MAX_SHARED_SCRIPT_CHARS:
        return None
    family = hit.meta.get("family")
    route = hit.meta.get("route")
    created = hit.meta.get("created")
    return Entry(id=hit.id, created=float(created) if isinstance(created, (int, float)) else 0.0,
                 prompt=hit.prompt[:MAX_SHARED_SCRIPT_CHARS], status="ok",
                 route=route if route in {"structured", "code"} else "code",
                 family=family if isinstance(family, str) and family in FAMILIES else None,
                 script=script)


def _row(entry: Entry) -> Row:
    return Row(entry.id, entry.created, entry.prompt, entry.status, entry.host, entry.like)


def _index_meta(entry: Entry, remote: bool) -> dict[str, Any]:
    meta: dict[str, Any] = {"status": entry.status, "created": entry.created, "route": entry.route,
                            "family": entry.family or "", "host": entry.host}
    if remote:
        meta["script"] = entry.script  # teammates have no copy of this machine's folders
    return meta


def _write_synced(path: Path, text: str) -> None:
    with path.open("w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _storage_error(exc: OSError, where: Path) -> StorageError:
    if exc.errno == errno.ENOSPC:
        return StorageError(f"the disk is full: cannot save to {where}",
                            hint="free some space; everything saved before is intact")
    return StorageError(f"cannot save to {where}: {exc.strerror or exc}")
