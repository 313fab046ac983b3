"""A trained LoRA adapter written as a GGUF adapter file that llama.cpp loads beside its base.

llama.cpp's own converter refuses adapters next to tied embeddings, so the file is written here with
the `gguf` package, in the layout llama.cpp's adapter loader reads: `general.type = adapter`,
`adapter.type = lora`, `adapter.lora.alpha`, the base's architecture, and for every adapted weight
two tensors named after the base tensor, `blk.N.attn_q.weight.lora_a` (rank x inputs) and
`.lora_b` (outputs x rank), which is peft's `lora_A` / `lora_B` layout as it is. llama.cpp scales
the product by alpha / rank, as peft does.

Beside it goes a manifest (`<name>.json`): the base model and its sha256, the data's hashes, the
training arguments, and the dev-set score once `score` has measured it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from partsmith.paths import models_dir

# transformers' module names -> llama.cpp's tensor names (gemma, llama, qwen2 and the like).
GGUF_NAMES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
_PEFT = re.compile(r"layers\.(\d+)\.(self_attn\.\w+_proj|mlp\.\w+_proj)\.lora_([AB])(?:\.default)?\.weight$")
DEFAULT_NAME = "gemma3-270m-partsmith-lora"
# What the adapter is asked with, in the manifest.
PROMPT = ("short: slips in CAD words corrected, sizes in millimetres and round bodies' radii as diameters "
          "(partsmith.generate.short_prompt.short_prompt)")


def gguf_name(peft_name: str) -> str:
    """`...layers.3.self_attn.q_proj.lora_A.weight` -> `blk.3.attn_q.weight.lora_a`."""
    found = _PEFT.search(peft_name)
    if found is None or found.group(2) not in GGUF_NAMES:
        raise ValueError(f"not a LoRA weight of an attention or MLP projection: {peft_name}")
    layer, module, half = found.groups()
    return f"blk.{layer}.{GGUF_NAMES[module]}.weight.lora_{half.lower()}"


def write_adapter(
    tensors: dict[str, Any], alpha: float, architecture: str, path: Path, extra: dict[str, str] | None = None
) -> Path:
    """Write LoRA weights (peft names -> float arrays) as a GGUF adapter for `architecture`."""
    return write_gguf({gguf_name(name): value for name, value in tensors.items()}, alpha, architecture,
                      path, extra)


def write_gguf(
    tensors: dict[str, Any], alpha: float, architecture: str, path: Path, extra: dict[str, str] | None = None
) -> Path:
    """Write LoRA weights (GGUF names -> float arrays) as a GGUF adapter for `architecture`."""
    import gguf
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(alpha))
    writer.add_name("Partsmith part-program LoRA")
    for key, value in (extra or {}).items():
        writer.add_string(f"partsmith.{key}", value)
    for name in sorted(tensors):
        array = np.asarray(tensors[name], dtype=np.float32)
        writer.add_tensor(name, array.astype(np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def base_architecture(base: Path) -> str:
    import gguf

    reader = gguf.GGUFReader(str(base))
    return str(reader.fields["general.architecture"].contents())


def export(adapter_dir: Path, target: Path | None = None, base: Path | None = None) -> Path:
    """The peft adapter in `adapter_dir` (from `train`) as `target` (default: models/<name>.gguf)
    with its manifest beside it. `base`: the base model's GGUF, when the adapter's own record of it
    is not a path on this machine (an adapter published from another)."""
    from safetensors.numpy import load_file

    from partsmith.training import dataset

    meta = json.loads((adapter_dir / "partsmith.json").read_text(encoding="utf-8"))
    config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    tensors = load_file(str(adapter_dir / "adapter_model.safetensors"))
    if base is None:
        base = Path(meta["args"]["base"]) if meta["args"]["base"] else None
    if base is None:
        from partsmith.training.train import embedded_base

        base = embedded_base()
    if target is None:
        target = models_dir() / f"{DEFAULT_NAME}.gguf"
    architecture = base_architecture(base)
    write_adapter(
        tensors,
        config["lora_alpha"],
        architecture,
        target,
        extra={"base_sha256": meta["base_sha256"], "data_sha256": meta["data"]["train_sha256"]},
    )
    manifest = {
        "adapter": target.name,
        "adapter_sha256": dataset.sha256(target),
        "format": "gguf lora (llama.cpp)",
        "base": meta["base"],
        "base_sha256": meta["base_sha256"],
        "architecture": architecture,
        "rank": config["r"],
        "alpha": config["lora_alpha"],
        "targets": sorted(config["target_modules"]),
        "data": meta["data"],
        "training": portable(meta["args"]),
        "history_tail": meta["history_tail"],
        "prompt": PROMPT,
        "dev_score": None,
    }
    manifest_path(target).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return target


def manifest_path(adapter: Path) -> Path:
    return adapter.with_suffix(".json")


# Training arguments that are this machine's paths: a manifest keeps only the file's name.
MACHINE_PATHS = ("base", "data", "out", "init", "publish")


def portable(args: dict[str, Any]) -> dict[str, Any]:
    """Training arguments as a manifest records them: paths reduced to file names (no machine's
    folders), so that the manifest says the same on every computer."""
    return {key: (Path(value).name if key in MACHINE_PATHS and value else value)
            for key, value in args.items()}

