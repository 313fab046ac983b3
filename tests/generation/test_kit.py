"""Every family builds a valid single solid through the real sandbox, with its documented size."""

from __future__ import annotations

import pytest

from partsmith.errors import InputError, ScriptError
from partsmith.generate.structured import render
from partsmith.kit import FAMILIES, plate
from partsmith.program import parse
from partsmith.program.schema import kit_type
from partsmith.sandbox import SandboxPool


def _script(name: str, params: dict[str, object]) -> str:
    """The structured route's script for one kit family as the only body of a program."""
    return render(parse({"features": [{"type": kit_type(name), **params}]}))


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_example_builds_in_the_sandbox(pool: SandboxPool, name: str) -> None:
    entry = FAMILIES[name]
    for text, params in entry.examples:
        result = pool.run(_script(name, params))
        assert result.measurements["solids"] == 1, text
        assert result.measurements["volume"] > 0
        assert set(entry.model.model_fields) <= set(result.parameters)  # one body: plain names


@pytest.mark.parametrize(
    ("name", "params", "size"),
    [
        ("plate", {"length": 40, "width": 30, "thickness": 5, "hole_diameter": 4, "holes": "corners"}, [40, 30, 5]),
        ("block", {"length": 20, "width": 20, "height": 80, "chamfer": 1}, [20, 20, 80]),
        ("tube", {"outer_diameter": 10, "inner_diameter": 5, "length": 1}, [10, 10, 1]),
        ("hex_nut", {"size": "custom", "across_flats": 10, "hole_diameter": 5, "thickness": 5}, [11.547, 10, 5]),
        ("spur_gear", {"module": 2, "teeth": 20, "thickness": 8}, [44, 44, 8]),
        ("cylinder", {"diameter": 60, "height": 4}, [60, 60, 4]),
    ],
)
def test_sizes(pool: SandboxPool, name: str, params: dict[str, object], size: list[float]) -> None:
    assert pool.run(_script(name, params)).measurements["size"] == pytest.approx(size, abs=0.05)


def test_schema_has_units_and_bounds() -> None:
    schema = FAMILIES["plate"].schema()["properties"]
    assert schema["length"]["description"] == "mm, along X"
    assert schema["length"]["exclusiveMinimum"] == 0
    assert schema["holes"]["enum"] == ["none", "center", "corners", "grid"]


def test_out_of_range_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="plate: length"):
        plate(length=-5)
    with pytest.raises(InputError, match="lenght: not a parameter"):
        plate(lenght=5)


def test_kit_error_in_a_script_points_at_the_line(pool: SandboxPool) -> None:
    with pytest.raises(ScriptError) as info:
        pool.run("from partsmith.kit import tube\n\nresult = tube(outer_diameter=-1)\n")
    assert info.value.line == 3
    assert "outer_diameter" in info.value.message


@pytest.mark.parametrize("teeth", [52, 53, 68, 300])
def test_a_gear_with_many_teeth_is_a_valid_solid(teeth: int) -> None:
    """From 53 teeth at 20 degrees the root between two teeth passed the middle of the gap and the
    outline crossed itself: the kernel's check refused the part the model had asked for right."""
    from partsmith.build import geometry
    from partsmith.kit.families import spur_gear

    gear = spur_gear(module=1, teeth=teeth, thickness=5, bore_diameter=10)
    assert gear.is_valid and len(gear.solids()) == 1
    measured, _ = geometry.validate(gear)
    assert measured.size[0] == pytest.approx(teeth + 2, abs=0.1)  # about the tip diameter (odd counts: less)
