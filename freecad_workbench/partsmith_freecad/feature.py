"""The parametric Partsmith part: a Part::FeaturePython whose properties are the part's
parameters, with the FreeCAD property that fits each (a length in the document's units, an
angle, an integer within its range, a drop-down for a choice). Changing one and recomputing
reruns the part's script in the engine (no model) and replaces the shape with the new STEP solid.

The document keeps what rebuilds the part: the script and its parameters (and their specs). A
document opened on another computer, where the history entry or its STEP file is missing, is
rebuilt from them through the engine's script job.

In the GUI a recompute never waits for the engine: it starts the rebuild on a background thread,
keeps the current shape, shows "rebuilding" in the part's Status, and a QTimer puts the new shape
in when it comes. FreeCADCmd (scripts, no event loop) waits for it instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import FreeCAD as App
import Part

from . import background, connection, facts, fields, messages

GROUP = "Parameters"
META = "Partsmith"
ANGLE_WORDS = ("angle", "degrees", "deg", "twist")
PLAIN_WORDS = ("module", "ratio", "factor", "scale", "count", "teeth", "number")
REBUILD_WAIT_S = 300.0
POLL_MS = 100


def property_type(name: str, value: Any, spec: dict[str, Any] | None = None) -> str:
    """The FreeCAD property for a parameter: from its spec (kind and range) when the engine sent
    one, else guessed from the value and name (lengths for sizes, plain numbers otherwise)."""
    kind = (spec or {}).get("kind")
    ranged = spec is not None and spec.get("minimum") is not None and spec.get("maximum") is not None
    if kind == "choice" and isinstance(value, str):
        return "App::PropertyEnumeration"
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return "App::PropertyIntegerConstraint" if ranged else "App::PropertyInteger"
    if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return "App::PropertyFloatConstraint" if ranged else "App::PropertyFloat"
    if kind == "length" and isinstance(value, (int, float)) and not isinstance(value, bool):
        low = (spec or {}).get("minimum")
        never_negative = (low is not None and low >= 0) or value >= 0
        return "App::PropertyLength" if never_negative else "App::PropertyDistance"
    if kind == "angle" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return "App::PropertyAngle"
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


def _set_parameter(obj: Any, name: str, value: Any, spec: dict[str, Any] | None) -> None:
    kind = obj.getTypeIdOfProperty(name)
    if kind == "App::PropertyEnumeration":
        setattr(obj, name, [str(choice) for choice in (spec or {}).get("choices") or [value]])
        setattr(obj, name, str(value))
    elif kind == "App::PropertyIntegerConstraint":
        setattr(obj, name, (int(value), int(spec["minimum"]), int(spec["maximum"]), 1))  # type: ignore[index]
    elif kind == "App::PropertyFloatConstraint":
        low, high = float(spec["minimum"]), float(spec["maximum"])  # type: ignore[index]
        setattr(obj, name, (float(value), low, high, (high - low) / 100 or 1.0))
    else:
        setattr(obj, name, value)


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


def _hidden(obj: Any, kind: str, name: str, tip: str) -> None:
    if name not in obj.PropertiesList:
        obj.addProperty(kind, name, META, tip)
    obj.setEditorMode(name, 2)


class PartsmithPart(_Stateless):
    """The proxy of a Partsmith part (kept small: FreeCAD saves it in the document)."""

    def __init__(self, obj: Any, entry: dict[str, Any]) -> None:
        obj.Proxy = self
        obj.addProperty("App::PropertyString", "EntryId", META, "The history entry of this shape")
        obj.addProperty("App::PropertyString", "Prompt", META, "What was asked for")
        obj.addProperty("App::PropertyFile", "StepFile", META, "The STEP file the shape came from")
        obj.addProperty("App::PropertyString", "Status", META, "What the engine is doing for this part")
        for name in ("EntryId", "Prompt", "StepFile", "Status"):
            obj.setEditorMode(name, 1)  # read-only
        self.ensure_properties(obj)
        specs = {spec["name"]: spec for spec in entry.get("parameter_specs") or []}
        for name, value in (entry.get("parameters") or {}).items():
            spec = specs.get(name)
            obj.addProperty(property_type(name, value, spec), name, GROUP,
                            (spec or {}).get("description") or f"Partsmith parameter {name}")
            _set_parameter(obj, name, value, spec)
        obj.Specs = json.dumps(specs, sort_keys=True)
        self.load(obj, entry)
        self.show_what_counts(obj)

    @classmethod
    def show_what_counts(cls, obj: Any) -> None:
        """Hide placement at the origin (nobody asked for it) and make read-only a field that has
        no effect with the current choices ("when size is custom"); the rest editable."""
        values = cls.parameters(obj)
        for name, spec in cls.specs(obj).items():
            if name in values:
                mode = 2 if fields.hidden(spec, values[name]) else 0 if fields.counts(spec, values) else 1
                obj.setEditorMode(name, mode)

    def onChanged(self, obj: Any, prop: str) -> None:
        if getattr(obj, "Specs", "") and obj.getGroupOfProperty(prop) == GROUP:
            self.show_what_counts(obj)  # a new size choice opens or closes the custom fields

    @staticmethod
    def ensure_properties(obj: Any) -> None:
        """The hidden properties that rebuild the part anywhere (added to older documents too)."""
        _hidden(obj, "App::PropertyString", "Applied", "Parameter values of the shape (JSON)")
        _hidden(obj, "App::PropertyString", "Script", "The part's script: what rebuilds it anywhere")
        _hidden(obj, "App::PropertyString", "Specs", "What field fits each parameter (JSON)")
        if "Facts" not in obj.PropertiesList:
            obj.addProperty("App::PropertyStringList", "Facts", META,
                            "What the prompt stated, and whether the part meets each")
        obj.setEditorMode("Facts", 1)  # read-only

    @staticmethod
    def parameters(obj: Any) -> dict[str, Any]:
        return {name: _plain(getattr(obj, name)) for name in obj.PropertiesList
                if obj.getGroupOfProperty(name) == GROUP}

    @staticmethod
    def specs(obj: Any) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(getattr(obj, "Specs", "") or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def load(self, obj: Any, entry: dict[str, Any]) -> None:
        """Take the entry's STEP solid as the shape, and remember what it was made with."""
        step = entry["files"]["step"]
        shape = Part.read(step)
        if shape.isNull() or not shape.Solids:
            raise ValueError(f"the engine's STEP file {step} holds no solid")
        obj.Shape = shape
        specs = self.specs(obj)
        for name, value in (entry.get("parameters") or {}).items():
            # What the engine made it with: an M10 nut's across flats after the size changed.
            if name in obj.PropertiesList and obj.getGroupOfProperty(name) == GROUP \
                    and _plain(getattr(obj, name)) != value:
                _set_parameter(obj, name, value, specs.get(name))
        obj.EntryId = entry["id"]
        obj.Prompt = entry.get("prompt", "")
        obj.StepFile = step
        obj.Script = entry.get("script") or obj.Script
        obj.Facts = facts.lines(entry)  # an Apply's values are the user's own: none
        obj.Status = ""
        obj.Applied = json.dumps(self.parameters(obj), sort_keys=True)

    def check(self, obj: Any, wanted: dict[str, Any]) -> None:
        """A clear error for a value outside its parameter's range (the property editor allows any)."""
        for name, spec in self.specs(obj).items():
            value, low, high = wanted.get(name), spec.get("minimum"), spec.get("maximum")
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            unit = f" {spec['unit']}" if spec.get("unit") else ""
            if (low is not None and value < low) or (high is not None and value > high):
                raise ValueError(f"{name} = {value:g}{unit} is outside its range {low:g} to {high:g}{unit}")

    def rebuild_work(self, obj: Any, wanted: dict[str, Any]) -> Any:
        """The engine work that makes the part with `wanted`: a rerun of its history entry, or,
        when that entry or its STEP file is not on this computer, its script from the document."""
        client = connection.get()
        entry_id, script, step = obj.EntryId, obj.Script, obj.StepFile
        changed = {k: v for k, v in wanted.items() if json.loads(obj.Applied or "{}").get(k) != v}
        prompt = obj.Prompt

        def work(task: background.Task) -> dict[str, Any] | None:
            background.connect(client, task)
            if script and (not step or not Path(step).exists() or not _known(client, entry_id)):
                task.say("rebuilding from the document's script")
                return background.job(client, "script", {"script": script, "params": wanted,
                                                         "prompt": prompt, "host": "freecad"})(task)
            return background.job(client, "rerun", {"entry_id": entry_id, "params": changed,
                                                    "host": "freecad"})(task)

        return work

    def execute(self, obj: Any) -> None:
        self.ensure_properties(obj)
        wanted = self.parameters(obj)
        if json.dumps(wanted, sort_keys=True) == obj.Applied:
            return  # nothing changed: keep the shape
        try:
            self.check(obj, wanted)
        except ValueError as exc:
            connection.report(f"{obj.Label}: {exc}")
            raise RuntimeError(f"Partsmith: {exc}") from None
        task = background.start(self.rebuild_work(obj, wanted))
        if App.GuiUp:
            obj.Status = "rebuilding..."
            _follow(obj, task, wanted)
            return
        self.finish(obj, task.wait(REBUILD_WAIT_S), wanted)

    def finish(self, obj: Any, now: background.Snapshot, wanted: dict[str, Any]) -> None:
        """Put the rebuilt shape in, or say why there is none (the shape stays as it was)."""
        try:
            if not now.over:
                raise connection.EngineError(f"the engine did not finish within {REBUILD_WAIT_S:.0f} s")
            ended = background.outcome(now, messages.FREECAD)
            if not ended.ok or ended.entry is None:
                raise connection.EngineError(ended.message, hint=ended.detail or None)
            self.load(obj, ended.entry)
        except (connection.EngineError, ValueError, OSError) as exc:
            # The property says it plainly; the report view has the engine's words too.
            obj.Status = f"failed: {exc.message if isinstance(exc, connection.EngineError) else exc}"
            connection.report(f"{obj.Label}: cannot rebuild with {wanted}: {exc}")
            if not App.GuiUp:
                raise RuntimeError(f"Partsmith: {exc}") from None

    def onDocumentRestored(self, obj: Any) -> None:
        obj.Proxy = self
        self.ensure_properties(obj)
        self.show_what_counts(obj)


