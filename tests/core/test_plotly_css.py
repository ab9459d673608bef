"""plotly.js injects inline <style> elements, which the Content-Security-Policy refuses. Their rules are
served as files instead (static/vendor/plotly/plotly.css and plotly-maplibre.css), linked by
templates/includes/plotly.html under the ids that tell plotly.js the styles are present. This checks
that the files and ids match the vendored plotly.min.js, so an upgrade of plotly.js cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor" / "plotly"
_STRING = r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\''
_PAIR = re.compile(rf"(?:{_STRING}|([A-Za-z_$][\w$]*))\s*:\s*(?:{_STRING})")
_MAP_STYLE = re.compile(
    r'document\.getElementById\("(?P<id>[0-9a-f]{64})"\)\)\{var (?P<v>\w)=document\.createElement\("style"\);'
    r"(?P=v)\.id=\"(?P=id)\",(?P=v)\.textContent='"
)


def _bundle() -> str:
    return (VENDOR / "plotly.min.js").read_text(encoding="utf-8")


def plotly_rules(bundle: str) -> list[str]:
    """The CSS rules plotly.js adds at load time (its `X`/`Y` selector shorthands expanded, as it does),
    in the order they end up in: it inserts each one at the top of its sheet, so the last comes first."""
    anchor = bundle.index('"X a":"text-decoration:none;"')
    start = bundle.rindex("{", 0, anchor)
    end = bundle.index("}", anchor)  # the rules object holds only strings: its first "}" closes it
    rules = []
    for match in _PAIR.finditer(bundle[start + 1 : end]):
        selector = next(g for g in match.groups()[:3] if g is not None)
        declarations = next(g for g in match.groups()[3:] if g is not None)
        selector = re.sub(r"^,", " ,", selector).replace("X", ".js-plotly-plot .plotly")
        rules.append(f"{selector.replace('Y', '.plotly-notifier')}{{{declarations}}}")
    return rules[::-1]


def map_style(bundle: str) -> tuple[str, str]:
    """(element id, CSS) of the map library's stylesheet the bundle injects unless that id exists."""
    (match,) = _MAP_STYLE.finditer(bundle)
    end = bundle.index("',document.head.appendChild(", match.end())
    return match["id"], bundle[match.end() : end]


def test_the_bundle_injects_no_other_style_element():
    assert _bundle().count('createElement("style")') == 2  # addStyleRule's and the map library's


def test_the_stylesheet_holds_exactly_the_rules_of_the_vendored_plotly():
    rules = plotly_rules(_bundle())
    assert len(rules) > 50
    css = (VENDOR / "plotly.css").read_text(encoding="utf-8")
    assert [line for line in css.splitlines() if line and not line.startswith("/*")] == rules


def test_the_map_stylesheet_and_its_id_match_the_vendored_plotly():
    element_id, css = map_style(_bundle())
    assert (VENDOR / "plotly-maplibre.css").read_text(encoding="utf-8") == css
    include = (ROOT / "templates" / "includes" / "plotly.html").read_text(encoding="utf-8")
    assert f'id="{element_id}"' in include
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in include
