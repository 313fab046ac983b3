"""The add-on's preferences: how to start the engine, which model, GPU layers, output folder."""

from __future__ import annotations

import bpy

PACKAGE = __package__ or "partsmith"


class PartsmithPreferences(bpy.types.AddonPreferences):
    bl_idname = PACKAGE

    engine_command: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Engine command",
        description="How to start the Partsmith engine when it is not running",
        default="partsmith serve",
    )
    model: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Model",
        description="Catalog id or .gguf path; empty: the best model that fits this computer",
        default="",
    )
    gpu_layers: bpy.props.IntProperty(  # type: ignore[valid-type]
        name="GPU layers",
        description="Model layers on the GPU when the engine starts (-1: all)",
        default=-1, min=-1, max=999,
    )
    output_folder: bpy.props.StringProperty(  # type: ignore[valid-type]
        name="Output folder",
        description="Also copy each part's STEP, STL and GLB here (empty: only the engine's history)",
        default="", subtype="DIR_PATH",
    )

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.prop(self, "engine_command")
        layout.prop(self, "model")
        layout.prop(self, "gpu_layers")
        layout.prop(self, "output_folder")


def get(context: bpy.types.Context | None = None) -> PartsmithPreferences:
    addons = (context or bpy.context).preferences.addons
    return addons[PACKAGE].preferences


def register() -> None:
    bpy.utils.register_class(PartsmithPreferences)


def unregister() -> None:
    bpy.utils.unregister_class(PartsmithPreferences)
