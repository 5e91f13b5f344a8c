"""Synthetic Vietnamese petitions (đơn thư) rendered as scanned pages, with ground truth and duplicate labels.

Building blocks: ``make_petition`` (content), ``render_pages``/``render_document`` (scan images),
``generate_corpus`` (a labelled corpus on disk with ``manifest.json``). Deterministic for a seed.
"""
from __future__ import annotations

from samplegen.corpus import DocumentEntry, Manifest, PageEntry, generate_corpus
from samplegen.layout import FONTS, PageLayout, layout_pages
from samplegen.people import Address, Citizen
from samplegen.petition import Petition, make_petition
from samplegen.render import RenderedPage, render_document, render_pages
from samplegen.scan import ScanParams, draw_params, simulate_scan
from samplegen.variants import ALL, DUPLICATE_VARIANTS, NEGATIVE_VARIANTS

__all__ = [
    "ALL", "DUPLICATE_VARIANTS", "FONTS", "NEGATIVE_VARIANTS", "Address", "Citizen", "DocumentEntry",
    "Manifest", "PageEntry", "PageLayout", "Petition", "RenderedPage", "ScanParams", "draw_params",
    "generate_corpus", "layout_pages", "make_petition", "render_document", "render_pages", "simulate_scan",
]
