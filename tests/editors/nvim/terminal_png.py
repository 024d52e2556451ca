"""Turns a terminal screen captured by tmux (`capture-pane -p -e -N`: text with SGR colour escapes)
into a PNG drawn with Pillow, so a test can keep a picture of what a terminal editor showed."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    (False, False): "DejaVuSansMono.ttf",
    (True, False): "DejaVuSansMono-Bold.ttf",
    (False, True): "DejaVuSansMono-Oblique.ttf",
    (True, True): "DejaVuSansMono-BoldOblique.ttf",
}
SGR = re.compile(r"\x1b\[([0-9;:]*)m")
OTHER_ESCAPE = re.compile(r"\x1b[\[\]][^a-zA-Z]*[a-zA-Z]|\x1b.")

Colour = tuple[int, int, int]

# xterm's 16 standard colours.
BASIC_COLOURS: list[Colour] = [
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
]


def colour_256(index: int) -> Colour:
    """RGB of xterm colour `index` (0-255)."""
    if index < 16:
        return BASIC_COLOURS[index]
    if index < 232:
        index -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[index // 36], steps[(index // 6) % 6], steps[index % 6]
    grey = 8 + 10 * (index - 232)
    return grey, grey, grey


@dataclass(frozen=True)
class CellStyle:
    foreground: Colour | None = None
    background: Colour | None = None
    bold: bool = False
    italic: bool = False
    underline: bool = False
    reverse: bool = False


def _extended_colour(params: list[int], at: int) -> tuple[Colour | None, int]:
    """Reads `5;N` or `2;R;G;B` after a 38/48; returns the colour and how many numbers it used."""
    if at < len(params) and params[at] == 5 and at + 1 < len(params):
        return colour_256(params[at + 1]), 2
    if at < len(params) and params[at] == 2 and at + 3 < len(params):
        return (params[at + 1], params[at + 2], params[at + 3]), 4
    return None, len(params) - at


def apply_sgr(style: CellStyle, text: str) -> CellStyle:
    """The style after the SGR sequence with parameters `text` (e.g. "1;38;5;208")."""
    params = [int(part) if part else 0 for part in re.split(r"[;:]", text)] if text else [0]
    index = 0
    while index < len(params):
        code = params[index]
        index += 1
        if code == 0:
            style = CellStyle()
        elif code == 1:
            style = replace(style, bold=True)
        elif code == 3:
            style = replace(style, italic=True)
        elif code == 4:
            style = replace(style, underline=True)
        elif code == 7:
            style = replace(style, reverse=True)
        elif code == 22:
            style = replace(style, bold=False)
        elif code == 23:
            style = replace(style, italic=False)
        elif code == 24:
            style = replace(style, underline=False)
        elif code == 27:
            style = replace(style, reverse=False)
        elif 30 <= code <= 37:
            style = replace(style, foreground=BASIC_COLOURS[code - 30])
        elif 90 <= code <= 97:
            style = replace(style, foreground=BASIC_COLOURS[code - 90 + 8])
        elif 40 <= code <= 47:
            style = replace(style, background=BASIC_COLOURS[code - 40])
        elif 100 <= code <= 107:
            style = replace(style, background=BASIC_COLOURS[code - 100 + 8])
        elif code == 39:
            style = replace(style, foreground=None)
        elif code == 49:
            style = replace(style, background=None)
        elif code in (38, 48):
            colour, used = _extended_colour(params, index)
            index += used
            style = replace(style, foreground=colour) if code == 38 else replace(style, background=colour)
    return style


def parse_screen(capture: str, columns: int, rows: int) -> list[list[tuple[str, CellStyle]]]:
    """Cells (character, style) of a captured screen, `rows` by `columns`. A wide character takes
    its cell and leaves the next one empty (""). The style carries over from line to line, as
    tmux writes it."""
    style = CellStyle()
    screen = []
    for line in capture.split("\n")[:rows]:
        cells: list[tuple[str, CellStyle]] = []
        position = 0
        for match in SGR.finditer(line):
            cells.extend(_cells(OTHER_ESCAPE.sub("", line[position:match.start()]), style))
            style = apply_sgr(style, match.group(1))
            position = match.end()
        cells.extend(_cells(OTHER_ESCAPE.sub("", line[position:]), style))
        cells = cells[:columns]
        cells.extend((" ", style) for _ in range(columns - len(cells)))
        screen.append(cells)
    while len(screen) < rows:
        screen.append([(" ", style)] * columns)
    return screen


def _cells(text: str, style: CellStyle) -> list[tuple[str, CellStyle]]:
    cells = []
    for character in text:
        if unicodedata.combining(character) and cells:
            previous, previous_style = cells[-1]
            cells[-1] = (previous + character, previous_style)
            continue
        cells.append((character, style))
        if unicodedata.east_asian_width(character) in ("W", "F"):
            cells.append(("", style))
    return cells


def screen_text(capture: str) -> str:
    """The captured screen without its colour escapes."""
    return OTHER_ESCAPE.sub("", SGR.sub("", capture))


def render_png(
    capture: str,
    path: Path,
    *,
    columns: int,
    rows: int,
    font_size: int = 16,
    foreground: Colour = (220, 220, 220),
    background: Colour = (24, 24, 24),
    padding: int = 12,
    cursor: tuple[int, int] | None = None,
) -> Path:
    """Draws the captured screen to `path` (PNG) and returns the path. `cursor` (column, row) is
    drawn as a bar, as in insert mode."""
    fonts = {key: ImageFont.truetype(str(FONT_DIR / name), font_size) for key, name in FONT_FILES.items()}
    regular = fonts[(False, False)]
    cell_width = round(regular.getlength("M"))
    ascent, descent = regular.getmetrics()
    cell_height = ascent + descent + 2
    screen = parse_screen(capture, columns, rows)
    # The frame takes the colour most cells have (the editor's own background).
    backgrounds = Counter(style.background or background for cells in screen for _, style in cells)
    frame = backgrounds.most_common(1)[0][0]
    image = Image.new("RGB", (columns * cell_width + 2 * padding, rows * cell_height + 2 * padding), frame)
    draw = ImageDraw.Draw(image)
    for row, cells in enumerate(screen):
        y = padding + row * cell_height
        for column, (character, style) in enumerate(cells):
            fg = style.foreground or foreground
            bg = style.background or background
            if style.reverse:
                fg, bg = bg, fg
            x = padding + column * cell_width
            draw.rectangle([x, y, x + cell_width - 1, y + cell_height - 1], fill=bg)
            if character.strip():
                draw.text((x, y + 1), character, font=fonts[(style.bold, style.italic)], fill=fg)
            if style.underline:
                draw.line([x, y + cell_height - 2, x + cell_width - 1, y + cell_height - 2], fill=fg)
    if cursor is not None:
        column, row = cursor
        x, y = padding + column * cell_width, padding + row * cell_height
        draw.rectangle([x, y, x + 1, y + cell_height - 1], fill=foreground)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path
