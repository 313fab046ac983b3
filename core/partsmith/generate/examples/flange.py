"""A round flange 80 mm across and 8 mm thick with a 30 mm bore and six 6 mm holes on a 60 mm circle."""
from build123d import *

diameter = 80  # mm
thickness = 8  # mm
bore = 30  # mm
hole_count = 6
hole_diameter = 6  # mm
bolt_circle = 60  # mm, diameter of the circle through the hole centres

with BuildPart() as flange:
    Cylinder(diameter / 2, thickness, align=(Align.CENTER, Align.CENTER, Align.MIN))
    Cylinder(bore / 2, thickness, align=(Align.CENTER, Align.CENTER, Align.MIN), mode=Mode.SUBTRACT)
    with Locations((0, 0, thickness)):
        with PolarLocations(bolt_circle / 2, hole_count):
            Hole(radius=hole_diameter / 2)

result = flange.part
