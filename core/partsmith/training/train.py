"""LoRA training of the embedded model (or any GGUF base transformers can read) on part programs.

One script, settings at the top (`TrainArgs`), in the shape nanoGPT made familiar: the data is
prepared beforehand (`partsmith.training.dataset`), the loop evaluates the development loss at a
fixed interval, and a checkpoint (the adapter's weights, the optimiser, the step) is written every
`checkpoint_every` steps, so an interrupted run resumes where it stopped. Only the adapter is ever
saved, with the name and sha256 of its base (peft's lesson).

Speed on a CPU: the GGUF is read by transformers and dequantised to float32; LoRA touches the
attention and MLP projections (q, k, v, o, gate, up, down) and never the tied 262k-token embedding.
Logits are computed only at the answer's positions: the output layer is most of the cost, and the
prompt's positions need none. The same command runs on a GPU when torch sees one (`device`).
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from partsmith.generate.short_prompt import answer_text, short_prompt
from partsmith.training import dataset, milestone

TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass
class TrainArgs:
    """Everything a run depends on; recorded in the checkpoint and the adapter's manifest."""

    base: str = ""  # the base model's GGUF ("": the embedded Gemma 3 270M)
    data: str = "train-run/data"  # train.jsonl, dev.jsonl, data.json (from `prepare`)
    out: str = "train-run"  # checkpoints and the adapter
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.0
    lr: float = 3e-4
    warmup: int = 30
    steps: int = 750  # about 6,000 examples: one pass over the data, under 2 hours on two free cores
    batch: int = 8
    max_tokens: int = 320  # longer examples are dropped, not cut
    eval_every: int = 100
    eval_examples: int = 48
    checkpoint_every: int = 20
    seed: int = 17
    init: str = ""  # a checkpoint.pt whose adapter a new run starts from (new data, same rank)
    # A folder of the repository the run's state is published to (milestone.py), so that a later
    # checkout resumes it ("": none): every `publish_every` steps and each of `publish_steps`.
    publish: str = ""
    publish_every: int = 100
    publish_steps: list[int] = field(default_factory=list)
    rewarm: int = 20  # steps over which a run resumed from a published state brings its LR back
    keep: list[int] = field(default_factory=list)  # steps whose adapter is also kept: out/adapter-step-N
    device: str = "auto"  # "auto": cuda when torch sees a GPU, else cpu
    threads: int = 0  # 0: every core
    targets: list[str] = field(default_factory=lambda: list(TARGETS))


def embedded_base() -> Path:
    """The embedded model's GGUF file (shipped on PyPI)."""
    from partsmith.model import model_catalog

    path = model_catalog.local_path(model_catalog.get("gemma3-270m"))
    if path is None:
        raise FileNotFoundError("the embedded model's package is not installed")
    return path


