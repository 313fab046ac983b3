"""The training data: generated descriptions with valid programs that build, every body and feature
covered, sizes said in several units, the hand-written set, and a development set held out."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from partsmith.program.schema import OPERATIONS, PRIMITIVES
from partsmith.training import bodies, dataset, kits, parts, words
from partsmith.training.sizes import Sayer


def _types(answer: str) -> set[str]:
    return {feature["type"] for feature in json.loads(answer)["features"]}


@pytest.fixture(scope="module")
def generated() -> list[dataset.Example]:
    return list(dataset.generate(1500, seed=3))


def test_the_same_seed_gives_the_same_examples() -> None:
    assert list(dataset.generate(30, seed=9)) == list(dataset.generate(30, seed=9))
    assert list(dataset.generate(30, seed=9)) != list(dataset.generate(30, seed=10))


def test_every_primitive_body_and_feature_appears(generated: list[dataset.Example]) -> None:
    seen = set().union(*(_types(e.answer) for e in generated))
    wanted = {model.model_fields["type"].annotation.__args__[0] for model in (*PRIMITIVES, *OPERATIONS)}
    assert wanted <= seen, f"never generated: {sorted(wanted - seen)}"
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
    assert len(sources) == len(parts.SAMPLERS) + len(bodies.SAMPLERS) + len(kits.SAMPLERS)


def test_a_quarter_inch_is_six_point_three_five_millimetres() -> None:
    rng = random.Random(1)
    said = {words.inch_size(rng, 6, 7) for _ in range(40)}
    assert {mm for mm, _ in said if mm is not None} == {6.35}  # type: ignore[misc]
    assert "a quarter inch" in {text for _, text in said}  # type: ignore[misc]
    size = Sayer(random.Random(2), "cm").size(40, 60)
    assert size.text.endswith("cm") and size.mm == float(size.bare) * 10


def test_a_radius_in_the_description_is_a_diameter_in_the_program() -> None:
    found = 0
    for example in dataset.generate(4000, seed=5):
        if example.source != "sphere" or not any(key == "param.radius" for key, _ in example.said):
            continue
        text = example.prompt
        said = re.search(r"(?:radius(?: of)? |\bR|\br)(\d+(?:\.\d+)?)", text) or re.search(
            r"(\d+(?:\.\d+)?) ?(?:mm|millimet\w*|cm) ?(?:radius|rad)", text)
        if said is None or re.search(r'\d ?(in\b|inch|")', text):
            continue  # an inch radius: its millimetres are tested elsewhere
        unit = 10 if " cm" in text else 1
        assert json.loads(example.answer)["features"][0]["d"] == pytest.approx(
            2 * float(said.group(1)) * unit, abs=0.02), text
        found += 1
    assert found >= 3, "too few spheres said by their radius in 4000 examples"


@pytest.mark.slow
def test_a_sample_of_each_kind_builds_on_occt() -> None:
    rng = random.Random(11)
    for name, (sampler, _) in {**parts.SAMPLERS, **bodies.SAMPLERS, **kits.SAMPLERS}.items():
        for _ in range(2):
            text, features = sampler(rng)
            try:
                dataset.build_check(dataset.canonical(features))
            except Exception as exc:  # noqa: BLE001 - report which sampler, whatever failed
                pytest.fail(f"{name}: {text!r} did not build: {exc}")


def test_the_hand_written_set_has_600_prompts_that_parse() -> None:
    groups = dataset.hand_groups()
    assert sum(len(prompts) for prompts, _ in groups) >= 600
    assert len({answer for _, answer in groups}) >= 230
    said = " ".join(p.lower() for prompts, _ in groups for p in prompts)
    for words_people_use in ("c'bore", "thru", "across flats", "circumscribed", "hemisphere", "pyramid",
                             "capsule", "obround", "long edges", "1/4-20"):
        assert words_people_use in said, words_people_use


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
