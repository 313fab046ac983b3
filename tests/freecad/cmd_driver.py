"""Runs inside FreeCADCmd (Debian's FreeCAD 0.20), with the workbench unzipped into the user's Mod
folder, against a live engine found through PARTSMITH_HOME. Writes what it saw to the JSON file
named by PARTSMITH_FC_OUT."""

import json
import os
import sys
import traceback
from pathlib import Path


def box(shape):
    b = shape.BoundBox
    return [b.XLength, b.YLength, b.ZLength]


def run():
    import FreeCAD as App
    from partsmith_freecad import engine, feature

    seen = {"freecad": ".".join(App.Version()[:3])}
    client = engine.connected()
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
