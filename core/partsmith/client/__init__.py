"""What the front ends receive: the engine's standard-library client and its background helper.

Nothing here imports the rest of `partsmith`; `partsmith install` copies these files into the
Blender add-on and the FreeCAD workbench.
"""
