"""The local engine service: one process that keeps the model warm for Blender and FreeCAD."""