def load_base(path: Path, device: str) -> tuple[Any, Any]:
    """The GGUF as a transformers model (dequantised to float32) and its tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    model: Any = AutoModelForCausalLM.from_pretrained(
        str(path.parent), gguf_file=path.name, dtype=torch.float32)
    return model.to(device), tokenizer


def with_lora(model: Any, args: TrainArgs) -> Any:
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=args.rank,
        lora_alpha=args.alpha,
        lora_dropout=args.dropout,
        target_modules=list(args.targets),
        bias="none",
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, config)


@dataclass
class Encoded:
    ids: list[int]
    answer_from: int  # the first answer token's index


def encode(tokenizer: Any, prompt: str, answer: str) -> Encoded:
    """Prompt (with BOS) and answer (then EOS) tokenised apart, as llama.cpp sees them at inference:
    it tokenises the prompt and then generates the answer token by token."""
    head = tokenizer(short_prompt(prompt)).input_ids
    tail = [*tokenizer(answer_text(answer), add_special_tokens=False).input_ids, tokenizer.eos_token_id]
    return Encoded(head + tail, len(head))


def batch_loss(model: Any, batch: list[Encoded], device: str) -> tuple[Any, int]:
    """Mean cross-entropy over the answers' tokens, with logits computed only where needed."""
    import torch
    import torch.nn.functional as F

    width = max(len(e.ids) for e in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    rows: list[int] = []
    cols: list[int] = []
    targets: list[int] = []
    for row, example in enumerate(batch):
        ids[row, : len(example.ids)] = torch.tensor(example.ids)
        mask[row, : len(example.ids)] = 1
        for position in range(example.answer_from, len(example.ids)):
            rows.append(row)
            cols.append(position - 1)  # the hidden state before a token predicts it
            targets.append(example.ids[position])
    causal = model.get_base_model() if hasattr(model, "get_base_model") else model
    hidden = causal.model(input_ids=ids.to(device), attention_mask=mask.to(device)).last_hidden_state
    picked = hidden[torch.tensor(rows), torch.tensor(cols)]
    logits = causal.lm_head(picked)
    cap = getattr(causal.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return F.cross_entropy(logits.float(), torch.tensor(targets, device=logits.device)), len(targets)


def lora_state(model: Any) -> dict[str, Any]:
    """The adapter's weights only (what a checkpoint and the export need)."""
    return {
        name: tensor.detach().cpu().clone()
        for name, tensor in model.named_parameters()
        if tensor.requires_grad
    }


def lr_at(args: TrainArgs, step: int, rewarm_from: int | None = None) -> float:
    """The learning rate of `step`: the schedule's, brought back linearly over `args.rewarm` steps
    after `rewarm_from` (a resume from a published state, whose optimiser starts afresh)."""
    rate = _lr(args, step)
    if rewarm_from is not None and args.rewarm > 0:
        rate *= min(1.0, (step - rewarm_from + 1) / args.rewarm)
    return rate


def _lr(args: TrainArgs, step: int) -> float:
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def _order(count: int, seed: int, epoch: int) -> list[int]:
    order = list(range(count))
    random.Random(seed * 1000 + epoch).shuffle(order)
    return order


def _batch_at(step: int, count: int, args: TrainArgs) -> list[int]:
    """The example indices of a step: the same for the same step, so a resumed run sees what an
    uninterrupted one would."""
    per_epoch = count // args.batch
    epoch, offset = divmod(step, per_epoch)
    order = _order(count, args.seed, epoch)
    return order[offset * args.batch : (offset + 1) * args.batch]


def _save(path: Path, payload: dict[str, Any]) -> None:
    import torch

    temporary = path.with_suffix(".tmp")
    torch.save(payload, temporary)
    temporary.replace(path)  # never a half-written checkpoint


def dev_loss(model: Any, examples: list[Encoded], args: TrainArgs, device: str) -> float:
    import torch

    total, tokens = 0.0, 0
    model.eval()
    with torch.no_grad():
        for start in range(0, len(examples), args.batch):
            loss, count = batch_loss(model, examples[start : start + args.batch], device)
            total += float(loss) * count
            tokens += count
    model.train()
    return total / max(1, tokens)


def train(args: TrainArgs, log: Any = print) -> Path:
    """Run (or resume) training; returns the folder holding the finished adapter."""
    import torch
    from tqdm import tqdm

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = Path(args.base) if args.base else embedded_base()
    device = args.device if args.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":
        torch.set_num_threads(args.threads or os.cpu_count() or 1)
    torch.manual_seed(args.seed)
    data = Path(args.data)
    info = json.loads((data / "data.json").read_text(encoding="utf-8"))

    started = time.monotonic()
    model, tokenizer = load_base(base, device)
    log(f"loaded {base.name} in {time.monotonic() - started:.0f} s on {device}")
    model = with_lora(model, args)
    encoded = [encode(tokenizer, r["prompt"], r["answer"]) for r in dataset.load(data / "train.jsonl")]
    train_set = [e for e in encoded if len(e.ids) <= args.max_tokens]
    dev_set = [encode(tokenizer, r["prompt"], r["answer"]) for r in dataset.load(data / "dev.jsonl")]
    dev_set = [e for e in dev_set if len(e.ids) <= args.max_tokens][: args.eval_examples]
    log(
        f"{len(train_set)} training examples ({len(encoded) - len(train_set)} too long), "
        f"{len(dev_set)} for the dev loss"
    )

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    checkpoint = out / "checkpoint.pt"
    step = 0
    history: list[dict[str, float]] = []
    rewarm_from: int | None = None
    own = torch.load(checkpoint, map_location="cpu", weights_only=False) if checkpoint.exists() else None
    problems = []
    if own is not None and (own["data_sha256"] != info["train_sha256"] or own["args"]["rank"] != args.rank):
        problems.append(f"{checkpoint} was made with other data or settings")
        own = None
    published, problem = _published_state(args, info)
    if problem:
        problems.append(problem)
    if own is not None and (published is None or own["step"] >= published[1]["resume"]["step"]):
        # This machine's own checkpoint: exact (the optimiser too), and as far on.
        model.load_state_dict(own["lora"], strict=False)
        optimizer.load_state_dict(own["optimizer"])
        step, history = own["step"], own["history"]
        rewarm_from = own.get("rewarm_from")
        log(f"resumed at step {step}")
    elif published is not None:
        weights, meta = published
        _load_published(model, weights, args.publish)
        step, history = int(meta["resume"]["step"]), list(meta["resume"]["history"])
        rewarm_from = step
        log(f"resumed at step {step} from the state published in {args.publish} "
            f"(a fresh optimiser; the learning rate comes back over {args.rewarm} steps)")
    elif problems:
        raise ValueError("; ".join(problems) + ": remove it (or move it aside) to start over")
    elif args.init:
        # A warm start: the adapter's weights from an earlier run, a fresh optimiser and step 0
        # (its data may differ; its rank may not).
        state = torch.load(Path(args.init), map_location="cpu", weights_only=False)
        if state["args"]["rank"] != args.rank:
            raise ValueError(f"{args.init} has rank {state['args']['rank']}, not {args.rank}")
        model.load_state_dict(state["lora"], strict=False)
        log(f"started from the adapter in {args.init} (its step {state['step']})")

    def save() -> None:
        _save(
            checkpoint,
            {
                "lora": lora_state(model),
                "optimizer": optimizer.state_dict(),
                "step": step,
                "history": history,
                "rewarm_from": rewarm_from,
                "args": asdict(args),
                "data_sha256": info["train_sha256"],
            },
        )

    model.train()
    bar = tqdm(total=args.steps, initial=step, desc="training", unit="step", dynamic_ncols=True)
    window: list[float] = []
    tokens_seen, clock = 0, time.monotonic()
    while step < args.steps:
        for group in optimizer.param_groups:
            group["lr"] = lr_at(args, step, rewarm_from)
        batch = [train_set[i] for i in _batch_at(step, len(train_set), args)]
        loss, _ = batch_loss(model, batch, device)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        tokens_seen += sum(len(e.ids) for e in batch)
        window = [*window[-19:], float(loss.detach())]
        rate = tokens_seen / max(1e-9, time.monotonic() - clock)
        bar.set_postfix(loss=f"{sum(window) / len(window):.3f}", tok_s=f"{rate:.0f}")
        bar.update(1)
        record: dict[str, float] = {"step": step, "loss": window[-1], "tok_s": rate}
        if step % args.eval_every == 0 or step == args.steps:
            record["dev_loss"] = dev_loss(model, dev_set, args, device)
            log(f"step {step}: dev loss {record['dev_loss']:.4f}")
        history.append(record)
        if step in args.keep:
            kept = _write_adapter(model, out / f"adapter-step-{step}", base, info, args, history, step)
            log(f"step {step}: adapter kept in {kept}")
            if args.publish and step in args.publish_steps:
                where = milestone.publish(kept, Path(args.publish), milestone.step_folder(step))
                log(f"step {step}: published to {where}")
        if step % args.checkpoint_every == 0 or step == args.steps:
            save()
        if args.publish and (step % args.publish_every == 0 or step == args.steps):
            _publish_latest(model, out, base, info, args, history, step)
    bar.close()
    final = _write_adapter(model, out / "adapter", base, info, args, history, step)
    log(f"adapter written to {final}")
    return final


def _published_state(args: TrainArgs, info: dict[str, Any]
                     ) -> tuple[tuple[dict[str, Any], dict[str, Any]] | None, str | None]:
    """The run's state published in `args.publish`, when it belongs to this run (its data and the
    settings its schedule depends on); else None and why not, when one is there."""
    if not args.publish:
        return None, None
    found = milestone.read(Path(args.publish), milestone.LATEST)
    if found is None:
        return None, None
    why = milestone.mismatch(found[1], asdict(args), info["train_sha256"])
    if why:
        return None, f"the state published in {args.publish}/{milestone.LATEST} is not this run's ({why})"
    return found, None


def _load_published(model: Any, weights: dict[str, Any], where: str) -> None:
    """Set the adapter's weights from a published state; every LoRA weight must be there."""
    from peft import set_peft_model_state_dict

    loaded = set_peft_model_state_dict(model, weights)
    missing = [name for name in getattr(loaded, "missing_keys", []) if "lora_" in name]
    unexpected = list(getattr(loaded, "unexpected_keys", []))
    if missing or unexpected:
        raise ValueError(f"the state published in {where} does not fit this model: "
                         f"{len(missing)} adapter weights missing, {len(unexpected)} unknown")


def _publish_latest(model: Any, out: Path, base: Path, info: dict[str, Any], args: TrainArgs,
                    history: list[dict[str, float]], step: int) -> None:
    folder = _write_adapter(model, out / "latest", base, info, args, history, step)
    milestone.publish(folder, Path(args.publish), milestone.LATEST,
                      {"resume": {"step": step, "history": history}})


def kept_adapter(args: TrainArgs, step: int) -> Path:
    """Where a run keeps its adapter of `step` (one of `args.keep`, or its last)."""
    return Path(args.out) / (f"adapter-step-{step}" if step != args.steps else "adapter")


def _write_adapter(model: Any, folder: Path, base: Path, info: dict[str, Any], args: TrainArgs,
                   history: list[dict[str, float]], step: int) -> Path:
    """The adapter as it is now (peft's files) with what made it: base, data, arguments, step."""
    model.save_pretrained(str(folder))
    meta = {"base": base.name, "base_sha256": dataset.sha256(base), "data": info,
            "args": {**asdict(args), "steps": step, "planned_steps": args.steps},
            "history_tail": history[-5:]}
    (folder / "partsmith.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return folder
