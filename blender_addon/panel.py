"""The "Partsmith" tab in the 3D viewport's sidebar. It only draws: the state it shows lives in
`state.py`, the work its buttons start in `operators.py`."""

from __future__ import annotations

from typing import Any

import bpy

from . import state


class PARTSMITH_UL_history(bpy.types.UIList):
    def draw_item(self, context: bpy.types.Context, layout: bpy.types.UILayout, data: Any, item: Any,
                  icon: int, active_data: Any, active_property: str, index: int = 0,
                  flt_flag: int = 0) -> None:
        thumb = state.thumbnail(item.entry_id)
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
        status = state.status(context)
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

        part = state.selected_part(context)
        params = layout.box()
        params.label(text=f"Parameters of {part.name}" if part else "Parameters", icon="PROPERTIES")
        if part is None:
            params.label(text="select a part made by Partsmith")
        else:
            for item in status.params:
                if not state.shown(item):
                    continue
                row = params.row()
                row.enabled = state.counts(item, status.params)  # greyed: no effect with this choice
                row.label(text=item.label or item.name.replace("_", " "))
                row.prop(item, item.field(), text="")
            params.operator("partsmith.apply", icon="CHECKMARK")
            stated = state.stated_facts(part)
            if stated:
                missed = sum(1 for _, met in stated if not met)
                box = layout.box()
                title = f"The prompt asked for ({missed} not met)" if missed else "The prompt asked for"
                box.label(text=title, icon="ERROR" if missed else "CHECKMARK")
                for text, met in stated:
                    row = box.row()
                    row.alert = not met  # drawn red
                    row.label(text=text, icon="CHECKMARK" if met else "CANCEL")

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


CLASSES = (PARTSMITH_UL_history, VIEW3D_PT_partsmith)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
