"""The explorer's page: its HTML, styles and script, put together inline by ``page(data, svg)``.

The script defines ``window.tbExplorer`` (the contract is in explore.py's docstring). Nothing here
loads anything from a network: system fonts only, no external script, style, image or font.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

_HERE = Path(__file__).parent
CSS_FILE = _HERE / "explore_page.css"  # package data (pyproject.toml), read when a page is made
SCRIPT_FILE = _HERE / "explore_page.js"


BODY = """<header>
<h1>Backward, step by step</h1>
<button id="tb-prev" title="previous step (←)">◀ Back</button>
<button id="tb-next" title="next step (→)">Next ▶</button>
<input id="tb-slider" type="range" min="0" max="0" value="0" aria-label="step">
<span id="tb-counter"></span>
<label><input id="tb-exercise-toggle" type="checkbox"> exercise mode</label>
</header>
<main>
<div id="tb-graph">__SVG__</div>
<div id="tb-side">
<div id="tb-note"></div>
<div id="tb-step-panel" aria-live="polite"></div>
<div id="tb-exercise"><div class="tb-caption">Exercise mode hides the parameters' gradients: work them out from
the steps, type them in, check (relative tolerance __RTOL__) or reveal the derivation. Keys: ← →; click a node to jump
to its step.</div><div id="tb-targets"></div></div>
</div>
</main>"""


def page(data: dict, svg: str) -> str:
    """The whole HTML document: the SVG, the styles and the script inline."""
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)  # namespaces are implied inline in HTML (and are not links)
    body = BODY.replace("__RTOL__", f"{data['rtol']:g}").replace("__SVG__", svg)
    script = SCRIPT_FILE.read_text(encoding="utf-8").replace("__DATA__", page_json(data))
    css = CSS_FILE.read_text(encoding="utf-8")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "script-src 'unsafe-inline'; img-src data:\">\n"
            f"<title>{html.escape('tinygrad_bp: backward, step by step')}</title>\n<style>{css}</style>\n</head>\n"
            f"<body>\n{body}\n<script>{script}</script>\n</body>\n</html>\n")


def page_json(data: dict) -> str:
    """The data as a JavaScript literal that is safe inside ``<script>`` (NaN and Infinity allowed)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
