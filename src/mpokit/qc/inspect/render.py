"""Outputs of an inspection: text tables, overlay images per fiber, an HTML report.

The overlay shows the zones (circles at the table's diameters round the fitted centre) and
every flaw outlined and numbered as in the tables; flaws that break a rule are red, others
orange.

Example:
    >>> from mpokit.qc.inspect.simulate import simulate_inspection
    >>> from mpokit.qc.inspect.analyze import inspect_image
    >>> img, _ = simulate_inspection(layout="single", seed=2, defects=[(30.0, 0.0, 6.0)])
    >>> print(text_report(inspect_image(img, "sm-pc", file="face.png")).splitlines()[0])
    FAIL face.png  sm-pc round  1 fiber(s)  0.3 um/px (simulated)
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from mpokit._files import atomic_write, atomic_write_text
from mpokit.qc.inspect.analyze import FiberInspection, InspectResult
from mpokit.qc.inspect.detect import outline
from mpokit.qc.inspect.image import EndFaceImage

__all__ = ["fiber_table", "overlay", "text_report", "write_report"]

ZONE_COLOURS = ["#00c853", "#00b0ff", "#ffd600", "#d500f9", "#ffffff"]


def fiber_table(f: FiberInspection) -> str:
    """The zone table of one fiber, as fixed-width text."""
    lines = [f"  fiber {f.index}: {f.verdict.upper()}  action: {f.action}"]
    lines.append("    zone           graded  scratches (max um)  defects (max um)  result")
    for z in f.zones:
        res = "ok" if z.ok else "FAIL"
        if z.graded and not z.in_view:
            res += " (not fully in view)"
        if not z.graded:
            res = "-"
        head = z.zone if z.zone == "ferrule" else f"{z.zone} {z.label}"
        lines.append(f"    {head:<14} {'yes' if z.graded else 'no':<7} "
                     f"{z.scratches:>4} ({z.max_scratch_um:5.1f})        "
                     f"{z.defects:>4} ({z.max_defect_um:5.1f})    {res}")
    for v in f.violations:
        lines.append(f"    ! {v.text()}")
    for r in f.reasons:
        lines.append(f"    ? {r}")
    for a in f.advice:
        lines.append(f"    i {a}")
    return "\n".join(lines)


def text_report(result: InspectResult, *, detail: bool = True) -> str:
    """A verdict line per image, then (``detail``) a zone table per fiber."""
    head = (f"{result.verdict.upper()} {result.file}  {result.connector_class} "
            f"{result.ferrule}  {len(result.fibers)} fiber(s)  {result.pixel_um:g} um/px "
            f"({result.pixel_source})")
    lines = [head]
    lines += [f"  ? {r}" for r in result.reasons]
    lines += [f"  note: {n}" for n in result.notes]
    for f in result.fibers:
        if f.verdict == "pass" and not f.features and not f.advice:
            lines.append(f"  fiber {f.index}: PASS (no flaw found)")
        elif detail or f.verdict != "pass":
            lines.append(fiber_table(f))
    return "\n".join(lines)


def _to_rgb8(pixels: np.ndarray) -> np.ndarray:
    lo, hi = np.percentile(pixels[::4, ::4], [0.5, 99.5])
    scaled = np.clip((pixels - lo) / max(hi - lo, 1e-6), 0, 1)
    grey = (scaled * 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def overlay(img: EndFaceImage, result: InspectResult, fiber: FiberInspection,
            margin_um: float = 10.0) -> object:
    """The annotated overlay of one fiber (a ``PIL.Image``)."""
    from PIL import Image, ImageDraw, ImageFont

    from mpokit.qc.inspect.rules import get_rules

    table = get_rules().classes.get(result.connector_class.lower())
    px = img.pixel_um
    zones = table.zones if table else ()
    r_out = (zones[-1].outer_um / 2 if zones else 125.0) + margin_um
    if result.ferrule == "mt":
        r_out = min(r_out, 125.0 + margin_um)
    h, w = img.shape
    x0, x1 = max(int(fiber.x_px - r_out / px), 0), min(int(fiber.x_px + r_out / px) + 1, w)
    y0, y1 = max(int(fiber.y_px - r_out / px), 0), min(int(fiber.y_px + r_out / px) + 1, h)
    scale = max(1, round(600 / max(x1 - x0, y1 - y0)))
    im = Image.fromarray(_to_rgb8(img.pixels[y0:y1, x0:x1]))
    if scale > 1:
        im = im.resize((im.width * scale, im.height * scale), Image.Resampling.NEAREST)
    draw = ImageDraw.Draw(im)
    try:
        font: Any = ImageFont.load_default(size=14)
    except (TypeError, OSError):  # pragma: no cover - Pillow without FreeType
        font = ImageFont.load_default()
    cx, cy = (fiber.x_px - x0 + 0.5) * scale, (fiber.y_px - y0 + 0.5) * scale
    for i, z in enumerate(zones):
        if result.ferrule == "mt" and "mt" not in z.graded_on and z.inner_um > 130:
            continue
        rad = z.outer_um / 2 / px * scale
        colour = ZONE_COLOURS[i % len(ZONE_COLOURS)]
        draw.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], outline=colour, width=1)
        draw.text((cx + rad * 0.71 + 2, cy - rad * 0.71 - 16), z.name, fill=colour, font=font)
    bad = {i for v in fiber.violations for i in v.feature_ids}
    for f in fiber.features:
        pts = outline(f.feature)
        colour = "#ff1744" if f.id in bad else "#ff9100"
        xy = [((x - x0 + 0.5) * scale, (y - y0 + 0.5) * scale) for x, y in pts]
        if len(xy) >= 2:
            draw.line([*xy, xy[0]], fill=colour, width=1)
        tx = (f.feature.x_px - x0) * scale + 6
        ty = (f.feature.y_px - y0) * scale - 14
        draw.text((tx, ty), str(f.id), fill=colour, font=font)
    draw.text((4, 4), f"fiber {fiber.index}: {fiber.verdict.upper()}", font=font,
              fill="#ff1744" if fiber.verdict == "fail" else (
                  "#00c853" if fiber.verdict == "pass" else "#ffd600"))
    return im


def _html(result: InspectResult, images: list[str]) -> str:
    e = html.escape
    parts = [f"<!doctype html><meta charset='utf-8'><title>{e(result.file)}</title>",
             "<style>body{font-family:sans-serif}td,th{padding:2px 8px;border:1px solid #ccc}"
             "table{border-collapse:collapse}.fail{color:#c00}.pass{color:#080}"
             ".unmeasurable{color:#a60}</style>",
             f"<h1>End-face inspection: {e(result.file)}</h1>",
             f"<p class='{result.verdict}'><b>{result.verdict.upper()}</b> &mdash; class "
             f"{e(result.connector_class)}, ferrule {result.ferrule} ({result.ferrule_source}),"
             f" {result.pixel_um:g} um/px ({e(result.pixel_source)}). Acceptance table: "
             f"{e(result.rules_source)} ({e(result.rules_status)}).</p>"]
    parts += [f"<p>{e(r)}</p>" for r in (*result.reasons, *result.notes)]
    for f, src in zip(result.fibers, images, strict=True):
        parts.append(f"<h2 class='{f.verdict}'>Fiber {f.index}: {f.verdict.upper()} &mdash; "
                     f"{e(f.action)}</h2><img src='{e(src)}' alt='fiber {f.index}'>")
        parts.append("<table><tr><th>zone</th><th>graded</th><th>scratches</th>"
                     "<th>max width um</th><th>defects</th><th>max size um</th><th>result</th>")
        for z in f.zones:
            res = ("ok" if z.ok else "FAIL") if z.graded else "-"
            where = ("ferrule (to half a pitch)" if z.zone == "ferrule" else
                     f"{z.zone} {e(z.label)} ({z.inner_um:g}-{z.outer_um:g} um)")
            parts.append(f"<tr><td>{where}</td><td>{'yes' if z.graded else 'no'}</td>"
                         f"<td>{z.scratches}</td>"
                         f"<td>{z.max_scratch_um:.1f}</td><td>{z.defects}</td>"
                         f"<td>{z.max_defect_um:.1f}</td><td>{res}</td></tr>")
        parts.append("</table>")
        parts += [f"<p class='fail'>{e(v.text())}</p>" for v in f.violations]
        parts += [f"<p class='unmeasurable'>{e(r)}</p>" for r in f.reasons]
        parts += [f"<p>{e(a)}</p>" for a in f.advice]
        if f.features:
            parts.append("<table><tr><th>#</th><th>kind</th><th>zone</th><th>size um</th>"
                         "<th>length um</th><th>polarity</th></tr>")
            for ft in f.features:
                d = ft.feature
                parts.append(f"<tr><td>{ft.id}</td><td>{d.kind}</td><td>{e(','.join(ft.zones))}"
                             f"</td><td>{d.size_um:.1f}</td><td>{d.length_um:.1f}</td>"
                             f"<td>{d.polarity}</td></tr>")
            parts.append("</table>")
    return "\n".join(parts) + "\n"


def write_report(result: InspectResult, img: EndFaceImage,
                 directory: str | os.PathLike[str]) -> Path:
    """Write ``<stem>.html``, ``<stem>.json`` and one ``<stem>_fiberNN.png`` per fiber into
    ``directory`` (each file atomically); return the HTML path."""
    out = Path(directory)
    stem = Path(result.file).stem or "image"
    names = []
    for f in result.fibers:
        name = f"{stem}_fiber{f.index:02d}.png"
        pic = overlay(img, result, f)

        def _save(tmp: Path, pic: Any = pic) -> None:
            pic.save(tmp, format="PNG")

        atomic_write(out / name, _save)
        names.append(name)
    atomic_write_text(out / f"{stem}.json", json.dumps(result.to_dict(), indent=2) + "\n")
    page = out / f"{stem}.html"
    atomic_write_text(page, _html(result, names))
    return page
