"""An L bracket, 50 mm legs, 30 mm wide, 4 mm thick, a 5 mm hole in each leg and a 3 mm inner fillet."""
from build123d import *

leg = 50  # mm, length of each leg
width = 30  # mm
thickness = 4  # mm
hole_diameter = 5  # mm
fillet_radius = 3  # mm, inside the bend

profile = Polyline((0, 0), (leg, 0), (leg, thickness), (thickness, thickness), (thickness, leg), (0, leg),
                   close=True)
bracket = extrude(make_face(Plane.XZ * profile), amount=-width)
inner = bracket.edges().filter_by(Axis.Y).sort_by_distance((thickness, width / 2, thickness))[0]
bracket = fillet(inner, radius=fillet_radius)
hole = Cylinder(hole_diameter / 2, thickness * 2)
bracket -= Pos(leg * 0.6, width / 2, thickness / 2) * hole
bracket -= Pos(thickness / 2, width / 2, leg * 0.6) * Rot(0, 90, 0) * hole

result = bracket
