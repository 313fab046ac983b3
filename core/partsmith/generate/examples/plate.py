"""A 40 x 30 x 5 mm mounting plate with four 4 mm holes 5 mm from the edges."""
from build123d import *

length = 40  # mm
width = 30  # mm
thickness = 5  # mm
hole_diameter = 4  # mm
edge_offset = 5  # mm, hole centre to edge

with BuildPart() as plate:
    Box(length, width, thickness)
    with Locations((0, 0, thickness / 2)):
        with GridLocations(length - 2 * edge_offset, width - 2 * edge_offset, 2, 2):
            Hole(radius=hole_diameter / 2)

result = plate.part
