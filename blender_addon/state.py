"""The add-on's state and its syncing: the property groups the panel shows (the job's status, the
history list, the selected part's parameters), filling them from the engine and the selection,
and the history's thumbnails. The operators and the panel both use this module; it uses neither.

Engine calls for the history run on a background thread (`background.Task`), and their results
are put into `bpy.data` by a timer on the main thread; in background mode (scripts, tests) they
run to the end at once.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import bpy
import bpy.utils.previews
from bpy.app.handlers import persistent

from . import background, connection, facts, fields, importer

PACKAGE = __package__ or "partsmith"
KINDS = [("length", "Length", ""), ("angle", "Angle", ""), ("integer", "Whole number", ""),
         ("number", "Number", ""), ("bool", "Yes/no", ""), ("choice", "Choice", ""), ("text", "Text", "")]
FIELDS = {"length": "length", "angle": "angle", "integer": "whole", "number": "number", "bool": "flag",
          "choice": "choice", "text": "text"}
_previews: Any = None
_owner = object()  # the message-bus subscriber
_choice_items: dict[str, list[tuple[str, str, str]]] = {}  # Blender needs enum items kept alive


def _items(self: Any, context: Any) -> list[tuple[str, str, str]]:
    key = self.choices
    if key not in _choice_items:
        _choice_items[key] = [(word, word, "") for word in key.split("\n") if word] or [("-", "-", "")]
    return _choice_items[key]


def _clamped(field: str, scale: Any) -> Any:
    """An update callback that keeps a field within the parameter's range (kept in engine units)."""

    def update(self: Any, context: Any) -> None:
        value = getattr(self, field)
        engine = scale(value, False)
        low = self.low if self.has_low else engine
        limited = min(max(engine, low), self.high if self.has_high else engine)
        if limited != engine:
            setattr(self, field, scale(limited, True))

    return update


def _mm(value: float, to_blender: bool) -> float:
    """Millimetres (the engine's) and metres (Blender's units, shown in the scene's unit)."""
    return value / 1000.0 if to_blender else round(value * 1000.0, 4)


def _deg(value: float, to_blender: bool) -> float:
    return math.radians(value) if to_blender else round(math.degrees(value), 4)


def _same(value: float, to_blender: bool) -> float:
    return value


class PartsmithParam(bpy.types.PropertyGroup):
    """One parameter of the selected part, with the field that fits its kind: a length in the
    scene's units, an angle, a whole number, a drop-down for a choice; its range as limits."""

    kind: bpy.props.EnumProperty(items=KINDS)  # type: ignore[valid-type]
    length: bpy.props.FloatProperty(subtype="DISTANCE", unit="LENGTH", precision=4,  # type: ignore[valid-type]
                                    update=_clamped("length", _mm))
    angle: bpy.props.FloatProperty(subtype="ANGLE", unit="ROTATION",  # type: ignore[valid-type]
                                   update=_clamped("angle", _deg))
    number: bpy.props.FloatProperty(precision=3, update=_clamped("number", _same))  # type: ignore[valid-type]
    whole: bpy.props.IntProperty(update=_clamped("whole", lambda v, _: round(v)))  # type: ignore[valid-type]
    flag: bpy.props.BoolProperty()  # type: ignore[valid-type]
    text: bpy.props.StringProperty()  # type: ignore[valid-type]
    choice: bpy.props.EnumProperty(items=_items)  # type: ignore[valid-type]
    choices: bpy.props.StringProperty()  # type: ignore[valid-type]
    low: bpy.props.FloatProperty()  # type: ignore[valid-type]
    high: bpy.props.FloatProperty()  # type: ignore[valid-type]
    has_low: bpy.props.BoolProperty()  # type: ignore[valid-type]
    has_high: bpy.props.BoolProperty()  # type: ignore[valid-type]
    description: bpy.props.StringProperty()  # type: ignore[valid-type]
    role: bpy.props.StringProperty()  # type: ignore[valid-type]
    label: bpy.props.StringProperty()  # type: ignore[valid-type]
    needs_name: bpy.props.StringProperty()  # type: ignore[valid-type]
    needs_value: bpy.props.StringProperty()  # type: ignore[valid-type]

    def set(self, value: Any, spec: dict[str, Any] | None = None) -> None:
        """Show `value` (in the engine's units: mm, degrees) with the field its spec asks for."""
        if spec is not None:
            kind = spec.get("kind") or plain_kind(value)
            self.has_low, self.has_high = spec.get("minimum") is not None, spec.get("maximum") is not None
            self.low, self.high = spec.get("minimum") or 0.0, spec.get("maximum") or 0.0
            self.choices = "\n".join(str(c) for c in spec.get("choices") or [])
            self.description = spec.get("description") or ""
            self.role = spec.get("role") or ""
            self.label = spec.get("label") or ""
            needs = spec.get("needs") or ["", ""]
            self.needs_name, self.needs_value = str(needs[0]), str(needs[1])
            self.kind = kind if kind in FIELDS else plain_kind(value)
        elif not self.kind:
            self.kind = plain_kind(value)
        kind = self.kind
        if kind == "length":
            self.length = _mm(float(value), True)
        elif kind == "angle":
            self.angle = _deg(float(value), True)
        elif kind == "integer":
            self.whole = int(value)
        elif kind == "number":
            self.number = float(value)
        elif kind == "bool":
            self.flag = bool(value)
        elif kind == "choice":
            self.choice = str(value)
        else:
            self.text = str(value)

    def value(self) -> Any:
        """The value in the engine's units (mm, degrees)."""
        kind = self.kind
        if kind == "length":
            return _mm(self.length, False)
        if kind == "angle":
            return _deg(self.angle, False)
        return getattr(self, FIELDS[kind])

    def field(self) -> str:
        return FIELDS[self.kind]


