"""Training end to end on a tiny random-weight Gemma 3: a few steps, an interruption and a resume,
the adapter exported as GGUF, loaded by llama.cpp beside its base, and changing its output the way
the trained adapter changes transformers' output (which proves the tensor names and layouts)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from training.tiny_gemma import write_tiny_gemma3

from partsmith.training import dataset
from partsmith.training.export import export
from partsmith.training.train import TrainArgs, encode, load_base, train

pytestmark = pytest.mark.slow

PROMPT = "a plate 60 x 40 x 5 mm with four 5 mm holes 6 mm from the edges"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    """A tiny base, trained 2 steps, stopped, then resumed to 4; its folder and the run's log."""
    root = tmp_path_factory.mktemp("tiny-training")
    base = write_tiny_gemma3(root / "tiny.gguf")
    dataset.prepare(root / "data", count=24, dev_count=4, hand_repeat=1)
    lines: list[str] = []
    args = TrainArgs(
        base=str(base),
        data=str(root / "data"),
        out=str(root / "run"),
        rank=4,
        alpha=8,
        lr=2e-2,
        warmup=1,
        steps=2,
        batch=2,
        eval_every=2,
        eval_examples=2,
        checkpoint_every=1,
    )
    train(args, log=lines.append)
    args.steps = 4
    train(args, log=lines.append)
    return base, root / "run", lines


def test_an_interrupted_run_resumes_from_its_checkpoint(trained: tuple[Path, Path, list[str]]) -> None:
    _, run, lines = trained
    assert "resumed at step 2" in lines
    assert any(line.startswith("step 4: dev loss") for line in lines)
    meta = json.loads((run / "adapter" / "partsmith.json").read_text())
    assert meta["args"]["steps"] == 4 and len(meta["base_sha256"]) == 64
    config = json.loads((run / "adapter" / "adapter_config.json").read_text())
    assert sorted(config["target_modules"]) == sorted(
        ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    )


