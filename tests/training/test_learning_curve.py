"""The learning curve's bookkeeping: one fixed sample for every point, answers kept as they come
and a run that stopped goes on where it was, and the gain per doubling of examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import learning_curve as curve
from partsmith.training import score


def test_the_sample_is_fixed_and_spans_the_set() -> None:
    dev = [{"prompt": f"p{i}", "answer": "{}"} for i in range(100)]
    first, again = curve.sample(dev, 20), curve.sample(dev, 20)
    assert first == again and len(first) == 20 and len({e["prompt"] for e in first}) == 20
    assert first[-1]["prompt"] != "p19"  # not the first twenty
    assert curve.sample(dev, 0) == dev and curve.sample(dev, 500) == dev


def test_gain_per_doubling_is_the_slope_against_log2_of_examples() -> None:
    assert curve.per_doubling([(1000, 0.5), (2000, 0.6), (4000, 0.7)]) == pytest.approx(0.1)
    assert curve.per_doubling([(1000, 0.5)]) is None


def test_judging_resumes_where_it_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def judge(llama: Any, example: dict[str, str], adapted: bool, grammar: Any) -> dict[str, Any]:
        asked.append(example["prompt"])
        if example["prompt"] == "p3":
            raise KeyboardInterrupt  # the session ends here
        return {"prompt": example["prompt"], "seconds": 0.1, "exact": True, "right": True,
                "within_1mm": True, "invalid": False}

    class Model:
        def close(self) -> None:
            pass

    monkeypatch.setattr(score, "judge", judge)
    monkeypatch.setattr(score, "open_model", lambda base, adapter: Model())
    monkeypatch.setattr(score, "program_grammar", lambda: None)
    monkeypatch.setattr(curve, "embedded_base", lambda: tmp_path / "base.gguf")
    examples = [{"prompt": f"p{i}", "answer": "{}"} for i in range(6)]
    (tmp_path / "a.gguf").write_bytes(b"GGUF")
    point = curve.Point("step-250", tmp_path / "a.gguf", 250, 8)
    with pytest.raises(KeyboardInterrupt):
        curve.judged(point, examples, tmp_path / "curve")
    kept = (tmp_path / "curve" / "step-250.jsonl").read_text().splitlines()
    assert [json.loads(line)["prompt"] for line in kept] == ["p0", "p1", "p2"]
    asked.clear()
    with (tmp_path / "curve" / "step-250.jsonl").open("a") as out:
        out.write('{"prompt": "p3", "sec')  # the last line, cut off when the session ended
    monkeypatch.setattr(score, "judge", lambda llama, e, adapted, grammar: {
        "prompt": e["prompt"], "seconds": 0.1, "exact": False, "right": False, "within_1mm": True,
        "invalid": False, "expected": e["answer"], "got": "{}"})
    rows = curve.judged(point, examples, tmp_path / "curve")
    assert [r["prompt"] for r in rows] == [f"p{i}" for i in range(6)]
    summary = score.tally(rows).summary()
    assert summary["total"] == 6 and summary["part_right"] == 0.5 and summary["part_within_1mm"] == 1.0
    assert point.examples == 2000
    # Rows judged for another adapter of the same name (another run on the same data) are not
    # taken for this one's.
    (tmp_path / "a.gguf").write_bytes(b"GGUF, another run")
    with pytest.raises(ValueError, match="another step-250 adapter"):
        curve.judged(point, examples, tmp_path / "curve")
    # A later checkout has the rows (committed) but not the run's adapters: the point stays on the
    # curve, read from its rows; one with answers still to judge says so.
    (tmp_path / "a.gguf").unlink()
    again = curve.kept_points(tmp_path / "curve", [])
    assert [(p.name, p.step, p.examples) for p in again] == [("step-250", 250, 2000)]
    assert curve.kept_points(tmp_path / "curve", [point]) == []
    assert [r["prompt"] for r in curve.judged(again[0], examples, tmp_path / "curve")] == [f"p{i}" for i in range(6)]
    with pytest.raises(FileNotFoundError, match="adapter is gone"):
        curve.judged(again[0], [*examples, {"prompt": "p9", "answer": "{}"}], tmp_path / "curve")
