"""The parametric Partsmith part: a Part::FeaturePython whose properties are the part's
parameters, with FreeCAD property types (lengths as lengths). Changing one and recomputing reruns
the part's script in the engine (no model) and replaces the shape with the new STEP solid."""

from __future__ import annotations

import json
from typing import Any

import FreeCAD as App
import Part

from . import connection

GROUP = "Parameters"
META = "Partsmith"
ANGLE_WORDS = ("angle", "degrees", "deg", "twist")
PLAIN_WORDS = ("module", "ratio", "factor", "scale", "count", "teeth", "number")


def property_type(name: str, value: Any) -> str:
    """The FreeCAD property for a parameter: lengths for sizes, plain numbers otherwise."""
    if isinstance(value, bool):
        return "App::PropertyBool"
    if isinstance(value, int):
        return "App::PropertyInteger"
    if isinstance(value, float):
        lowered = name.lower()
        if any(word in lowered for word in ANGLE_WORDS):
            return "App::PropertyAngle"
        if any(word in lowered for word in PLAIN_WORDS):
            return "App::PropertyFloat"
        return "App::PropertyLength" if value >= 0 else "App::PropertyDistance"
    return "App::PropertyString"


def _plain(value: Any) -> Any:
    """A property value as the engine wants it: Quantities become numbers in mm / degrees."""
    if hasattr(value, "Value") and hasattr(value, "Unit"):
        return float(value.Value)
    return value


class _Stateless:
    """FreeCAD saves a proxy's state in the document; these proxies keep all of theirs in
    properties, so there is nothing to save (dumps / loads from 0.21, the dunders before)."""

    def dumps(self) -> None:
        return None

    def loads(self, state: Any) -> None:
        return None

    __getstate__ = dumps

    def __setstate__(self, state: Any) -> None:
        return None


class PartsmithPart(_Stateless):
    """The proxy of a Partsmith part (kept small: FreeCAD saves it in the document)."""

    def __init__(self, obj: Any, entry: dict[str, Any]) -> None:
        obj.Proxy = self
        obj.addProperty("App::PropertyString", "EntryId", META, "The history entry of this shape")
        obj.addProperty("App::PropertyString", "Prompt", META, "What was asked for")
        obj.addProperty("App::PropertyFile", "StepFile", META, "The STEP file the shape came from")
        obj.addProperty("App::PropertyString", "Applied", META, "Parameter values of the shape (JSON)")
        for name in ("EntryId", "Prompt", "StepFile", "Applied"):
            obj.setEditorMode(name, 1)  # read-only
        obj.setEditorMode("Applied", 2)  # hidden
        for name, value in (entry.get("parameters") or {}).items():
            obj.addProperty(property_type(name, value), name, GROUP, f"Partsmith parameter {name}")
            setattr(obj, name, value)
        self.load(obj, entry)

    @staticmethod
    def parameters(obj: Any) -> dict[str, Any]:
        return {name: _plain(getattr(obj, name)) for name in obj.PropertiesList
                if obj.getGroupOfProperty(name) == GROUP}

    def load(self, obj: Any, entry: dict[str, Any]) -> None:
        """Take the entry's STEP solid as the shape, and remember what it was made with."""
        step = entry["files"]["step"]
        shape = Part.read(step)
        if shape.isNull() or not shape.Solids:
            raise ValueError(f"the engine's STEP file {step} holds no solid")
        obj.Shape = shape
        obj.EntryId = entry["id"]
        obj.Prompt = entry.get("prompt", "")
        obj.StepFile = step
        obj.Applied = json.dumps(self.parameters(obj), sort_keys=True)

    def execute(self, obj: Any) -> None:
        wanted = self.parameters(obj)
        if json.dumps(wanted, sort_keys=True) == obj.Applied:
            return  # nothing changed: keep the shape
        changed = {k: v for k, v in wanted.items() if json.loads(obj.Applied or "{}").get(k) != v}
        try:
            client = connection.connected()
            submitted = client.submit("rerun", entry_id=obj.EntryId, params=changed, host="freecad")
            job = client.wait(submitted["id"], poll_s=0.05, timeout_s=300)
            if job["state"] != "done":
                raise connection.EngineError((job.get("error") or {}).get("message") or job["state"])
            self.load(obj, client.entry(job["entry"]["id"]))
        except (connection.EngineError, ValueError, OSError) as exc:
            connection.report(f"{obj.Label}: cannot rebuild with {changed}: {exc}")
            raise RuntimeError(f"Partsmith: {exc}") from None

    def onDocumentRestored(self, obj: Any) -> None:
        obj.Proxy = self


class ViewProviderPartsmith(_Stateless):
    def __init__(self, vobj: Any) -> None:
        vobj.Proxy = self

    def getIcon(self) -> str:
        from . import RESOURCES

        return str(RESOURCES / "icons" / "partsmith.svg")

    def attach(self, vobj: Any) -> None:
        self.Object = vobj.Object


def label_for(prompt: str, limit: int = 60) -> str:
    """The prompt as an object label, cut at a word when it is long."""
    words = " ".join(prompt.split())
    if len(words) <= limit:
        return words or "Part"
    return words[:limit].rsplit(" ", 1)[0] + "…"


def insert(doc: Any, entry: dict[str, Any]) -> Any:
    """The entry as a parametric solid in `doc`, in one transaction (one undo removes it)."""
    doc.openTransaction("Partsmith part")
    try:
        obj = doc.addObject("Part::FeaturePython", "Partsmith")
        PartsmithPart(obj, entry)
        if App.GuiUp:
            ViewProviderPartsmith(obj.ViewObject)
        obj.Label = label_for(entry.get("prompt", ""))
        doc.recompute()
    except Exception:
        doc.abortTransaction()
        raise
    doc.commitTransaction()
    return obj


def is_partsmith(obj: Any) -> bool:
    return obj is not None and isinstance(getattr(obj, "Proxy", None), PartsmithPart)
