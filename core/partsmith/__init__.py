"""Partsmith: text to CAD on your own machine.

The engine package. Front ends (Blender, FreeCAD) never import it: they talk to `partsmith serve`
through the standard-library client in `partsmith.client.client`.
"""

if __name__ != "partsmith":  # e.g. `import core.partsmith` from the repository root
    raise ImportError(
        f"the engine is the package `partsmith`, imported here as {__name__!r}: a second copy would "
        "register every kit family again. Install the project (make setup) and import `partsmith`."
    )

__version__ = "0.1.0"
