"""A 60 x 30 x 10 mm block with two counterbored holes for M5 socket head screws."""
from build123d import *

length = 60  # mm
width = 30  # mm
height = 10  # mm
hole_diameter = 5.5  # mm, M5 clearance
counterbore_diameter = 9.5  # mm
counterbore_depth = 5.5  # mm
spacing = 40  # mm, between the hole centres

with BuildPart() as block:
    Box(length, width, height)
    with Locations((0, 0, height / 2)):
        with GridLocations(spacing, 0, 2, 1):
            CounterBoreHole(hole_diameter / 2, counterbore_diameter / 2, counterbore_depth)

result = block.part
