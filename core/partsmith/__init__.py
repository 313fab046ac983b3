"""Partsmith: text to CAD on your own machine.

The engine package. Front ends (Blender, FreeCAD) never import it: they talk to `partsmith serve`
through the standard-library client in `partsmith.client`.
"""

__version__ = "0.1.0"
