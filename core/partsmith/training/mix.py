"""A weighted mix of LoRA adapters trained on the same base: one adapter whose change to every
weight is the weighted sum of theirs (WiSE-FT, Wortsman et al. 2022; "model soups").

Fine-tuning longer fits the training data's phrasing better and can generalise worse; a mix of an
early and a late checkpoint of the same run often keeps most of both. For LoRA the mix is exact
without merging into the base: `sum_i w_i * s * B_i A_i` is one LoRA of the summed rank whose A is
the A's stacked and whose B is the weighted B's side by side; alpha grows with the rank so that
llama.cpp's scale, alpha / rank, stays the same. The file is a plain GGUF adapter: the engine
loads it as any other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def read_adapter(path: Path) -> tuple[dict[str, Any], float, str, dict[str, str]]:
    """A GGUF LoRA adapter's tensors (as float32 arrays, by GGUF name), alpha, architecture and
    the `partsmith.*` strings it carries."""
    import gguf
    import numpy as np

    reader = gguf.GGUFReader(str(path))
    if str(reader.fields["general.type"].contents()) != "adapter":
        raise ValueError(f"{path} is not a LoRA adapter")
    tensors = {t.name: np.array(t.data, dtype=np.float32).reshape(
        [int(n) for n in reversed(t.shape)]) for t in reader.tensors}
    alpha = float(reader.fields[gguf.Keys.Adapter.LORA_ALPHA].contents())
    architecture = str(reader.fields["general.architecture"].contents())
    extra = {name.removeprefix("partsmith."): str(field.contents())
             for name, field in reader.fields.items() if name.startswith("partsmith.")}
    return tensors, alpha, architecture, extra


def rank_of(tensors: dict[str, Any]) -> int:
    """The adapter's rank (rows of its A matrices); all must agree."""
    ranks = {int(v.shape[0]) for k, v in tensors.items() if k.endswith(".lora_a")}
    if len(ranks) != 1:
        raise ValueError(f"the adapter's A matrices have different ranks: {sorted(ranks)}")
    return ranks.pop()


def mix(adapters: Sequence[tuple[Path, float]], target: Path) -> Path:
    """Write the weighted mix of `adapters` ((path, weight), weights summing to 1) to `target`."""
    import numpy as np

    from partsmith.training.export import write_gguf

    if len(adapters) < 2:
        raise ValueError("a mix needs at least two adapters")
    weights = [w for _, w in adapters]
    if any(w <= 0 for w in weights) or abs(sum(weights) - 1.0) > 1e-6:
        raise ValueError(f"the weights must be positive and sum to 1, not {weights}")
    missing = [str(path) for path, _ in adapters if not path.is_file()]
    if missing:
        raise ValueError(f"no adapter file at {', '.join(missing)}")
    if any(path.resolve() == target.resolve() for path, _ in adapters):
        raise ValueError(f"write the mix to a new file, not over {target.name}")
    loaded = [read_adapter(path) for path, _ in adapters]
    names = set(loaded[0][0])
    for (path, _), (tensors, _, architecture, _) in zip(adapters, loaded, strict=True):
        if set(tensors) != names:
            raise ValueError(f"{path} adapts other weights than {adapters[0][0]}")
        if architecture != loaded[0][2]:
            raise ValueError(f"{path} is for {architecture}, not {loaded[0][2]}")
    ranks = [rank_of(tensors) for tensors, *_ in loaded]
    scales = [alpha / r for (_, alpha, *_), r in zip(loaded, ranks, strict=True)]
    rank, scale = sum(ranks), scales[0]
    mixed: dict[str, Any] = {}
    for name in sorted(names):
        if name.endswith(".lora_a"):
            mixed[name] = np.concatenate([t[name] for t, *_ in loaded], axis=0)
        else:
            # Each adapter's own scale, relative to the mix's, goes into its B with its weight.
            mixed[name] = np.concatenate(
                [t[name] * w * s / scale for (t, *_), w, s in zip(loaded, weights, scales, strict=True)],
                axis=1)
    extra = {key: " + ".join(dict.fromkeys(e.get(key, "") for *_, e in loaded)) for key in loaded[0][3]}
    extra["mix"] = ", ".join(f"{path.name} x {w:g}" for path, w in adapters)
    return write_gguf(mixed, scale * rank, loaded[0][2], target, extra)


def mix_with_manifest(adapters: Sequence[tuple[Path, float]], target: Path) -> Path:
    """`mix`, and beside the mix a manifest: the first adapter's, with the rank and alpha of the
    mix and what went into it (each adapter's file, sha256, weight and training steps)."""
    from partsmith.training import dataset
    from partsmith.training.export import PROMPT, manifest_path, portable

    mix(adapters, target)
    sources = []
    for path, weight in adapters:
        manifest = _manifest(path)
        sources.append({"adapter": path.name, "sha256": dataset.sha256(path), "weight": weight,
                        "steps": manifest.get("training", {}).get("steps"),
                        "dev_score": manifest.get("dev_score")})
    tensors, alpha, *_ = read_adapter(target)
    first = _manifest(adapters[0][0])
    # What the adapters share (base, data, the run's settings); their steps are in `mix`.
    training = {key: value for key, value in portable(first.get("training", {})).items() if key != "steps"}
    combined = {**first, "adapter": target.name, "adapter_sha256": dataset.sha256(target),
                "rank": rank_of(tensors), "alpha": alpha, "prompt": PROMPT, "training": training,
                "mix": sources, "dev_score": None}
    combined.pop("history_tail", None)
    manifest_path(target).write_text(json.dumps(combined, indent=2) + "\n", encoding="utf-8")
    return target


def _manifest(adapter: Path) -> dict[str, Any]:
    from partsmith.training.export import manifest_path

    path = manifest_path(adapter)
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def parse_weighted(items: Sequence[str]) -> list[tuple[Path, float]]:
    """`["a.gguf=0.6", "b.gguf=0.4"]` -> [(a.gguf, 0.6), (b.gguf, 0.4)]; no weights: equal ones."""
    pairs = [item.rsplit("=", 1) if "=" in item else [item, ""] for item in items]
    if any(not w for _, w in pairs) and not all(not w for _, w in pairs):
        raise ValueError("give every adapter a weight (a.gguf=0.6 b.gguf=0.4), or none")
    try:
        return [(Path(p), float(w) if w else 1.0 / len(pairs)) for p, w in pairs]
    except ValueError:
        raise ValueError(f"a weight is not a number: {items}") from None
