"""The files the page fetches itself (its scripts, the models' browser forms), served by the app.

Each set of files is served under ``lenet/<hash of their contents>/<name>``, with a cache header that lets the
browser keep them for a year without asking again: a second visit downloads none of them, and a changed file is a
new address. Files of one set lie side by side, so scripts import each other and a form finds its weights by
their plain names.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

PREFIX = "lenet"
HASH_CHARS = 16  # of the sha256's hex digits: plenty to tell a few hundred sets apart
CACHE_FOREVER = "public, max-age=31536000, immutable"
MEDIA_TYPES = {".js": "text/javascript", ".json": "application/json", ".wasm": "application/wasm", ".png": "image/png"}  # else bytes


class Assets:
    def __init__(self) -> None:
        self.sets: dict[str, dict[str, bytes]] = {}  # hash -> name -> content

    def add(self, files: dict[str, bytes]) -> str:
        """Serve ``files``; returns their folder's address, relative to the page (``lenet/<hash>/``)."""
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
        key = digest.hexdigest()[:HASH_CHARS]
        self.sets[key] = dict(files)
        return f"{PREFIX}/{key}/"

    def add_folder(self, folder: Path, names: list[str]) -> str:
        return self.add({name: (folder / name).read_bytes() for name in names})

    def discard(self, address: str) -> None:
        """Stop serving the set at ``address`` (a model whose session ended)."""
        self.sets.pop(address.strip("/").split("/")[-1], None)

    async def serve(self, request: Request) -> Response:
        files = self.sets.get(request.path_params["key"], {})
        name = request.path_params["name"]
        if name not in files:
            return PlainTextResponse("no such file", status_code=404)
        return Response(files[name], media_type=MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream"),
                        headers={"Cache-Control": CACHE_FOREVER})

    @property
    def route(self) -> Route:
        """The app's route for these files: pass it in ``launch(app_kwargs={"routes": [...]})``."""
        return Route(f"/{PREFIX}/{{key}}/{{name}}", self.serve)


ASSETS = Assets()  # one per process: every app the process serves shares it
