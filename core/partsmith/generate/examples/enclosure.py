"""An open-top enclosure 80 x 50 x 30 mm with 2 mm walls and rounded vertical corners."""
from build123d import *

length = 80  # mm
width = 50  # mm
height = 30  # mm
wall = 2  # mm
corner_radius = 4  # mm, outside corners

outer = extrude(RectangleRounded(length, width, corner_radius), amount=height)
inner = Pos(0, 0, wall) * extrude(
    RectangleRounded(length - 2 * wall, width - 2 * wall, corner_radius - wall), amount=height
)
result = outer - inner
