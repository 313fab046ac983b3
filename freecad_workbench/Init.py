# Partsmith workbench: nothing to set up without the GUI. The parametric part
# (partsmith_freecad.feature) works in FreeCADCmd too, so documents recompute anywhere.