def _spec(item: Any) -> dict[str, Any]:
    return {"role": item.role, "needs": [item.needs_name, item.needs_value] if item.needs_name else None}


def shown(item: Any) -> bool:
    """Whether a field is worth a row (`fields.hidden`: placement at the origin is not)."""
    return not fields.hidden(_spec(item), item.value())


def counts(item: Any, params: Any) -> bool:
    """Whether a field has any effect with the current choices ("when size is custom")."""
    return fields.counts(_spec(item), {p.name: p.value() for p in params})


def plain_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "text"


class PartsmithHistoryItem(bpy.types.PropertyGroup):
    entry_id: bpy.props.StringProperty()  # type: ignore[valid-type]
    prompt: bpy.props.StringProperty()  # type: ignore[valid-type]
    ok: bpy.props.BoolProperty(default=True)  # type: ignore[valid-type]


def _search_changed(self: Any, context: Any) -> None:
    refresh_history(context)


class PartsmithState(bpy.types.PropertyGroup):
    job_id: bpy.props.StringProperty()  # type: ignore[valid-type]
    stage: bpy.props.StringProperty(default="ready")  # type: ignore[valid-type]
    progress: bpy.props.FloatProperty(min=0, max=1, subtype="FACTOR")  # type: ignore[valid-type]
    cancel_requested: bpy.props.BoolProperty()  # type: ignore[valid-type]
    engine: bpy.props.StringProperty(default="not connected")  # type: ignore[valid-type]
    search: bpy.props.StringProperty(name="Search", description="Find earlier parts by meaning",  # type: ignore[valid-type]
                                     update=_search_changed)
    history: bpy.props.CollectionProperty(type=PartsmithHistoryItem)  # type: ignore[valid-type]
    history_index: bpy.props.IntProperty()  # type: ignore[valid-type]
    params: bpy.props.CollectionProperty(type=PartsmithParam)  # type: ignore[valid-type]


def status(context: Any = None) -> Any:
    return (context or bpy.context).window_manager.partsmith


def active(context: Any) -> Any:
    """The active object (from the view layer when the context has no `active_object`, as in
    handlers and timers)."""
    obj = getattr(context, "active_object", None)
    layer = getattr(context, "view_layer", None)
    return obj if obj is not None else (layer.objects.active if layer is not None else None)


def selected_part(context: Any) -> Any:
    obj = active(context)
    return obj if obj is not None and importer.KEY_ID in obj else None


# Parameters ------------------------------------------------------------------------------------

def stated_facts(obj: Any) -> list[tuple[str, bool]]:
    """What the part's prompt stated, each as the panel shows it, and whether the part meets it."""
    return [(facts.text(fact), bool(fact.get("met"))) for fact in importer.facts_of(obj)]


def load_params(context: Any) -> None:
    """Show the active part's parameters as fields (called when the selection changes)."""
    params = status(context).params
    params.clear()
    obj = active(context)
    specs = importer.specs_of(obj)
    for name, value in importer.params_of(obj).items():
        item = params.add()
        item.name = name
        item.set(value, specs.get(name) or {"kind": plain_kind(value)})


def _active_changed() -> None:
    load_params(bpy.context)


def subscribe() -> None:
    """Follow the selection (the message bus forgets subscriptions when a file is loaded)."""
    bpy.msgbus.clear_by_owner(_owner)
    bpy.msgbus.subscribe_rna(key=(bpy.types.LayerObjects, "active"), owner=_owner, args=(),
                             notify=_active_changed)


