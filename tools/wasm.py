"""``python -m tools.wasm``: build the page runtime's convolution, demo/static/conv.c -> conv.wasm.

Needs Debian's clang and lld (``apt-get install -y clang lld``). The build is deterministic: the same compiler
makes the same bytes, which tests/test_page.py checks against the committed file.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "demo" / "static"
SOURCE, TARGET = STATIC / "conv.c", STATIC / "conv.wasm"
CLANG = ["clang", "--target=wasm32", "-O3", "-msimd128", "-nostdlib", "-Wl,--no-entry", "-Wl,--export=conv",
         "-Wl,--strip-all", "-Wl,--import-memory",  # the page gives it its memory, of which it needs the first page:
         "-Wl,-z,stack-size=4096", "-Wl,--initial-memory=65536"]  # its stack; runtime.js uses the rest


def build(target: Path = TARGET) -> bytes:
    """Compile conv.c to ``target``; returns its bytes."""
    subprocess.run([*CLANG, "-o", str(target), str(SOURCE)], check=True)
    return target.read_bytes()


def rebuilt() -> bytes:
    """What conv.c compiles to today, without touching the committed file."""
    with tempfile.TemporaryDirectory() as folder:
        return build(Path(folder) / TARGET.name)


def main() -> None:
    try:
        data = build()
    except (FileNotFoundError, subprocess.CalledProcessError) as error:
        sys.exit(f"error: could not build {TARGET.name} ({error}); apt-get install -y clang lld")
    print(f"wrote {TARGET} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
