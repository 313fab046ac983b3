"""A 10 x 10 mm square bar bent along a half circle of 60 mm radius (a sweep)."""
from build123d import *

side = 10  # mm, of the square section
path_radius = 60  # mm, to the centre of the section

path = CenterArc((0, 0), path_radius, 0, 180)
section = Plane(origin=path @ 0, z_dir=path % 0) * Rectangle(side, side)
result = sweep(section, path=path)
