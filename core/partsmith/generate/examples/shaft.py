"""A stepped shaft: 20 mm diameter for 40 mm, then 12 mm diameter for 30 mm, with a 4 mm keyway."""
from build123d import *

big_diameter = 20  # mm
big_length = 40  # mm
small_diameter = 12  # mm
small_length = 30  # mm
key_width = 4  # mm
key_depth = 2.5  # mm
key_length = 20  # mm

profile = Polyline(
    (0, 0), (big_diameter / 2, 0), (big_diameter / 2, big_length), (small_diameter / 2, big_length),
    (small_diameter / 2, big_length + small_length), (0, big_length + small_length), close=True,
)
shaft = revolve(make_face(Plane.XZ * profile), Axis.Z)
keyway = Pos(big_diameter / 2 - key_depth / 2, 0, big_length / 2) * Box(key_depth * 2, key_width, key_length)
result = shaft - keyway
