"""The lexicon (core/partsmith/training/data/lexicon.toml): every body, feature, edge group and
placement of the part program has its words in each style, the generator draws its descriptions'
words from it, and both the training set and the development set say every entry in every style."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import get_args

import pytest

from partsmith.kit.registry import FAMILIES
from partsmith.program.schema import OPERATIONS, PRIMITIVES, EdgeGroup
from partsmith.training import dataset, kits, parts
from partsmith.training.lexicon import STYLES, Draw, Tally, lexicon, load, say


def _type(model: type) -> str:
    return str(model.model_fields["type"].annotation.__args__[0])  # type: ignore[attr-defined]


def test_every_part_of_the_program_has_its_words_in_each_style() -> None:
    entries = lexicon().entries
    means = {entry.means.split(":")[0].split(" ")[0] for entry in entries.values()}
    bodies = {_type(model) for model in PRIMITIVES}
    operations = {_type(model) for model in OPERATIONS}
    sampled_families = {features[0]["type"] for sampler, _ in kits.SAMPLERS.values()
                        for _text, features in [sampler(random.Random(1))]}
    wanted = bodies | operations | sampled_families
    assert wanted <= means, sorted(wanted - means)
    assert sampled_families <= set(FAMILIES)
    groups = {key.split(".", 1)[1] for key in entries if key.startswith("edges.")}
    sides = {"front", "back", "left", "right"}
    assert set(get_args(EdgeGroup)) - sides <= groups and "side" in groups
    for entry in entries.values():
        assert entry.source and all(entry.says[style] for style in STYLES), entry.key
    # The words of the classes, each with its entry.
    said = {phrase.lower() for entry in entries.values() for phrases in entry.says.values() for phrase in phrases}
    for words in ("a circumscribed circle diameter of {v}", "{v} a/f", "upper hemisphere", "right square pyramid",
                  "cylinder with hemispherical end caps", "obround plate", "the long edges", "c'bore",
                  "it rests on the xy plane", "it is symmetric about the origin", "frustum of a rectangular pyramid"):
        assert words in said, words
    assert lexicon().unc["1/4-20"] == (6.76, 5.11)


def test_an_entry_without_a_style_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.toml"
    bad.write_text('[body.box]\nmeans = "box"\nfrom = "here"\nterse = ["box"]\nplain = ["box"]\n')
    with pytest.raises(ValueError, match=r"\[body.box\] has no spec"):
        load(bad)


def test_a_description_says_only_what_its_chosen_words_say() -> None:
    rng = Draw(4)
    rng.begin("spec")
    chosen = say(rng, "param.across_corners", v="24 mm")
    say(rng, "body.pyramid")  # drawn, then not used by the wording the sampler chose
    rng.settle(f"A regular hexagonal prism with {chosen}, 10 mm high.")
    assert rng.used == {("param.across_corners", "spec")}
    assert say(random.Random(1), "body.cube") in lexicon().entries["body.cube"].says["plain"]


@pytest.mark.parametrize(("count", "seed"), [(300, dataset.DEV_SEED), (2000, 17)])
def test_the_data_says_every_entry_in_every_style(count: int, seed: int) -> None:
    examples = list(dataset.generate(count, seed))
    tally = Tally()
    for example in examples:
        tally.add(set(example.said))
    assert tally.missing() == []
    assert {e.style for e in examples} == set(STYLES)
    specs = [e.prompt for e in examples if e.style == "spec"]
    assert sum(p.count(". ") >= 1 for p in specs) > len(specs) / 3  # specs of several sentences


def test_the_words_mean_what_the_program_holds() -> None:
    """Said with these words, the program holds this: across corners, a washer's hole, a wall,
    a part symmetric about the origin, the long edges."""
    checks = 0
    for example in dataset.generate(3000, seed=23):
        text = example.prompt.lower()
        first = json.loads(example.answer)["features"][0]
        keys = {key for key, _ in example.said}
        if "param.across_corners" in keys and first["type"] == "prism":
            assert first["across"] == "corners", example.prompt
            checks += 1
        if "placement.mid" in keys:  # a sphere's place is its centre: none given is the origin
            assert first.get("mid") is True or (first["type"] == "sphere" and "z" not in first), example.prompt
            checks += 1
        if "edges.long" in keys:
            assert json.loads(example.answer)["features"][1]["edges"] == "long", example.prompt
            l_, w, h = first["l"], first["w"], first["h"]
            assert l_ > max(w, h), example.prompt
            checks += 1
        if "param.wall" in keys and first["type"] == "tube":
            wall = round((first["od"] - first["id"]) / 2, 2)
            said = re.search(rf"(?<![\d.]){wall:g} ?(mm|millimet)", text) or re.search(rf"(?<![\d.]){wall / 10:g} ?cm", text)
            assert said, example.prompt
            checks += 1
    assert checks > 60


@pytest.mark.slow
def test_the_new_bodies_build_as_said() -> None:
    from partsmith.training import bodies
    from partsmith.training.score import measure

    rng = random.Random(8)
    for name, (sampler, _) in bodies.SAMPLERS.items():
        for _ in range(4):
            text, features = sampler(rng)
            measured = measure(dataset.canonical(features))
            assert measured is not None, f"{name}: {text!r} did not build"
            (x0, y0, z0, x1, y1, z1), volume = measured
            body = features[0]
            if name == "triangle":
                assert (x1 - x0, y1 - y0, z1 - z0) == pytest.approx((body["lx"], body["ly"], body["h"]), abs=0.01)
                assert volume == pytest.approx(body["lx"] * body["ly"] * body["h"] / 2, rel=1e-3)
            if name == "pyramid":
                assert (x1 - x0, y1 - y0, z1 - z0) == pytest.approx((body["l"], body["w"], body["h"]), abs=0.01)
    assert parts.SAMPLERS.keys().isdisjoint(bodies.SAMPLERS)


def test_placement_and_shape_words_are_true_of_their_part() -> None:
    """What a review of the first draft found: `mid` on a part with features placed in world
    terms, "centred" on profiles drawn off the axis, across flats on odd polygons, "square" on a
    rectangular pyramid, and sizes that did not fit their sentence ("a with a diameter of 5 mm hole")."""
    for example in dataset.generate(3000, seed=31):
        features = json.loads(example.answer)["features"]
        first, text = features[0], example.prompt
        if first.get("mid"):
            assert len(features) == 1 and first["type"] in {"box", "cylinder", "tube", "prism", "capsule"}, text
        if first["type"] in {"extrude", "wedge"}:
            assert ("placement.centred_xy", example.style) not in example.said, text
        if first["type"] == "prism" and first["n"] % 2:
            assert not re.search(r"across|flat to flat|a/f|\bAF\b|point to point", text, re.IGNORECASE), text
        if first["type"] == "pyramid" and first["l"] != first["w"]:
            assert "square" not in text.lower() and "sq " not in text.lower(), text
        assert not re.search(r"\b(?:a|an) (?:a|an|with)\b|\bwith with\b", text), text
