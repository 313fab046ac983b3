"""The history store: folders as the truth, the time catalog, the semantic index, migrations."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from partsmith.errors import EntryNotFound, InputError
from partsmith.history import History
from partsmith.history.entry import SCHEMA, Entry
from partsmith.history.timeline import FILE
from partsmith.sandbox import SandboxPool

from .conftest import entry

PROMPTS = [
    "a 40 x 30 x 5 mm plate with four 4 mm holes",
    "an L bracket with slots, 3 mm thick",
    "a spur gear with 20 teeth, module 1",
    "an M6 hex nut",
    "a knurled knob for a 6 mm shaft",
]


def test_entries_are_folders_with_files_and_a_thumbnail(history: History, pool: SandboxPool) -> None:
    made = pool.run("from build123d import *\nlength = 40  # mm\nresult = Box(length, 30, 5)")
    picture = pool.draw_thumbnail(made)  # drawn in the sandbox, from the checked mesh
    assert picture is not None
    saved = history.add(entry("a 40 x 30 x 5 mm block", script=made.script,
                              parameters=made.parameters), {**made.artifacts, "thumbnail": picture})
    folder = history.folder / saved.id
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["schema"] == SCHEMA and meta["prompt"] == "a 40 x 30 x 5 mm block"
    assert set(meta["artifacts"]) == {"step", "stl", "glb"}
    assert all((folder / name).stat().st_size > 0 for name in meta["artifacts"].values())
    png = history.path(saved, "thumbnail").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 500
    assert (folder / "script.py").read_text() == made.script
    assert history.get(saved.id[:15]).id == saved.id  # a unique start of an id is enough


def test_last_newest_search_and_resolve(history: History) -> None:
    ids = [history.add(entry(p)).id for p in PROMPTS]
    history.add(entry("a broken thing", status="failed"))
    assert history.last() is not None and history.last().id == ids[-1]  # the last success
    assert [r.id for r in history.newest(3)][1:] == [ids[-1], ids[-2]]
    assert history.newest(1)[0].status == "failed"
    top = history.search("the bracket with slots", 2)
    assert top[0].id == ids[1] and top[0].distance < top[1].distance
    assert history.resolve("the gear").id == ids[2]
    assert history.resolve("last").id == ids[-1]
    assert history.resolve(ids[0]).id == ids[0]
    with pytest.raises(InputError, match="no earlier part looks like"):
        history.resolve("a submarine periscope housing with portholes")


def test_similar_successes_skip_failures(history: History) -> None:
    history.add(entry("an M6 hex nut, 5 mm thick", status="failed"))
    nut = history.add(entry("an M6 hex nut"))
    from partsmith.model.embed import get_embedder

    found = history.similar_successes(get_embedder().encode_one("an M8 hex nut"))
    assert [e.id for e in found] == [nut.id]


def test_remove_and_reindex(history: History, tmp_path: Path) -> None:
    ids = [history.add(entry(p)).id for p in PROMPTS]
    history.remove(ids[0])
    assert not (history.folder / ids[0]).exists() and history.count() == 4
    assert ids[0] not in [h.id for h in history.search(PROMPTS[0], 5)]
    # Lose both indexes; the folders bring them back.
    history.close()
    (history.folder / FILE).unlink()
    import shutil

    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # chromadb keeps one client per folder per process
    shutil.rmtree(history.folder / "chroma")
    again = History(history.folder)
    assert again.count() == 0
    assert again.reindex() == 4
    assert again.count() == 4 and again.index.count() == 4
    assert again.resolve("the gear").id == ids[2]
    with zipfile.ZipFile(_export(again, tmp_path)) as z:
        assert sorted({n.split("/")[0] for n in z.namelist()}) == sorted(ids[1:])
    again.close()


def _export(history: History, tmp_path: Path) -> Path:
    target = tmp_path / "history.zip"
    assert history.export(target) == 4
    return target


def test_an_old_entry_is_migrated_when_read(history: History) -> None:
    folder = history.folder / "20200101-000000-abcdef"
    folder.mkdir()
    (folder / "model.step").write_text("ISO-10303-21;")
    old = {"id": folder.name, "created": 1577836800.0, "prompt": "an old plate", "status": "ok",
           "artifacts": {"step": "/somewhere/else/model.step"}}  # schema 1: absolute paths
    (folder / "meta.json").write_text(json.dumps(old))
    history.reindex()
    read = history.get(folder.name)
    assert read.schema == SCHEMA and read.artifacts == {"step": "model.step"} and read.holes == []
    assert history.path(read, "step") == folder / "model.step"
    newer = dict(old, schema=SCHEMA + 1)
    with pytest.raises(Exception, match="newer than this engine"):
        Entry.from_dict(newer)


def test_the_catalog_is_migrated_step_by_step(tmp_path: Path) -> None:
    folder = tmp_path / "history"
    folder.mkdir()
    db = sqlite3.connect(folder / FILE)
    db.execute("CREATE TABLE entries (id TEXT PRIMARY KEY, created REAL NOT NULL, prompt TEXT NOT NULL, "
               "status TEXT NOT NULL, host TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'writing')")
    db.execute("INSERT INTO entries VALUES ('20200101-000000-aaaaaa', 1.0, 'x', 'ok', 'cli', 'ok')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    history = History(folder)
    assert history.newest(1)[0].like is None  # the column version 2 added
    assert sqlite3.connect(folder / FILE).execute("PRAGMA user_version").fetchone()[0] == 2
    history.close()


def test_unknown_ids_are_clear_errors(history: History) -> None:
    for bad in ("nope", "../etc", ".hidden", ""):
        with pytest.raises(EntryNotFound, match="no history entry"):
            history.get(bad)
