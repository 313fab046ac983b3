"""A 70 x 40 x 6 mm plate with a 30 mm long, 8 mm wide slot through its centre."""
from build123d import *

length = 70  # mm
width = 40  # mm
thickness = 6  # mm
slot_length = 30  # mm, end to end
slot_width = 8  # mm

plate = Box(length, width, thickness)
slot = extrude(SlotOverall(slot_length, slot_width), amount=thickness, both=True)
result = plate - slot
