"""The font that writes Chinese in figures: Noto Sans SC, from a pip package.

matplotlib's default font, DejaVu Sans, has no Chinese glyphs: a Chinese title would be drawn
as boxes, with a warning "Glyph … missing from font(s) DejaVu Sans". The font therefore comes
with bpderive's ``notebooks`` and ``plot`` extras, as the pip package ``pylopdf-fonts-zh-cn``
(Noto Sans SC Regular, Simplified Chinese, SIL Open Font License 1.1): the README's install
command is all a learner needs, on Linux, macOS or Windows, with no system package to add. Only
the sans-serif file of that package is used.

:func:`use_chinese_font` registers the file with matplotlib and puts its family after the
families already in ``rcParams["font.family"]``: matplotlib then takes each glyph from the first
family that has it, so Latin letters, digits and mathtext keep DejaVu Sans (an English figure is
drawn exactly as before, pixel for pixel) and only the Chinese characters come from Noto Sans SC.
It is called by :func:`bpderive.set_language` for ``"zh"`` (so that a notebook's own figures
write Chinese too) and by every bpderive drawing made in Chinese; with ``BPDERIVE_LANG=zh`` alone,
only the latter, so a notebook calls ``set_language``. matplotlib is imported only then, never
when bpderive is imported.

The font file is CFF-flavoured OpenType (``.otf``). With the pinned matplotlib it draws in PNG
(what a notebook shows) and is embedded when a figure is saved as PDF, PostScript or SVG.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.text import Text

#: The font's family name, as matplotlib knows it once registered.
FAMILY = "Noto Sans SC"
#: The pip package that ships it, the module it installs, and the file.
PACKAGE = "pylopdf-fonts-zh-cn"
_MODULE = "pylopdf_fonts_zh_cn"
_FILE = "NotoSansSC-Regular.otf"

#: What to install, said in both languages: it is only ever shown to someone drawing in Chinese.
INSTALL = (
    f"Chinese text in figures needs the {FAMILY} font: pip install {PACKAGE} (bpderive's "
    "notebooks and plot extras include it); without it every Chinese character is drawn as a box."
    f"\n图中的中文需要 {FAMILY} 字体：pip install {PACKAGE}（bpderive 的 notebooks 和 plot "
    "可选依赖都包含它）；没有它，每个汉字都会画成一个方框。"
)


def font_file() -> Path:
    """The installed ``NotoSansSC-Regular.otf``, or a ``ModuleNotFoundError`` saying what to
    install (the package is found without being imported)."""
    spec = importlib.util.find_spec(_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(INSTALL, name=_MODULE)
    for folder in spec.submodule_search_locations:
        path = Path(folder) / _FILE
        if path.is_file():
            return path
    raise ModuleNotFoundError(f"{PACKAGE} is installed without {_FILE}. {INSTALL}", name=_MODULE)


def _matplotlib() -> Any:
    import matplotlib
    from matplotlib import font_manager

    return matplotlib, font_manager


def use_chinese_font() -> str:
    """Make matplotlib draw Chinese characters with :data:`FAMILY`; returns the family name.

    Registers the font file once per process and appends the family to
    ``rcParams["font.family"]`` when it is not there (again after ``rcParams`` were reset).
    Calling it twice changes nothing. Raises ``ModuleNotFoundError`` with the install command
    when the font package is missing."""
    matplotlib, font_manager = _matplotlib()
    if not any(entry.name == FAMILY for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(font_file()))
    families = list(matplotlib.rcParams["font.family"])
    if FAMILY not in families:
        matplotlib.rcParams["font.family"] = [*families, FAMILY]
    return FAMILY


def prepare_chinese_figures() -> None:
    """What :func:`bpderive.set_language` does for Chinese: the font registered wherever
    matplotlib is installed, so that a figure made afterwards (a notebook's own as well as
    bpderive's) writes Chinese. Without matplotlib there is nothing to draw and nothing to do;
    without the font package a warning names what to install (printed output in Chinese does
    not need the font, so the language is set all the same)."""
    if importlib.util.find_spec("matplotlib") is None:
        return
    try:
        use_chinese_font()
    except ModuleNotFoundError as missing:
        warnings.warn(str(missing), UserWarning, stacklevel=3)


def write_chinese_in(texts: list[Text]) -> None:
    """Let texts made before the font was registered (an Axes' title and axis labels are made
    with the Axes, in the fonts of that moment) fall back to :data:`FAMILY` as well."""
    for text in texts:
        families = list(text.get_fontfamily())
        if FAMILY not in families:
            text.set_fontfamily([*families, FAMILY])
