"""A knob: a 30 mm disc 12 mm tall with a domed top, revolved from its profile, and a 6 mm bore."""
from build123d import *

diameter = 30  # mm
height = 12  # mm
dome = 4  # mm, rise of the top above the side wall
bore = 6  # mm
bore_depth = 8  # mm

with BuildPart() as knob:
    with BuildSketch(Plane.XZ):
        with BuildLine():
            Polyline((0, 0), (diameter / 2, 0), (diameter / 2, height - dome))
            ThreePointArc((diameter / 2, height - dome), (diameter / 4, height - dome / 4), (0, height))
            Line((0, height), (0, 0))
        make_face()
    revolve(axis=Axis.Z)
    Cylinder(bore / 2, bore_depth, align=(Align.CENTER, Align.CENTER, Align.MIN), mode=Mode.SUBTRACT)

result = knob.part
