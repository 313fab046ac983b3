"""The history at scale: add, semantic search, "last" and the newest 50, at 100,000 entries.

The first entries are written as folders (exactly what `History.add` writes, without the files)
and indexed with `reindex` in batches; the timed adds then go through `History.add` on the full
store. Search times include embedding the query. Figures go to bench/results/history.*.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import percentile, write
from partsmith.history import Entry, History
from partsmith.history.entry import new_id
from partsmith.model.embed import get_embedder

PARTS = [
    ("plate", "a {a} x {b} x {c} mm plate with four {d} mm holes"),
    ("l_bracket", "an L bracket {a} mm wide, legs {b} mm, {c} mm thick"),
    ("spur_gear", "a spur gear with {a} teeth, module {c}, {d} mm bore"),
    ("tube", "a tube {a} mm long, {b} mm outer diameter, {c} mm wall"),
    ("hex_nut", "an M{d} hex nut"),
    ("enclosure", "an enclosure {a} x {b} x {c} mm with {d} mm walls and a lid"),
    ("knob", "a knurled knob {a} mm across for a {d} mm shaft"),
    ("flange", "a flange {a} mm across with {d} holes on a {b} mm circle"),
    (None, "a phone stand at {a} degrees, {c} mm thick"),
    (None, "a cable clip for a {d} mm cable with a {c} mm screw hole"),
]
QUERIES = ["the bracket with slots", "a gear like before", "that enclosure with a lid", "an M5 nut",
           "the plate with holes", "a knob for a potentiometer", "something to hold my phone",
           "a pipe", "a flange with bolt holes", "cable holder"]


def _prompt(rng: random.Random) -> tuple[str | None, str]:
    family, text = rng.choice(PARTS)
    return family, text.format(a=rng.randint(10, 200), b=rng.randint(10, 150), c=rng.randint(1, 12),
                               d=rng.choice([3, 4, 5, 6, 8, 10]))


def fill(folder: Path, count: int, rng: random.Random) -> float:
    """Write `count` entry folders, then index them; returns the seconds the indexing took."""
    start = time.time() - count
    for number in range(count):
        family, prompt = _prompt(rng)
        created = start + number
        entry = Entry(id=new_id(created), created=created, prompt=prompt, status="ok", route="structured",
                      family=family, script=f"# {prompt}\nresult = None\n", parameters={"length": 40})
        (folder / entry.id).mkdir()
        (folder / entry.id / "meta.json").write_text(entry.to_json())
    began = time.perf_counter()
    History(folder).reindex(batch=512)
    return time.perf_counter() - began


def _timed(action: object, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - began) * 1000)
    return times


def _size_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True).stdout
    return int(out.split()[0]) / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", type=Path, default=None, help="build the store here and keep it")
    args = parser.parse_args(argv)
    rng = random.Random(7)
    get_embedder()
    scratch = Path(tempfile.mkdtemp(prefix="partsmith-bench-history-"))
    folder = args.keep or scratch / "history"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        index_s = fill(folder, args.entries, rng)
        history = History(folder)
        history.search("warm up", 5)
        adds = _timed(lambda: history.add(Entry(id="", created=0.0, prompt=_prompt(rng)[1], status="ok")),
                      args.runs)
        queries = iter(QUERIES * args.runs)
        search = _timed(lambda: history.search(next(queries), 5), args.runs)
        last = _timed(history.last, args.runs)
        newest = _timed(lambda: history.newest(50), args.runs)
        assert history.count() == args.entries + args.runs
        sizes = {"total_mb": _size_mb(folder), "index_mb": _size_mb(folder / "chroma"),
                 "catalog_mb": sum(f.stat().st_size for f in folder.glob("catalog.sqlite3*")) / 2**20}
        history.close()
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    figures = {
        "entries": args.entries, "runs": args.runs, "reindex_s": round(index_s, 1),
        "add_ms": {"p50": percentile(adds, 50), "p95": percentile(adds, 95)},
        "search_top5_ms": {"p50": percentile(search, 50), "p95": percentile(search, 95)},
        "last_ms": {"p50": percentile(last, 50), "p95": percentile(last, 95)},
        "newest50_ms": {"p50": percentile(newest, 50), "p95": percentile(newest, 95)},
        "disk_mb": {k: round(v, 1) for k, v in sizes.items()},
    }
    table = (
        f"History at {args.entries:,} entries ({args.runs} timed runs each)\n\n"
        "| operation | p50 ms | p95 ms | target |\n|---|---|---|---|\n"
        f"| add (folder, catalog, index, embedding) | {figures['add_ms']['p50']:.1f} | "
        f"{figures['add_ms']['p95']:.1f} | |\n"
        f"| top-5 semantic search, query embedding included | {figures['search_top5_ms']['p50']:.1f} | "
        f"{figures['search_top5_ms']['p95']:.1f} | p95 <= 25 |\n"
        f"| \"last\" (catalog + meta.json) | {figures['last_ms']['p50']:.2f} | "
        f"{figures['last_ms']['p95']:.2f} | p95 <= 5 |\n"
        f"| newest 50 | {figures['newest50_ms']['p50']:.2f} | {figures['newest50_ms']['p95']:.2f} | |\n\n"
        f"Disk: {sizes['total_mb']:.0f} MB in all, of which the vector index {sizes['index_mb']:.0f} MB "
        f"and the catalog {sizes['catalog_mb']:.1f} MB. Reindexing {args.entries:,} entries took "
        f"{index_s:.0f} s.\n"
    )
    write("history", {"figures": figures}, table)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