@persistent
def _after_load(*_: Any) -> None:
    subscribe()
    load_params(bpy.context)


@persistent
def _after_undo(*_: Any) -> None:
    """Undo and redo change the selection and the parts without a message: show the fields of
    the part that is active now, not those of the one before."""
    load_params(bpy.context)


UNDO_HANDLERS = (bpy.app.handlers.undo_post, bpy.app.handlers.redo_post)


# History and thumbnails ------------------------------------------------------------------------

def thumbnails_folder() -> Path:
    """The add-on's own user folder for thumbnails: the extension's (Blender 4.2+), else one in
    Blender's user data folder; never a folder shared by every user of the computer."""
    getter = getattr(bpy.utils, "extension_path_user", None)
    if getter is not None:
        try:
            return Path(getter(PACKAGE, path="thumbnails", create=True))
        except (ValueError, KeyError, RuntimeError):
            pass  # a legacy add-on in Blender 4.2+: no extension folder
    return Path(bpy.utils.user_resource("DATAFILES", path="partsmith/thumbnails", create=True))


def _fetch_history(client: Any, query: str, folder: Path) -> Any:
    def work(task: background.Task) -> dict[str, Any]:
        if client.info is None and not client.find():
            raise connection.EngineError("the Partsmith engine is not running", hint="press Start engine")
        rows = client.search(query, 20) if query else client.history(30)
        folder.mkdir(parents=True, exist_ok=True)
        for row in rows:
            target = folder / f"{row['id']}.png"
            if row.get("status", "ok") == "ok" and not target.exists():
                try:
                    target.write_bytes(client.file(row["id"], "thumbnail"))
                except (connection.EngineError, OSError) as exc:
                    print(f"Partsmith: no thumbnail for {row['id']}: {exc}")
        return {"rows": rows}

    return work


def refresh_history(context: Any = None, strict: bool = False) -> None:
    """Read the history (or the search's results) into the list, with thumbnails. In the UI the
    engine is asked on a background thread; the list fills in when the answer comes."""
    state = status(context)
    fetch = _fetch_history(connection.get(context), state.search.strip(), thumbnails_folder())
    task = background.start(fetch)
    if bpy.app.background:
        _show_history(task.wait(), strict)
        return

    def check() -> float | None:
        now = task.snapshot()
        if not now.over:
            return 0.1
        _show_history(now, False)
        return None

    bpy.app.timers.register(check, first_interval=0.1)


def _show_history(now: background.Snapshot, strict: bool) -> None:
    state = status()
    if now.error is not None:
        state.engine = "not running"
        if strict:
            raise now.error
        return
    rows = now.result["rows"]
    state.history.clear()
    for row in rows:
        item = state.history.add()
        item.entry_id = row["id"]
        item.prompt = row.get("prompt", "")
        item.ok = row.get("status") == "ok"
    _load_thumbnails([row["id"] for row in rows if row.get("status") == "ok"])
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type == "VIEW_3D":
                area.tag_redraw()


def _load_thumbnails(ids: list[str]) -> None:
    if _previews is None:
        return
    folder = thumbnails_folder()
    for entry_id in ids:
        path = folder / f"{entry_id}.png"
        if entry_id not in _previews and path.exists():
            _previews.load(entry_id, str(path), "IMAGE")


def thumbnail(entry_id: str) -> Any:
    return _previews.get(entry_id) if _previews is not None else None


CLASSES = (PartsmithParam, PartsmithHistoryItem, PartsmithState)


def register() -> None:
    global _previews
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.WindowManager.partsmith = bpy.props.PointerProperty(type=PartsmithState)
    bpy.types.Scene.partsmith_prompt = bpy.props.StringProperty(
        name="Prompt", description="The part, in words, with its sizes (mm)",
        default="a 40 x 30 x 5 mm plate with four 4 mm holes 5 mm from the edges")
    _previews = bpy.utils.previews.new()
    subscribe()
    bpy.app.handlers.load_post.append(_after_load)
    for handlers in UNDO_HANDLERS:
        handlers.append(_after_undo)


def unregister() -> None:
    global _previews
    if _after_load in bpy.app.handlers.load_post:
        bpy.app.handlers.load_post.remove(_after_load)
    for handlers in UNDO_HANDLERS:
        if _after_undo in handlers:
            handlers.remove(_after_undo)
    bpy.msgbus.clear_by_owner(_owner)
    if _previews is not None:
        bpy.utils.previews.remove(_previews)
        _previews = None
    del bpy.types.Scene.partsmith_prompt
    del bpy.types.WindowManager.partsmith
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
