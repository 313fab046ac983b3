"""One table of every benchmark's headline figures, from the files in bench/results/, with the
machine they ran on: bench/results/README.md."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import RESULTS


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _sandbox(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    simple = d["parts"]["simple"]
    return [
        (
            "sandbox: a simple part, warm pool (p50 / p95)",
            f"{simple['warm_p50_ms']:.0f} / {simple['warm_p95_ms']:.0f} ms",
            f"{simple['speedup_p50']:.0f}x faster than a fresh interpreter ({simple['fresh_p50_ms']:.0f} ms)",
        )
    ]


def _llm(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (
            f"tokens/s through the engine vs raw llama_cpp ({d['model']})",
            f"{d['engine_tokens_per_s']:.1f} vs {d['raw_tokens_per_s']:.1f}",
            f"ratio {d['ratio']:.3f} (>= 0.95)",
        ),
        (
            "time to first token, second request sharing the prompt head",
            f"{d['ttft_second_s']:.2f} s vs {d['ttft_first_s']:.2f} s",
            f"{d['ttft_ratio']:.1%} (<= 10 %)",
        ),
    ]


def _facts(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(f"facts of hand-written prompts ({d['prompts']}) against their right parts",
             f"false misses {d['false_miss_share']:.3f} of prompts",
             f"caught on a part 25 % larger {d['caught_larger_share']:.2f}, on another part "
             f"{d['caught_other_share']:.2f}")]


def _pipeline(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    made = [r for r in d["runs"] if "failed" not in r]  # a prompt with no part has no sandbox time
    runs = made[1:] or made or d["runs"]
    model = sum(r["model_s"] for r in runs) / len(runs)
    sandbox = sum(r.get("sandbox_ms", 0.0) for r in runs) / len(runs)
    p50 = f"; p50 {d['total_p50_s']:.2f} s, first prompt {d['first_s']:.2f} s" if "total_p50_s" in d else ""
    if d.get("failed"):
        p50 += f"; no part for {len(d['failed'])} of {len(d['runs'])}"
    return [
        (
            f"prompt to part, by stage ({d['model']}, warm)",
            f"model {model:.1f} s, sandbox {sandbox:.0f} ms",
            f"model load {d['load_s']:.1f} s{p50}",
        )
    ]


def _grammar(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (
            f"decoding under the part-program grammar vs the family grammar ({d['model']})",
            f"{d['program_tokens_per_s']:.1f} vs {d['family_tokens_per_s']:.1f} tok/s",
            f"ratio {d['ratio_program_to_family']:.2f} (>= 0.67)",
        )
    ]


def _cli(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (
            "`partsmith generate`, whole process: second call (running engine) / first call",
            f"{d['second_s']:.1f} s / {d['first_s']:.1f} s",
            f"--local {d['local_s']:.1f} s; median of {d['rounds']} rounds",
        )
    ]


def _history(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    f = d["figures"]
    return [
        (
            f"history at {f['entries']:,} entries: search top 5 / last / newest 50 (p95)",
            f"{f['search_top5_ms']['p95']:.1f} / {f['last_ms']['p95']:.2f} / "
            f"{f['newest50_ms']['p95']:.2f} ms",
            f"targets 25 / 5 ms; add p50 {f['add_ms']['p50']:.0f} ms; {f['disk_mb']['total_mb']:.0f} MB",
        )
    ]


def _service(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    f = d["figures"]
    p95 = f["status_during_generation_ms"]["p95"]
    return [
        (
            f"service: status call p95 during a generation ({f['model']})",
            f"{p95:.1f} ms" if p95 is not None else "n/a",
            f"{f['requests']} requests, 4 clients, "
            f"5xx: {sum(v for k, v in f['statuses'].items() if int(k) >= 500)}, "
            f"missing {len(f['missing'])}, duplicated {f['duplicates']}",
        )
    ]


def _frontends(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    rows = []
    for name, r in d["figures"].items():

        def ms(value: float | None) -> str:
            return f"{value:.0f} ms" if value is not None else "n/a"

        rows.append(
            (
                f"front ends: {name} into Blender (GLB) / FreeCAD (STEP)",
                f"{ms(r['blender_import_ms'])} / {ms(r['freecad_insert_ms'])}",
                f"engine makes it in {ms(r['engine_make_ms'])}",
            )
        )
    return rows


def _eval(label: str) -> Callable[[dict[str, Any]], list[tuple[str, str, str]]]:
    def rows(d: dict[str, Any]) -> list[tuple[str, str, str]]:
        s = d["summary"]
        return [
            (
                f"{label} ({s['tasks']} tasks, {s['model']})",
                f"PASS {s.get('pass', 0.0):.2f} (bbox within 1 mm AND volume within 2 %); "
                f"valid {s['valid']:.2f}, bbox within 1 mm {s['bbox_within_1mm']:.2f}, "
                f"IoU mean {s['iou_mean']:.3f}",
                f"IoU >= 0.9: {s['iou_at_least_0_9']:.2f}; Chamfer median {s['chamfer_median_mm']} mm",
            )
        ]

    return rows


def _training(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    dev, bare = d["dev"], d["sample_bare"]
    return [
        (
            f"dev set held out of training ({dev['total']}), embedded model + {d['adapter']}",
            f"part right {dev.get('part_right', float('nan')):.2f} (bbox 1 mm AND volume 2 %), "
            f"program right {dev['program_right']:.2f}, bbox alone {dev['part_within_1mm']:.2f}",
            f"bare base on every {d['sample_every']}th: part right "
            f"{bare.get('part_right', float('nan')):.2f}; "
            f"answer p50 {dev['answer_p50_s']:.2f} s (target >= 0.90)",
        )
    ]


def _dev_engine(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(
        f"dev set through the engine ({d['descriptions']}, one in {d['every']}; facts, stated sizes "
        f"set, llm.candidates = {d['candidates']})",
        f"part right {d['part_right_engine']:.2f} (bbox 1 mm AND volume 2 %), bbox alone "
        f"{d['bbox_within_1mm_engine']:.2f}",
        f"the model's greedy answer alone, same run: part right {d['part_right_greedy']:.2f}; "
        f"prompt to part p50 {d['seconds_p50']:.2f} s",
    )]


def _phrasings(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    first, *others = d["runs"]
    against = "; ".join(f"{r['adapter']}: {r['share']:.2f}" for r in others)
    return [(
        f"size checker's phrasings, never trained on ({first['prompts']}), "
        f"embedded model + {first['adapter']}",
        f"sizes right {first['share']:.2f} (built {first['built']})",
        against or "first answer, bounding box against the stated sizes",
    )]


def _learning_curve(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    run = [p for p in d["points"] if p["step"] is not None]
    others = "; ".join(f"{p['point']}: {p['part_right']:.2f}" for p in d["points"] if p["step"] is None)
    slope = d.get("part_right_per_doubling")
    return [(
        f"learning curve: part right on {d['sample']} dev descriptions against examples seen",
        ", ".join(f"{p['examples_seen']}: {p['part_right']:.2f}" for p in run),
        (f"{slope:+.3f} per doubling" if slope is not None else "one point")
        + (f"; {others}" if others else ""),
    )]


def _batched(d: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(
        f"answers decoded in one llama.cpp batch against one at a time ({d['count']} dev descriptions)",
        ", ".join(f"{r['size']}: {r['share']:.2f}" for r in d["batched"]),
        "share of the time one at a time takes (below 1 pays); the engine stays one at a time",
    )]


# Quality first, as CadQueryEval judges it (PASS: bounding box within 1 mm AND volume within 2 %).
SECTIONS: list[tuple[str, Callable[[dict[str, Any]], list[tuple[str, str, str]]]]] = [
    ("eval-cadqueryeval", _eval("CadQueryEval")),
    ("eval-simple", _eval("simple prompts of bench/evals, the model")),
    ("training-dev", _training),
    ("dev-engine", _dev_engine),
    ("learning-curve", _learning_curve),
    ("phrasings", _phrasings),
    ("eval-oracle", _eval("evaluation harness, oracle")),
    ("sandbox", _sandbox),
    ("llm", _llm),
    ("grammar-speed", _grammar),
    ("batched-decode", _batched),
    ("pipeline", _pipeline),
    ("facts", _facts),
    ("history", _history),
    ("service", _service),
    ("frontends", _frontends),
    ("cli", _cli),
]


def main() -> None:
    lines = ["# Benchmarks", "", "| benchmark | figure | context |", "|---|---|---|"]
    machine = None
    dates: list[str] = []
    for name, rows in SECTIONS:
        data = _load(name)
        if data is None:
            lines.append(f"| {name} | not run | |")
            continue
        machine = machine or data.get("machine")
        dates += [data["machine"]["date"]] if data.get("machine", {}).get("date") else []
        lines += [f"| {a} | {b} | {c} |" for a, b, c in rows(data)]
    if machine:  # the oldest figure's date: each file has its own
        lines += [
            "",
            f"Machine: {machine['cpu']}, {machine['cores']} cores, Python {machine['python']}, "
            f"{machine['system']}; figures from {min(dates)} and later.",
        ]
    lines += ["", "Each benchmark's own file in this folder has the details (`NAME.md`, `NAME.json`)."]
    text = "\n".join(lines) + "\n"
    Path(RESULTS / "README.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
