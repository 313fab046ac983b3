"""The "Partsmith" tab in the 3D viewport's sidebar, and the state it shows."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import bpy
import bpy.utils.previews

from . import connection, importer, operators

_previews: Any = None
_thumbs_dir = Path(tempfile.gettempdir()) / "partsmith-blender-thumbnails"
_owner = object()  # the message-bus subscriber


class PartsmithParam(bpy.types.PropertyGroup):
    """One parameter of the selected part (its named top-level value)."""

    kind: bpy.props.EnumProperty(items=[("float", "Number", ""), ("int", "Whole number", ""),  # type: ignore[valid-type]
                                        ("bool", "Yes/no", ""), ("str", "Text", "")])
    number: bpy.props.FloatProperty(precision=3)  # type: ignore[valid-type]
    whole: bpy.props.IntProperty()  # type: ignore[valid-type]
    flag: bpy.props.BoolProperty()  # type: ignore[valid-type]
    text: bpy.props.StringProperty()  # type: ignore[valid-type]

    def set(self, value: Any) -> None:
        if isinstance(value, bool):
            self.kind, self.flag = "bool", value
        elif isinstance(value, int):
            self.kind, self.whole = "int", value
        elif isinstance(value, float):
            self.kind, self.number = "float", value
        else:
            self.kind, self.text = "str", str(value)

    def value(self) -> Any:
        return {"float": self.number, "int": self.whole, "bool": self.flag, "str": self.text}[self.kind]

    def field(self) -> str:
        return {"float": "number", "int": "whole", "bool": "flag", "str": "text"}[self.kind]


class PartsmithHistoryItem(bpy.types.PropertyGroup):
    entry_id: bpy.props.StringProperty()  # type: ignore[valid-type]
    prompt: bpy.props.StringProperty()  # type: ignore[valid-type]
    ok: bpy.props.BoolProperty(default=True)  # type: ignore[valid-type]


def _search_changed(self: Any, context: bpy.types.Context) -> None:
    operators.refresh_history(context)


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


class PARTSMITH_UL_history(bpy.types.UIList):
    def draw_item(self, context: bpy.types.Context, layout: bpy.types.UILayout, data: Any, item: Any,
                  icon: int, active_data: Any, active_property: str, index: int = 0,
                  flt_flag: int = 0) -> None:
        thumb = _previews.get(item.entry_id) if _previews is not None else None
        row = layout.row(align=True)
        if thumb is not None:
            row.label(text="", icon_value=thumb.icon_id)
        else:
            row.label(text="", icon="MESH_CUBE" if item.ok else "ERROR")
        row.label(text=item.prompt)
        if item.ok:
            row.operator("partsmith.import_entry", text="", icon="IMPORT").entry_id = item.entry_id


class VIEW3D_PT_partsmith(bpy.types.Panel):
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Partsmith"
    bl_label = "Partsmith"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        status = context.window_manager.partsmith
        layout.prop(context.scene, "partsmith_prompt", text="")
        row = layout.row(align=True)
        row.scale_y = 1.3
        row.operator("partsmith.generate", icon="PLAY")
        row = layout.row(align=True)
        row.operator("partsmith.like", icon="DUPLICATE")
        row.operator("partsmith.again", icon="FILE_REFRESH")
        row.operator("partsmith.cancel", icon="CANCEL")
        box = layout.box()
        if status.job_id:
            box.prop(status, "progress", text=status.stage or "working", slider=True)
        else:
            box.label(text=status.stage or "ready", icon="INFO")

        part = context.active_object if context.active_object and importer.KEY_ID in context.active_object \
            else None
        params = layout.box()
        params.label(text=f"Parameters of {part.name}" if part else "Parameters", icon="PROPERTIES")
        if part is None:
            params.label(text="select a part made by Partsmith")
        else:
            for item in status.params:
                row = params.row()
                row.label(text=item.name.replace("_", " "))
                row.prop(item, item.field(), text="")
            params.operator("partsmith.apply", icon="CHECKMARK")

        history = layout.box()
        row = history.row(align=True)
        row.label(text="History", icon="TIME")
        row.operator("partsmith.refresh", text="", icon="FILE_REFRESH")
        history.prop(status, "search", text="", icon="VIEWZOOM")
        history.template_list("PARTSMITH_UL_history", "", status, "history", status, "history_index", rows=4)

        row = layout.row(align=True)
        linked = "LINKED" if "running" in status.engine else "UNLINKED"
        row.label(text=f"Engine: {status.engine}", icon=linked)
        row.operator("partsmith.start_engine", text="", icon="PLAY")


def load_thumbnails(client: Any, ids: list[str]) -> None:
    if _previews is None:
        return
    _thumbs_dir.mkdir(exist_ok=True)
    for entry_id in ids:
        if entry_id in _previews:
            continue
        target = _thumbs_dir / f"{entry_id}.png"
        try:
            if not target.exists():
                target.write_bytes(client.file(entry_id, "thumbnail"))
            _previews.load(entry_id, str(target), "IMAGE")
        except (connection.EngineError, OSError):
            continue


def _active_changed() -> None:
    operators.load_params(bpy.context)


CLASSES = (PartsmithParam, PartsmithHistoryItem, PartsmithState, PARTSMITH_UL_history, VIEW3D_PT_partsmith)


def register() -> None:
    global _previews
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.WindowManager.partsmith = bpy.props.PointerProperty(type=PartsmithState)
    bpy.types.Scene.partsmith_prompt = bpy.props.StringProperty(
        name="Prompt", description="The part, in words, with its sizes (mm)",
        default="a 40 x 30 x 5 mm plate with four 4 mm holes 5 mm from the edges")
    _previews = bpy.utils.previews.new()
    bpy.msgbus.subscribe_rna(key=(bpy.types.LayerObjects, "active"), owner=_owner, args=(),
                             notify=_active_changed)


def unregister() -> None:
    global _previews
    bpy.msgbus.clear_by_owner(_owner)
    if _previews is not None:
        bpy.utils.previews.remove(_previews)
        _previews = None
    del bpy.types.Scene.partsmith_prompt
    del bpy.types.WindowManager.partsmith
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
