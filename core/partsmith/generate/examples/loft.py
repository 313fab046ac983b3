"""A transition piece lofted from a 40 mm square up to a 30 mm circle 50 mm above it."""
from build123d import *

side = 40  # mm, the square at the bottom
diameter = 30  # mm, the circle at the top
height = 50  # mm, between the two

with BuildPart() as piece:
    with BuildSketch():
        Rectangle(side, side)
    with BuildSketch(Plane.XY.offset(height)):
        Circle(diameter / 2)
    loft()

result = piece.part
