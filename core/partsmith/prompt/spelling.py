"""Slips of the keyboard in the words a part is described with, put right before the small model
reads them: "a 3 mm hple", "a hslf disc", "lenght 40".

Only a word that is in no English dictionary (pyspellchecker's, 160,000 words) and is one slip
(two letters swapped, one dropped, added or mistyped) from a word of the CAD vocabulary below is
changed: to the word with the same letters when two were swapped ("wdith" is "width", not
"with"), else to the first such word in the vocabulary's order (the commoner word first: "thik" is
"thick", not "thin"). Words of the trade ("cbore", "thru", "counterbores") are left as written; so
is a real word ("hold" stays "hold", not "hole"), a word under four letters, anything with a digit
(sizes, "M4", "z68") and a word the vocabulary does not come close to. The model has seen most
slips in training and reads them; this is for the ones that turn a hole into a boss.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# The words parts are described with, the likelier of two near ones first ("widh" is "width").
_WORDS = """
hole holes thick thickness width wide with long length tall height high deep depth diameter
radius round rounded through blind bore bored counterbore counterbored countersink countersunk
chamfer chamfered fillet filleted wedge edges edge corner corners across flats plate block box cube
cylinder cylindrical disc disk rod shaft pin pins peg pegs tube pipe ring washer spacer sleeve
bushing sphere spherical ball cone conical tapered tapering truncated pyramid prism hexagon
hexagonal pentagon pentagonal octagon octagonal triangle triangular square rectangle rectangular
slot slots pocket recess groove boss rib ribs ledge step flange bracket angle gear teeth tooth
module spur bolt bolts screw screws nut knob handle spoke spokes arm arms hub torus section mean
inner outer inside outside centre center centred centered middle top bottom front back left right
side sides along axis horizontal vertical lying standing mounting base upright wall walls shell
hollow open mirror mirrored copies spaced evenly pattern grid circle row rows column columns
without each every inch inches millimetre millimetres millimeter millimeters centimetre centimetres
centimeter centimeters half quarter eighth third stacked extruded revolved lofted profile channel
beam flat stop clip hook holder mount cover lid cap post posts stud standoff bearing shoulder collar
thin small large make design create model need please then
"""
# Words of the trade no English dictionary has, left as written (and never a correction's goal).
_TRADE = """
cbore cbored cboring csink csunk ctsk thru spotface spotfaced counterbores countersinks chamfers
fillets grooves pockets recesses bosses flanges brackets gears spacers washers tubes pipes
cylinders spheres cones wedges prisms plates blocks boxes cubes rods shafts ledges hooks clips lids
caps studs standoffs bearings collars bushings sleeves knobs handles hubs tori keyway keyways
centres
"""
VOCABULARY = tuple(_WORDS.split())
_WORD = re.compile(r"(?<![\w'])[A-Za-z]{4,}(?![\w'])")


def corrected(text: str) -> str:
    """`text` with its one-slip misspellings of CAD words put right; all else as written."""
    return _WORD.sub(_fix, text)


def _fix(found: re.Match[str]) -> str:
    word = found.group(0)
    lower = word.lower()
    if lower in _RANK or lower in _KEEP or _english().known([lower]):
        return word
    near = _english().edit_distance_1(lower) & _RANK.keys()
    if not near:
        return word
    # Two letters swapped keep the word's letters: "wdith" is "width" before it is "with".
    swapped = [w for w in near if sorted(w) == sorted(lower)]
    best: str = min(swapped or near, key=_RANK.__getitem__)
    if word.isupper():
        return best.upper()
    return best.capitalize() if word[0].isupper() else best


_RANK = {word: rank for rank, word in reversed(list(enumerate(VOCABULARY)))}
_KEEP = frozenset(_TRADE.split())


@functools.cache
def _english() -> Any:
    """pyspellchecker's English dictionary (loaded once, about 0.1 s)."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)
