"""The run's summary (JSON), its per-task table (Markdown) and a chart (PNG)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from partsmith.evaluate.score import passes


def passed(row: dict[str, Any]) -> bool:
    """A row's PASS: as scored, or, for a row of a run resumed from before PASS was recorded,
    judged from its fields."""
    return bool(row["passed"]) if "passed" in row else passes(row)


def summarise(rows: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    count = len(rows)

    def share(key: str) -> float:
        return round(sum(1 for r in rows if r.get(key)) / count, 3) if count else 0.0

    ious = [r["iou"] for r in rows if r.get("iou") is not None]
    chamfers = [r["chamfer_mm"] for r in rows if r.get("chamfer_mm") is not None]
    with_components = [r for r in rows if r.get("components_ok") is not None]
    return {
        **meta, "tasks": count,
        # CadQueryEval's criterion first: valid, pieces, bounding box within 1 mm AND volume within 2 %.
        "pass": round(sum(1 for r in rows if passed(r)) / count, 3) if count else 0.0,
        "made": share("made"), "valid": share("valid"), "bbox_within_1mm": share("bbox_ok"),
        "volume_within_2pct": share("volume_ok"),
        "components_ok": round(sum(1 for r in with_components if r["components_ok"])
                               / len(with_components), 3) if with_components else None,
        # Over every task, a task with no part scoring 0: the figure a user feels.
        "iou_mean": round(sum(ious) / count, 4) if count and ious else 0.0,
        "iou_mean_of_made": round(statistics.fmean(ious), 4) if ious else None,
        "iou_at_least_0_9": round(sum(1 for v in ious if v >= 0.9) / count, 3) if count else 0.0,
        "iou_at_least_0_95": round(sum(1 for v in ious if v >= 0.95) / count, 3) if count else 0.0,
        "chamfer_median_mm": round(statistics.median(chamfers), 3) if chamfers else None,
        "seconds_total": round(sum(r.get("seconds", 0) for r in rows), 1),
    }


def table(rows: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    head = (
        f"{summary['tasks']} tasks, {summary.get('mode', '')} {summary.get('model', '')}: "
        f"**PASS {summary['pass']:.2f}** (valid, pieces, bounding box within 1 mm AND volume within 2 %); "
        f"made {summary['made']:.2f}, valid {summary['valid']:.2f}, bounding box within 1 mm "
        f"{summary['bbox_within_1mm']:.2f}, volume within 2 % {summary['volume_within_2pct']:.2f}, "
        f"IoU mean {summary['iou_mean']:.3f}, IoU >= 0.9 {summary['iou_at_least_0_9']:.2f}, "
        f"IoU >= 0.95 {summary['iou_at_least_0_95']:.2f}, "
        f"Chamfer median {summary['chamfer_median_mm']} mm\n\n"
    )
    lines = ["| task | PASS | made | valid | bbox | volume | IoU | Chamfer mm | route | attempts | s "
             "| size / reference |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        def mark(key: str, row: dict[str, Any] = r) -> str:
            return "yes" if row.get(key) else "no"

        iou = f"{r['iou']:.3f}" if r.get("iou") is not None else "-"
        chamfer = f"{r['chamfer_mm']:.2f}" if r.get("chamfer_mm") is not None else "-"
        size = f"{r.get('size')} / {r.get('reference_size')}"
        if r.get("error"):
            size = f"error: {r['error'][:80]}"
        lines.append(f"| {r['id']} | {'**PASS**' if passed(r) else 'no'} | {mark('made')} "
                     f"| {mark('valid')} | {mark('bbox_ok')} "
                     f"| {mark('volume_ok')} | {iou} | {chamfer} | {r.get('route') or '-'} "
                     f"| {r.get('attempts', 0)} | {r.get('seconds', 0)} | {size} |")
    return head + "\n".join(lines) + "\n"


def chart(rows: list[dict[str, Any]], summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 3.6), dpi=110)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    names = ["PASS", "made", "valid", "bbox 1 mm", "volume 2 %", "IoU ≥ .9", "IoU ≥ .95"]
    values = [summary["pass"], summary["made"], summary["valid"], summary["bbox_within_1mm"],
              summary["volume_within_2pct"], summary["iou_at_least_0_9"], summary["iou_at_least_0_95"]]
    bars = left.bar(names, values, color=["#2e7d32", *["#4a7fc1"] * (len(names) - 1)])
    left.set_ylim(0, 1.05)
    left.set_title(f"{summary['tasks']} tasks: {summary.get('model', '')}".strip(), fontsize=9)
    left.tick_params(axis="x", labelsize=7, labelrotation=30)
    for bar, value in zip(bars, values, strict=True):
        left.text(bar.get_x() + bar.get_width() / 2, value + 0.02, f"{value:.2f}", ha="center", fontsize=8)
    ious = [r["iou"] if r.get("iou") is not None else 0.0 for r in rows]
    right.bar(range(len(ious)), ious, color=["#4a7fc1" if v >= 0.9 else "#c9a227" if v > 0 else "#c0392b"
                                              for v in ious])
    right.set_ylim(0, 1.05)
    right.set_title("IoU per task (0: no part)")
    right.set_xticks(range(len(ious)), [str(r["id"]).replace("task", "") for r in rows], fontsize=6,
                     rotation=90)
    figure.tight_layout()
    figure.savefig(path)


def write(out: Path, rows: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    summary = summarise(rows, meta)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    (out / "results.md").write_text(table(rows, summary))
    chart(rows, summary, out / "chart.png")
    return summary
