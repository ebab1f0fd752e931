"""Every text colour the app draws reads against its background (WCAG 2.x: at least 4.5:1), and the
alert colours follow the IEC 60601-1-8 pattern (high red, medium yellow, low cyan or yellow)."""
import colorsys

import pytest

from ui.common import style


def test_the_wcag_arithmetic_matches_the_published_figures():
    assert style.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert style.contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert style.contrast("#ffffff", "#ff0000") == pytest.approx(4.0, abs=0.01)  # white on pure red fails
    assert style.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes


@pytest.mark.parametrize("name", sorted(style.TEXT_PAIRS))
def test_each_text_and_background_pair_has_a_contrast_of_at_least_4_5(name):
    fg, bg = style.TEXT_PAIRS[name]
    ratio = style.contrast(fg, bg)
    assert ratio >= 4.5, f"{name}: {fg} on {bg} is {ratio:.2f}:1, under 4.5:1"


def test_the_stylesheet_draws_text_only_in_the_listed_pairs():
    sheet = style.app_stylesheet()
    for name, (fg, bg) in style.TEXT_PAIRS.items():
        if name.startswith("#") and f"{name} {{" in sheet:
            rule = sheet.split(f"{name} {{", 1)[1].split("}", 1)[0]
            if "background" in rule and "color" in rule:
                assert f"color: {fg}; background: {bg};" in rule, name


def _hue(colour: str) -> float:
    h = colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


def test_alert_colours_follow_the_iec_pattern_and_training_has_its_own():
    hues = {p: _hue(bg) for p, (bg, _fg) in style.ALERT_COLOURS.items()}
    assert hues["high"] < 10 or hues["high"] > 350  # red
    assert 45 <= hues["medium"] <= 65  # yellow
    assert 170 <= hues["low"] <= 200 or 45 <= hues["low"] <= 65  # cyan (or yellow)
    training = _hue(style.TRAINING_ALERT[0])
    assert all(abs(training - h) > 60 for h in hues.values())  # never taken for a real alert's colour


def test_text_on_picks_the_colour_that_reads_better():
    for colour in list(style.GRADE_COLOURS.values()) + list(style.STATE_COLOURS.values()):
        best = max(style.contrast(style.INK, colour), style.contrast(style.PAPER, colour))
        assert style.contrast(style.text_on(colour), colour) == best
    assert style.text_on("#FFD700") == style.INK and style.text_on("#C00000") == style.PAPER
