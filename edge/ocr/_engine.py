"""A Tesseract kept running: the child process behind :class:`edge.ocr.tesseract.Engine`.

Run as a script (``python -I -S _engine.py LANG``), not as part of the ``edge`` package, so it
loads nothing but the standard library and libtesseract (~15 MB instead of the agent's ~300).
It loads the language model once, then reads one JSON request per line on stdin and answers
one JSON line on stdout. Each request is what one ``tesseract IMAGE BASE -l LANG --psm P
--dpi D [-c tessedit_do_invert=0] [-c tessedit_create_tsv=1] [pdf]`` would do, through the
same library call the command line makes (``ProcessPages`` with the same renderers), so
``BASE.tsv`` and ``BASE.pdf`` come out as the command writes them; only the ~80 ms of starting
Tesseract and loading its model each page is saved. The process ends when stdin closes.

Request: {"image": path, "base": path, "psm": int, "dpi": int, "invert": bool, "pdf": bool,
"timeout_ms": int}. Answer: {"ok": true} or {"ok": false, "error": "..."}. The first line
written, before any request, is {"ready": true} or {"ready": false, "error": "..."}.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import sys

TESSERACT_LIBS = ("libtesseract.so.5", "libtesseract.so")
LEPTONICA_LIBS = ("libleptonica.so.6", "liblept.so.5", "libleptonica.so", "liblept.so")


def _load(names: tuple[str, ...], short: str) -> ctypes.CDLL:
    found = ctypes.util.find_library(short)
    for name in (*names, *([found] if found else [])):
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    raise OSError(f"none of {', '.join(names)} could be loaded")


def _bind(lib: ctypes.CDLL) -> ctypes.CDLL:
    p, s, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    for name, res, args in (
        ("TessBaseAPICreate", p, ()),
        ("TessBaseAPIInit3", i, (p, s, s)),
        ("TessBaseAPISetVariable", i, (p, s, s)),
        ("TessBaseAPISetPageSegMode", None, (p, i)),
        ("TessBaseAPIGetDatapath", s, (p,)),
        ("TessBaseAPIProcessPages", i, (p, s, s, i, p)),
        ("TessBaseAPIClear", None, (p,)),
        ("TessBaseAPIDelete", None, (p,)),
        ("TessTsvRendererCreate", p, (s,)),
        ("TessPDFRendererCreate", p, (s, s, i)),
        ("TessResultRendererInsert", None, (p, p)),
        ("TessDeleteResultRenderer", None, (p,)),
    ):
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, list(args)
    return lib


class Tesseract:
    """One initialised TessBaseAPI for one language."""

    def __init__(self, lang: str) -> None:
        _load(LEPTONICA_LIBS, "lept")  # libtesseract needs it; a clear error if it is missing
        self.lib = _bind(_load(TESSERACT_LIBS, "tesseract"))
        self.api = self.lib.TessBaseAPICreate()
        if self.lib.TessBaseAPIInit3(self.api, None, lang.encode()) != 0:
            raise RuntimeError(f"tesseract could not load language {lang!r}")
        self.datapath = self.lib.TessBaseAPIGetDatapath(self.api)

    def run(self, req: dict) -> None:
        lib, api = self.lib, self.api
        lib.TessBaseAPISetPageSegMode(api, int(req["psm"]))
        for name, value in (("user_defined_dpi", str(int(req["dpi"]))),
                            ("tessedit_do_invert", "1" if req["invert"] else "0")):
            if not lib.TessBaseAPISetVariable(api, name.encode(), value.encode()):
                raise RuntimeError(f"tesseract refused {name}={value}")
        base = str(req["base"]).encode()
        renderer = lib.TessTsvRendererCreate(base)  # the command line's order: TSV, then PDF
        if req["pdf"]:
            lib.TessResultRendererInsert(renderer, lib.TessPDFRendererCreate(base, self.datapath, 0))
        try:
            ok = lib.TessBaseAPIProcessPages(api, str(req["image"]).encode(), None,
                                             int(req["timeout_ms"]), renderer)
        finally:
            lib.TessDeleteResultRenderer(renderer)  # writes nothing more; frees the chain
            lib.TessBaseAPIClear(api)
        if not ok:
            raise RuntimeError("tesseract could not read the page or ran out of time")

    def close(self) -> None:
        self.lib.TessBaseAPIDelete(self.api)  # frees the model (else Tesseract warns of a leak)


def main() -> int:
    lang = sys.argv[1] if len(sys.argv) > 1 else "vie"
    # Answers go out on a copy of stdout; whatever the library prints goes to stderr instead.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)

    def answer(obj: dict) -> None:
        out.write(json.dumps(obj) + "\n")
        out.flush()

    try:
        engine = Tesseract(lang)
    except (OSError, AttributeError, RuntimeError) as e:
        answer({"ready": False, "error": str(e)})
        return 1
    answer({"ready": True})
    for line in sys.stdin:
        try:
            engine.run(json.loads(line))
        except (RuntimeError, ValueError, KeyError, TypeError) as e:
            answer({"ok": False, "error": str(e)})
        else:
            answer({"ok": True})
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
