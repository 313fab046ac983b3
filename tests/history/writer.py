"""A separate process that writes history entries in a loop (for the kill and concurrency tests).

Usage: python writer.py FOLDER TAG COUNT [STL]; prints each saved id, flushed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from partsmith.history import Entry, History


def main() -> None:
    folder, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    files = {"stl": Path(sys.argv[4])} if len(sys.argv) > 4 else {}
    history = History(folder)
    for number in range(count):
        prompt = f"{tag} part number {number}, a {10 + number} mm cube"
        saved = history.add(Entry(id="", created=0.0, prompt=prompt, status="ok", host="cli"), files)
        print(saved.id, flush=True)
    history.close()


if __name__ == "__main__":
    main()