def test_a_new_run_can_start_from_an_earlier_adapter(
    trained: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    import torch
    from safetensors.torch import load_file

    base, run, _ = trained
    lines: list[str] = []
    args = TrainArgs(base=str(base), data=str(run.parent / "data"), out=str(tmp_path / "warm"), rank=4,
                     alpha=8, steps=0, init=str(run / "checkpoint.pt"))
    train(args, log=lines.append)
    assert any(line.startswith("started from the adapter") for line in lines)
    earlier = torch.load(run / "checkpoint.pt", map_location="cpu", weights_only=False)["lora"]
    started = load_file(str(tmp_path / "warm" / "adapter" / "adapter_model.safetensors"))
    assert len(started) == len(earlier) > 0
    # peft names a saved tensor without its adapter's name; the weights are the earlier run's.
    for name, tensor in earlier.items():
        assert torch.equal(started[name.replace(".default", "")], tensor), name


def test_the_exported_adapter_changes_llama_cpp_output_as_it_changes_transformers(
    trained: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    import torch
    from peft import PeftModel

    base, run, _ = trained
    adapter = export(run / "adapter", tmp_path / "tiny-lora.gguf")
    manifest = json.loads(adapter.with_suffix(".json").read_text())
    assert manifest["architecture"] == "gemma3" and manifest["rank"] == 4
    assert manifest["base_sha256"] == dataset.sha256(base)

    model, tokenizer = load_base(base, "cpu")
    ids = encode(tokenizer, PROMPT, "{}").ids[:-3]
    with torch.no_grad():
        hf_base = model(torch.tensor([ids])).logits[0, -1].numpy()
        adapted = PeftModel.from_pretrained(model, str(run / "adapter"))
        hf_lora = adapted(torch.tensor([ids])).logits[0, -1].numpy()

    cpp_base, cpp_lora = llama_logits(base, None, ids), llama_logits(base, adapter, ids)
    hf_delta, cpp_delta = hf_lora - hf_base, cpp_lora - cpp_base
    assert np.abs(cpp_delta).max() > 0.05, "the adapter did not change llama.cpp's output"
    assert np.corrcoef(hf_delta, cpp_delta)[0, 1] > 0.99
    assert np.abs(hf_delta - cpp_delta).max() < 0.05 * np.abs(hf_delta).max() + 1e-3


def test_a_mix_of_adapters_is_their_weighted_sum_in_llama_cpp(
    trained: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    from partsmith.training.export import write_gguf
    from partsmith.training.mix import mix, read_adapter

    base, run, _ = trained
    adapter = export(run / "adapter", tmp_path / "tiny-lora.gguf")
    tensors, alpha, architecture, _ = read_adapter(adapter)
    # The same adapter with every change to the weights reversed.
    opposite = write_gguf({name: -value if name.endswith(".lora_b") else value
                           for name, value in tensors.items()}, alpha, architecture, tmp_path / "opposite.gguf")
    ids = [2, 500, 1000, 1500, 2000, 3000]
    plain, adapted = llama_logits(base, None, ids), llama_logits(base, adapter, ids)
    assert np.abs(adapted - plain).max() > 0.05
    # Half of it and half of its opposite cancel; an adapter mixed with itself is itself.
    cancelled = llama_logits(base, mix([(adapter, 0.5), (opposite, 0.5)], tmp_path / "zero.gguf"), ids)
    same = llama_logits(base, mix([(adapter, 0.5), (adapter, 0.5)], tmp_path / "same.gguf"), ids)
    assert np.abs(cancelled - plain).max() < 0.02 * np.abs(adapted - plain).max()
    assert np.abs(same - adapted).max() < 0.02 * np.abs(adapted - plain).max()
    # Three quarters of it and a quarter of its opposite: half of it, in the same direction.
    part = llama_logits(base, mix([(adapter, 0.75), (opposite, 0.25)], tmp_path / "half.gguf"), ids)
    assert np.corrcoef(part - plain, adapted - plain)[0, 1] > 0.99


def test_a_recipe_makes_its_mix_of_kept_steps_and_resumes_what_is_done(tmp_path: Path) -> None:
    """A recipe (data, one run keeping an earlier step, the mix that ships) on the tiny base: the
    mix is made from the run's adapters at the kept steps, its manifest names them with no machine
    path, and running the recipe again trains nothing more."""
    from partsmith.training import recipe
    from partsmith.training.export import manifest_path

    base = write_tiny_gemma3(tmp_path / "tiny.gguf")
    (tmp_path / "recipe.toml").write_text(
        'target = "tiny-lora.gguf"\n[data]\ncount = 24\ndev_count = 4\nbuild_every = 1000\n'
        "[run]\nrank = 4\nalpha = 8\nlr = 2e-2\nwarmup = 1\nsteps = 4\nkeep = [2]\nbatch = 2\n"
        "eval_every = 2\neval_examples = 2\ncheckpoint_every = 1\n"
        "[[mix]]\nstep = 2\nweight = 0.5\n[[mix]]\nstep = 4\nweight = 0.5\n")
    overrides = {"base": str(base), "data": str(tmp_path / "data"), "out": str(tmp_path / "run"),
                 "publish": str(tmp_path / "published")}
    planned = recipe.load(tmp_path / "recipe.toml", overrides)
    lines: list[str] = []
    made = recipe.make(planned, tmp_path / "models" / "tiny-lora.gguf", log=lines.append)
    manifest = json.loads(manifest_path(made).read_text())
    assert [(item["steps"], item["weight"]) for item in manifest["mix"]] == [(2, 0.5), (4, 0.5)]
    assert manifest["rank"] == 8 and str(tmp_path) not in json.dumps(manifest)
    assert any("step 2: adapter kept" in line for line in lines)
    again: list[str] = []
    recipe.make(planned, tmp_path / "models" / "tiny-lora.gguf", log=again.append)
    assert again == [], "a finished recipe trained again"
    with pytest.raises(ValueError, match="does not keep"):
        recipe.load(tmp_path / "recipe.toml", {**overrides, "keep": []})
    # A later session's checkout has none of the run's own folder, only what was published into
    # the repository: the kept step the mix needs and the finished run. It makes the same mix
    # without training again.
    assert planned.run.publish_steps == [2, 4]
    assert sorted(p.name for p in (tmp_path / "published").iterdir()) == ["latest", "step-2"]
    shutil.rmtree(tmp_path / "run")
    fresh: list[str] = []
    remade = recipe.make(planned, tmp_path / "models" / "again.gguf", log=fresh.append)
    assert fresh == [], "a recipe whose run is published trained again"
    mixed = json.loads(manifest_path(remade).read_text())["mix"]
    assert [(item["steps"], item["weight"]) for item in mixed] == [(2, 0.5), (4, 0.5)]
    assert recipe.load(Path(__file__).parents[2] / "models" / "recipe.toml").run.publish.endswith("models/run")


class Stopped(Exception):
    """The session ending in the middle of a run."""


def test_a_run_resumes_from_its_published_state_in_a_fresh_checkout(tmp_path: Path) -> None:
    """A run publishing every 2 steps is stopped at step 3; its own folder is lost with the
    session; the next run resumes at step 2 from the published state (a fresh optimiser, the
    learning rate brought back), keeps the loss history, and finishes."""
    import torch
    from safetensors.torch import load_file

    from partsmith.training.train import lr_at

    base = write_tiny_gemma3(tmp_path / "tiny.gguf")
    dataset.prepare(tmp_path / "data", count=24, dev_count=4, hand_repeat=1)
    args = TrainArgs(base=str(base), data=str(tmp_path / "data"), out=str(tmp_path / "run"), rank=4,
                     alpha=8, lr=2e-2, warmup=1, steps=4, batch=2, eval_every=1, eval_examples=2,
                     checkpoint_every=1, publish=str(tmp_path / "published"), publish_every=2, rewarm=2)

    def stop_at_step_3(line: str) -> None:
        if line.startswith("step 3: dev loss"):
            raise Stopped

    with pytest.raises(Stopped):
        train(args, log=stop_at_step_3)
    published = tmp_path / "published" / "latest"
    meta = json.loads((published / "partsmith.json").read_text())
    assert meta["resume"]["step"] == 2 and [r["step"] for r in meta["resume"]["history"]] == [1, 2]
    weights = load_file(str(published / "adapter_model.safetensors"))
    assert {t.dtype for t in weights.values()} == {torch.float16}
    at_step_2 = {name: t.float() for name, t in weights.items()}
    assert not list((tmp_path / "published").glob(".*")), "a half-written milestone was left"

    shutil.rmtree(tmp_path / "run")
    lines: list[str] = []
    final = train(args, log=lines.append)
    assert any(line.startswith("resumed at step 2 from the state published") for line in lines)
    history = json.loads((tmp_path / "published" / "latest" / "partsmith.json").read_text())["resume"]["history"]
    assert [r["step"] for r in history] == [1, 2, 3, 4]
    finished = load_file(str(final / "adapter_model.safetensors"))
    assert any(not torch.allclose(finished[name], at_step_2[name]) for name in at_step_2), "it did not train on"
    # The schedule is the step's; after the resume it comes back over `rewarm` steps.
    assert lr_at(args, 2, rewarm_from=2) == pytest.approx(lr_at(args, 2) / 2)
    assert lr_at(args, 3, rewarm_from=2) == pytest.approx(lr_at(args, 3))
    # A state published for other data is refused, not trained on.
    other = TrainArgs(**{**args.__dict__, "out": str(tmp_path / "other")})
    dataset.prepare(tmp_path / "other-data", count=20, dev_count=4, hand_repeat=1, seed=3)
    other.data = str(tmp_path / "other-data")
    with pytest.raises(ValueError, match="other data"):
        train(other, log=lines.append)
    # So is one whose schedule was another (its learning rate would not be this run's).
    hotter = TrainArgs(**{**args.__dict__, "out": str(tmp_path / "hotter"), "lr": 1e-1})
    with pytest.raises(ValueError, match="its lr is"):
        train(hotter, log=lines.append)


def llama_logits(base: Path, lora: Path | None, ids: list[int]) -> np.ndarray:
    """llama.cpp's logits for the token after `ids`, with or without an adapter."""
    import llama_cpp

    llama = llama_cpp.Llama(
        model_path=str(base),
        lora_path=str(lora) if lora else None,
        n_ctx=256,
        logits_all=True,
        verbose=False,
    )
    llama.eval(ids)
    scores = np.array(llama.scores[len(ids) - 1])
    llama.close()
    return scores
