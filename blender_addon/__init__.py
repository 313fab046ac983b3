"""Partsmith for Blender: a "Partsmith" tab in the 3D viewport's sidebar.

A thin front end over the local engine (`partsmith serve`): it sends prompts, polls jobs on a
timer so Blender never freezes, and imports the GLB the engine makes at the 3D cursor. It never
runs generated code and never imports the engine; `client.py` (the engine's standard-library
client) is copied in by `build_addon.py`.

Installs as an extension (Blender 4.2+, `blender_manifest.toml`) or as a legacy add-on
(Blender 3.4-4.1, `bl_info`). `partsmith install blender` does either.

Layout, lowest first: `preferences.py` the add-on's settings; `connection.py` the engine client
(over `client.py`); `importer.py` puts parts into the scene; `state.py` holds the add-on's state
(property groups, history and parameter sync, thumbnails); `operators.py` the buttons' work;
`panel.py` only draws. A module imports only those before it.
"""

bl_info = {
    "name": "Partsmith",
    "author": "Partsmith",
    "version": (0, 1, 0),
    "blender": (3, 4, 0),
    "location": "View3D > Sidebar > Partsmith",
    "description": "Text to CAD with a local model: type a part, get a real-size solid",
    "category": "Object",
}

if "bpy" in locals():  # Reload Scripts: pick up edits to the submodules too
    import importlib

    for _module in (background, connection, importer, state, operators, panel, preferences):  # noqa: F821
        importlib.reload(_module)

import bpy  # noqa: E402, F401 (the reload check above looks for it)

from . import background, connection, importer, operators, panel, preferences, state  # noqa: E402, F401

_MODULES = (preferences, state, operators, panel)


def register() -> None:
    for module in _MODULES:
        module.register()


def unregister() -> None:
    for module in reversed(_MODULES):
        module.unregister()
    connection.forget()
