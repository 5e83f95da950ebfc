"""Builds the bundled chart/PDF font: Noto Sans CJK JP (SIL OFL 1.1) cut down to what
Japanese reports use, so that the binary and the repository stay small.

Kept: ASCII and Latin-1, general punctuation and common symbols, CJK symbols, kana
(full- and half-width), era ligatures (㍻ ㋿ ...), and every character of Windows-31J
(CP932: JIS X 0208 plus the NEC and IBM extensions, which hold 髙 﨑 and the like).

Run from the repository root (needs fonttools: `pip install fonttools`):
    python3 data/fonts/subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""
import sys
from fontTools import subset

ranges = [
    (0x20, 0x7E), (0xA0, 0xFF),          # ASCII, Latin-1 (¥ ° ± × ÷)
    (0x2010, 0x205E),                    # dashes, quotes, ‥ … ※ ‰
    (0x2100, 0x218F), (0x2190, 0x21FF),  # ℃ № Ⅰ…, arrows
    (0x2200, 0x22FF), (0x2460, 0x24FF),  # math (− ≒ ≦), circled numbers
    (0x2500, 0x257F), (0x25A0, 0x25FF),  # box drawing, ■ □ ▲ △ ○ ◎
    (0x2600, 0x26FF),                    # ★ ☆
    (0x3000, 0x30FF),                    # CJK symbols, hiragana, katakana
    (0x31F0, 0x31FF), (0x3200, 0x33FF),  # small kana, ㈱ ㊤ ㋿ ㍻ ㎡
    (0xFF00, 0xFFEF),                    # full- and half-width forms
]
chars = {c for lo, hi in ranges for c in range(lo, hi + 1)}
for lead in range(0x81, 0xFD):
    for trail in range(0x40, 0xFD):
        try:
            chars.update(ord(c) for c in bytes([lead, trail]).decode("cp932"))
        except UnicodeDecodeError:
            pass

source = sys.argv[1]
weight = "Bold" if "Bold" in source else "Regular"
out = f"data/fonts/NotoSansCJKjp-{weight}-subset.otf"
options = subset.Options()
options.font_number = 0          # index 0 of the Debian .ttc is Noto Sans CJK JP
options.layout_features = ["kern", "palt", "halt", "vert", "locl"]
options.name_IDs = ["*"]
options.name_languages = ["*"]
options.notdef_outline = True
options.hinting = False
font = subset.load_font(source, options)
subsetter = subset.Subsetter(options)
subsetter.populate(unicodes=chars)
subsetter.subset(font)
subset.save_font(font, out, options)
print(out, len(chars), "characters")
