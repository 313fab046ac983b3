"""The training data: generated descriptions with valid programs that build, every body and feature
covered, sizes said in several units, the hand-written set, and a development set held out."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from partsmith.program.schema import OPERATIONS, PRIMITIVES
from partsmith.training import dataset, kits, parts, words
from partsmith.training.sizes import Sayer


def _types(answer: str) -> set[str]:
    return {feature["type"] for feature in json.loads(answer)["features"]}


@pytest.fixture(scope="module")
def generated() -> list[dataset.Example]:
    return list(dataset.generate(1500, seed=3))


def test_the_same_seed_gives_the_same_examples() -> None:
    assert list(dataset.generate(30, seed=9)) == list(dataset.generate(30, seed=9))
    assert list(dataset.generate(30, seed=9)) != list(dataset.generate(30, seed=10))


# Bodies the schema gained for issue 26 that the generator does not draw yet: drawing them changes
# the seeded dev set the shipped adapter is scored on, so they come with the lexicon's generator
# and the next adapter. Listed, so that the day they are generated this list must go.
NOT_YET_IN_DATA = {"pyramid", "dome", "capsule", "triangle"}


def test_every_primitive_body_and_feature_appears(generated: list[dataset.Example]) -> None:
    seen = set().union(*(_types(e.answer) for e in generated))
    wanted = {model.model_fields["type"].annotation.__args__[0] for model in (*PRIMITIVES, *OPERATIONS)}
    assert wanted - NOT_YET_IN_DATA <= seen, f"never generated: {sorted(wanted - NOT_YET_IN_DATA - seen)}"
    assert not NOT_YET_IN_DATA & seen, "generated now: take them off NOT_YET_IN_DATA"
    assert {"hex_nut", "hex_bolt", "spur_gear", "flange", "l_bracket"} <= seen


def test_descriptions_vary_in_units_radius_counts_and_typos(generated: list[dataset.Example]) -> None:
    texts = [e.prompt for e in generated]
    assert sum("inch" in t or '"' in t or " in " in t for t in texts) > 50
    assert sum(" cm" in t for t in texts) > 20
    assert sum("radius" in t or " R" in t for t in texts) > 50
    assert sum(any(f"M{n}" in t for n in (3, 4, 5, 6, 8)) for t in texts) > 50
    assert sum("4x" in t or "four" in t for t in texts) > 20
    assert len(set(texts)) > 0.95 * len(texts)
    sources = Counter(e.source for e in generated)
    assert len(sources) == len(parts.SAMPLERS) + len(kits.SAMPLERS)


def test_a_quarter_inch_is_six_point_three_five_millimetres() -> None:
    rng = random.Random(1)
    said = {words.inch_size(rng, 6, 7) for _ in range(40)}
    assert {mm for mm, _ in said if mm is not None} == {6.35}  # type: ignore[misc]
    assert "a quarter inch" in {text for _, text in said}  # type: ignore[misc]
    size = Sayer(random.Random(2), "cm").size(40, 60)
    assert size.text.endswith("cm") and size.mm == float(size.bare) * 10


def test_a_radius_in_the_description_is_a_diameter_in_the_program() -> None:
    for example in dataset.generate(400, seed=5):
        if example.source == "sphere" and "radius" in example.prompt:
            radius = float(example.prompt.split("radius ")[1].split()[0].rstrip("m").rstrip("c"))
            unit = 10 if " cm" in example.prompt else 1
            assert json.loads(example.answer)["features"][0]["d"] == pytest.approx(2 * radius * unit, abs=0.02)
            return
    pytest.fail("no sphere said by its radius in 400 examples")


@pytest.mark.slow
def test_a_sample_of_each_kind_builds_on_occt() -> None:
    rng = random.Random(11)
    for name, (sampler, _) in {**parts.SAMPLERS, **kits.SAMPLERS}.items():
        for _ in range(2):
            text, features = sampler(rng)
            try:
                dataset.build_check(dataset.canonical(features))
            except Exception as exc:  # noqa: BLE001 - report which sampler, whatever failed
                pytest.fail(f"{name}: {text!r} did not build: {exc}")


def test_the_hand_written_set_has_300_prompts_that_parse() -> None:
    groups = dataset.hand_groups()
    assert sum(len(prompts) for prompts, _ in groups) >= 300
    assert len({answer for _, answer in groups}) >= 120


@pytest.mark.slow
def test_every_hand_written_program_builds() -> None:
    for prompts, answer in dataset.hand_groups():
        try:
            dataset.build_check(answer)
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"{prompts[0]!r} did not build: {exc}")


def test_prepare_holds_the_development_set_out(tmp_path: Path) -> None:
    info = dataset.prepare(tmp_path, count=300, dev_count=60, hand_repeat=2)
    train = dataset.load(tmp_path / "train.jsonl")
    dev = dataset.load(tmp_path / "dev.jsonl")
    assert info["train"] == len(train) and info["dev"] == len(dev)
    assert not {r["prompt"].lower() for r in train} & {r["prompt"].lower() for r in dev}
    hand_dev_answers = {r["answer"] for r in dev if r["source"] == "hand"}
    hand_train_answers = {r["answer"] for r in train if r["source"] == "hand"}
    assert hand_dev_answers and not hand_dev_answers & hand_train_answers
    assert info["train_sha256"] == dataset.sha256(tmp_path / "train.jsonl")
