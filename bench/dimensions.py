"""The dimension parser on the phrasings corpus: precision and recall of the sizes it reads, and
how often a part made exactly as asked is wrongly reported as a mismatch.

Both parsers run in the same process: the current one and a baseline read from git (the parser
as it was before the word-boundary fix, by default), so the figures are a before/after pair on
the same phrasings. `python -m bench.dimensions [--baseline REV]`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.common import write
from partsmith.checks import facts, stated
from partsmith.prompt import dimensions

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "checks" / "phrasings" / "sizes.jsonl"
# Written after the fix and never used to change the parser: the honest figure.
HELD_OUT = ROOT / "tests" / "checks" / "phrasings" / "heldout.jsonl"
# main before issue 15's parser fix.
BASELINE = "b59620f"
MATCH_MM = 0.05
# A part made as asked when the prompt states no size (any stated size then is a false reading).
NO_SIZE_PART = (37.0, 23.0, 11.0)


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def load_baseline(rev: str) -> ModuleType:
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:core/partsmith/dimensions.py"],
                            capture_output=True, text=True, check=True).stdout
    folder = Path(tempfile.mkdtemp())
    (folder / "dimensions_baseline.py").write_text(source)
    spec = importlib.util.spec_from_file_location("dimensions_baseline", folder / "dimensions_baseline.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def part_as_asked(sizes: list[list[float]]) -> tuple[float, ...]:
    """The extents of a part made exactly as the phrasing asks."""
    if not sizes:
        return NO_SIZE_PART
    first = sizes[0]
    return tuple(first) if len(first) == 3 else (*first, 2.0)


def _same(a: tuple[float, ...], b: list[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= MATCH_MM for x, y in zip(a, b, strict=True))


def _size_problems(prompt: str, size: tuple[float, ...]) -> list[str]:
    return facts.problems(stated.size_facts(prompt, size))


def score(module: ModuleType, rows: list[dict[str, Any]]) -> dict[str, Any]:
    check = getattr(module, "check", None) or _size_problems  # the parser once checked sizes itself
    read = correct = wanted = recalled = exact = false_mismatch = 0
    wrong: list[str] = []
    for row in rows:
        got = [s.sizes for s in module.stated_sizes(row["prompt"])]
        expected = [list(map(float, g)) for g in row["sizes"]]
        hits = sum(1 for g in got if any(_same(g, e) for e in expected))
        found = sum(1 for e in expected if any(_same(g, e) for g in got))
        read += len(got)
        correct += hits
        wanted += len(expected)
        recalled += found
        exact += hits == len(got) and found == len(expected)
        if hits != len(got) or found != len(expected):
            wrong.append(row["prompt"])
        if len(expected) <= 1 and check(row["prompt"], part_as_asked(row["sizes"])):
            false_mismatch += 1
    asked = sum(1 for row in rows if len(row["sizes"]) <= 1)
    return {
        "phrasings": len(rows), "sizes_read": read, "sizes_correct": correct, "sizes_stated": wanted,
        "precision": round(correct / read, 4) if read else 1.0,
        "recall": round(recalled / wanted, 4) if wanted else 1.0,
        "phrasings_read_exactly": round(exact / len(rows), 4),
        "false_mismatch_rate": round(false_mismatch / asked, 4), "parts_checked": asked,
        "misread": wrong,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the parser to compare with")
    args = parser.parse_args(argv)
    baseline = load_baseline(args.baseline)
    rows, held_out = load_corpus(), load_corpus(HELD_OUT)
    after, before = score(dimensions, rows), score(baseline, rows)
    after_held, before_held = score(dimensions, held_out), score(baseline, held_out)
    lines = [f"# Dimension parser on {len(rows)} + {len(held_out)} phrasings", "",
             f"Baseline: the parser at `{args.baseline}` (before the fix), run in the same process.",
             f"Development set: {CORPUS.relative_to(ROOT)}, written with the fix (the parser was changed "
             "until it read them). Held out: "
             f"{HELD_OUT.relative_to(ROOT)}, written after the fix and not used to change it.", "",
             "| set | parser | sizes read | precision | recall | phrasings read exactly | false mismatches |",
             "|---|---|---|---|---|---|---|"]
    for part, which, figures in (("development", "before", before), ("development", "after", after),
                                 ("held out", "before", before_held), ("held out", "after", after_held)):
        lines.append(f"| {part} | {which} | {figures['sizes_read']} | {figures['precision']:.1%} "
                     f"| {figures['recall']:.1%} | {figures['phrasings_read_exactly']:.1%} "
                     f"| {figures['false_mismatch_rate']:.1%} "
                     f"of {figures['parts_checked']} |")
    lines += ["", "False mismatches: a part made exactly as the phrasing asks, reported as not matching it.",
              "", "Still misread after the fix:", ""]
    lines += [f"- {p}" for p in after["misread"]]
    lines += [f"- (held out) {p}" for p in after_held["misread"]] + [""]
    data = {"baseline": args.baseline, "before": before, "after": after,
            "held_out": {"before": before_held, "after": after_held}}
    write("dimensions", data, "\n".join(lines))
    return data


if __name__ == "__main__":
    main()