def _known(client: Any, entry_id: str) -> bool:
    """Whether this computer's history holds the entry."""
    try:
        client.entry(entry_id)
    except connection.EngineError as exc:
        if exc.status == 404:
            return False
        raise
    return True


# Rebuilds in the GUI: followed by one QTimer, finished on the GUI thread ------------------------

_pending: dict[tuple[str, str], tuple[Any, background.Task, dict[str, Any]]] = {}
_timer: Any = None


def _follow(obj: Any, task: background.Task, wanted: dict[str, Any]) -> None:
    global _timer
    _pending[(obj.Document.Name, obj.Name)] = (obj, task, wanted)  # the newest edit wins
    if _timer is None:
        from PySide import QtCore

        _timer = QtCore.QTimer()
        _timer.setInterval(POLL_MS)
        _timer.timeout.connect(_poll)
    _timer.start()


def _poll() -> None:
    for key, (obj, task, wanted) in list(_pending.items()):
        now = task.snapshot()
        if not now.over:
            obj.Status = f"rebuilding: {now.stage}"
            continue
        del _pending[key]
        try:
            doc = obj.Document
        except (RuntimeError, ReferenceError):
            continue  # the object or its document is gone
        obj.Proxy.finish(obj, now, wanted)
        doc.recompute()  # the parts that depend on this one (this one's execute has nothing to do)
    if not _pending and _timer is not None:
        _timer.stop()


def rebuilding(obj: Any) -> bool:
    return (obj.Document.Name, obj.Name) in _pending


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
    """The entry as a parametric solid in `doc`, in one transaction (one undo removes it). The
    application's transaction, so that no other open document is left with one half open."""
    App.setActiveTransaction("Partsmith part")
    try:
        obj = doc.addObject("Part::FeaturePython", "Partsmith")
        PartsmithPart(obj, entry)
        if App.GuiUp:
            ViewProviderPartsmith(obj.ViewObject)
        obj.Label = label_for(entry.get("prompt", ""))
        doc.recompute()
    except Exception:
        App.closeActiveTransaction(True)
        raise
    App.closeActiveTransaction()
    return obj


def is_partsmith(obj: Any) -> bool:
    return obj is not None and isinstance(getattr(obj, "Proxy", None), PartsmithPart)
