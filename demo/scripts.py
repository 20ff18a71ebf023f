"""The page's own JavaScript and its convolution kernel (demo/static), served by the app with the two tables it
reads: the app's words (demo/strings.py) and the feature maps' colour map. Components load it with ``loader``."""
from __future__ import annotations

import functools
import json
from pathlib import Path

from demo.assets import ASSETS
from demo.render import COLORMAP, gradient
from demo.strings import TRANSLATIONS

STATIC = Path(__file__).with_name("static")


@functools.cache
def scripts_address() -> str:
    """The scripts' folder, relative to the page."""
    files = {path.name: path.read_bytes() for path in sorted([*STATIC.glob("*.js"), *STATIC.glob("*.wasm")])}
    files["strings.js"] = f"export default {json.dumps(TRANSLATIONS, ensure_ascii=False)};\n".encode()
    files["palette.js"] = (f"export const VIRIDIS = {json.dumps(COLORMAP.tolist())};\n"
                           f"export const VIRIDIS_GRADIENT = {json.dumps(gradient(COLORMAP))};\n").encode()
    return ASSETS.add(files)


def loader(script: str, call: str) -> str:
    """A component's ``js_on_load``: import one of the scripts (the component's ``scripts`` prop says where they
    are) and call ``call`` on it, e.g. ``mount(element, props, trigger, watch)``."""
    return f'import(new URL(props.scripts + "{script}", document.baseURI)).then((script) => script.{call});'
