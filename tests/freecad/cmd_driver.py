"""Runs inside FreeCADCmd (Debian's FreeCAD 0.20), with the workbench unzipped into the user's Mod
folder, against a live engine found through PARTSMITH_HOME. Writes what it saw to the JSON file
named by PARTSMITH_FC_OUT."""

import json
import os
import sys
import traceback
from pathlib import Path

SPEC_SCRIPT = '''"""A plate whose head comments follow the parameter contract."""
from build123d import Box, Cylinder, Pos

length = 40  # mm [10, 200] - along X
width = 30.0  # mm [10, 200]
rows = 2  # [1, 6]
holes = "corners"  # one of: none, corners, centre - where the holes go

result = Box(length, width, 5)
if holes == "centre":
    result -= Pos(0, 0, 0) * Cylinder(3, 10)
'''


def box(shape):
    b = shape.BoundBox
    return [b.XLength, b.YLength, b.ZLength]


def run():
    import FreeCAD as App
    from partsmith_freecad import connection, feature

    seen = {"freecad": ".".join(App.Version()[:3])}
    client = connection.connected()
    job = client.wait(client.submit("generate", prompt=os.environ["PARTSMITH_FC_PROMPT"], host="freecad")["id"])
    entry = client.entry(job["entry"]["id"])
    doc = App.newDocument("Test")
    doc.UndoMode = 1
    obj = feature.insert(doc, entry)
    seen["label"] = obj.Label
    seen["type"] = obj.TypeId
    seen["valid"] = obj.Shape.isValid()
    seen["solids"] = len(obj.Shape.Solids)
    seen["volume"] = obj.Shape.Volume
    seen["box"] = box(obj.Shape)
    seen["types"] = {name: obj.getTypeIdOfProperty(name) for name in feature.PartsmithPart.parameters(obj)}
    seen["length"] = str(obj.length)
    seen["entry"] = obj.EntryId

    obj.length = "60 mm"
    doc.recompute()
    seen["after_edit_box"] = box(obj.Shape)
    seen["after_edit_entry"] = obj.EntryId
    seen["state"] = list(obj.State)

    path = str(Path(os.environ["PARTSMITH_FC_TMP"]) / "part.FCStd")
    doc.saveAs(path)
    App.closeDocument(doc.Name)
    reopened = App.openDocument(path)
    again = reopened.getObjectsByLabel(seen["label"])[0]
    seen["reopened_box"] = box(again.Shape)
    seen["reopened_proxy"] = type(again.Proxy).__name__
    again.hole_diameter = 6
    reopened.recompute()
    seen["reopened_edit_volume"] = again.Shape.Volume

    undoable = App.newDocument("Undo")
    undoable.UndoMode = 1
    feature.insert(undoable, entry)
    seen["objects_before_undo"] = len(undoable.Objects)
    undoable.undo()
    seen["objects_after_undo"] = len(undoable.Objects)

    # Fields that fit the contract's specs.
    job = client.wait(client.submit("script", script=SPEC_SCRIPT, host="freecad")["id"], timeout_s=120)
    specced = feature.insert(App.newDocument("Specs"), client.entry(job["entry"]["id"]))
    seen["spec_types"] = {name: specced.getTypeIdOfProperty(name) for name in feature.PartsmithPart.parameters(specced)}
    seen["spec_choices"] = specced.getEnumerationsOfProperty("holes")
    seen["spec_rows"] = specced.rows
    specced.holes = "centre"
    specced.Document.recompute()
    seen["spec_centre_volume"] = specced.Shape.Volume
    specced.length = 500  # beyond its 200 mm limit
    specced.Document.recompute()
    seen["spec_out_of_range_state"] = list(specced.State)
    seen["spec_out_of_range_box"] = box(specced.Shape)

    # A standard nut: its fields say what it is made with; those that count only for a custom
    # size are read-only until the size is custom; placement at the origin is hidden.
    job = client.wait(client.submit("script", script=os.environ["PARTSMITH_FC_NUT"], host="freecad")["id"],
                      timeout_s=120)
    nut = feature.insert(App.newDocument("Nut"), client.entry(job["entry"]["id"]))
    seen["nut_across_flats"] = float(nut.across_flats.Value)
    seen["nut_modes"] = {name: nut.getEditorMode(name) for name in ("size", "across_flats", "thickness", "x")}
    nut.size = "custom"
    seen["nut_custom_modes"] = {name: nut.getEditorMode(name) for name in ("across_flats", "thickness")}

    # Another computer: the document's history entry and STEP file are not there.
    moved = str(Path(os.environ["PARTSMITH_FC_TMP"]) / "moved.FCStd")
    portable = App.newDocument("Portable")
    part = feature.insert(portable, entry)
    seen["script_kept"] = "result" in part.Script
    portable.saveAs(moved)
    App.closeDocument(portable.Name)
    client._call("DELETE", f"/v1/history/{entry['id']}")
    elsewhere = App.openDocument(moved)
    part = elsewhere.getObjectsByLabel(seen["label"])[0]
    seen["elsewhere_step_exists"] = Path(part.StepFile).exists()
    part.length = 50
    elsewhere.recompute()
    seen["elsewhere_box"] = box(part.Shape)
    seen["elsewhere_entry_changed"] = part.EntryId != entry["id"]
    seen["elsewhere_state"] = list(part.State)

    seen["cad_modules"] = sorted(m for m in sys.modules if m.split(".")[0] in {"build123d", "OCP", "cadquery"})
    return seen


def main():
    try:
        seen = run()
    except Exception:  # noqa: BLE001 (reported to the test, which fails with it)
        seen = {"crash": traceback.format_exc()}
    with Path(os.environ["PARTSMITH_FC_OUT"]).open("w") as handle:
        json.dump(seen, handle, indent=2)
    sys.stdout.flush()
    os._exit(0)


main()
