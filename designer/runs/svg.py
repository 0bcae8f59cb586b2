"""Small SVG pictures for reports, written as text (no plotting library):
line charts with axes, a scatter with its diagonal, and a design drawn from
its records (boxes and wires where the canvas has them)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import numpy as np

AXIS, GRID, TEXT = "#57606a", "#e6e8eb", "#1f2328"
NODE_W, NODE_H = 180.0, 56.0
CATEGORY_COLOURS = {"Input/Output": "#56636e", "Core": "#3674b5", "Activation": "#d0841a", "Convolution and pooling": "#2a9467",
                    "Normalisation": "#8756b0", "Recurrent": "#c04a46", "Attention": "#b93a86", "Merge": "#687a2a"}  # fmt: skip


class Series:
    """One line of a chart: x and y values, a colour, dashed or not, dots or not."""

    def __init__(self, x: Sequence[float], y: Sequence[float], colour: str, label: str, dashed: bool = False, dots: bool = False) -> None:
        pairs = [(float(a), float(b)) for a, b in zip(x, y) if math.isfinite(float(a)) and math.isfinite(float(b))]
        self.x = [p[0] for p in pairs]
        self.y = [p[1] for p in pairs]
        self.colour, self.label, self.dashed, self.dots = colour, label, dashed, dots


def line_chart(series: Sequence[Series], title: str, x_label: str, y_label: str, width: int = 560, height: int = 240) -> str:
    """Lines on shared axes, with ticks and a legend."""
    shown = [s for s in series if s.x]
    if not shown:
        return f"<p class='muted'>{escape(title)}: nothing to draw</p>"
    left, right, top, bottom = 56, 12, 26, 34
    xs = [v for s in shown for v in s.x]
    ys = [v for s in shown for v in s.y]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(min(ys), 0.0) if min(ys) >= 0 else min(ys), max(ys)
    x1 = x1 if x1 > x0 else x0 + 1
    y1 = y1 if y1 > y0 else y0 + 1
    y1 += 0.05 * (y1 - y0)

    def px(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * (width - left - right)

    def py(v: float) -> float:
        return height - bottom - (v - y0) / (y1 - y0) * (height - top - bottom)

    parts = [_svg_open(width, height), f"<text x='{left}' y='16' class='title'>{escape(title)}</text>"]
    for tick in _ticks(y0, y1):
        y = py(tick)
        parts.append(f"<line x1='{left}' x2='{width - right}' y1='{y:.1f}' y2='{y:.1f}' stroke='{GRID}'/>")
        parts.append(f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end' class='tick'>{_fmt(tick)}</text>")
    for tick in _ticks(x0, x1):
        x = px(tick)
        parts.append(f"<text x='{x:.1f}' y='{height - bottom + 14}' text-anchor='middle' class='tick'>{_fmt(tick)}</text>")
    parts.append(f"<line x1='{left}' x2='{left}' y1='{top}' y2='{height - bottom}' stroke='{AXIS}'/>")
    parts.append(f"<line x1='{left}' x2='{width - right}' y1='{height - bottom}' y2='{height - bottom}' stroke='{AXIS}'/>")
    parts.append(f"<text x='{(left + width - right) / 2}' y='{height - 4}' text-anchor='middle' class='tick'>{escape(x_label)}</text>")
    parts.append(f"<text x='12' y='{(top + height - bottom) / 2}' transform='rotate(-90 12 {(top + height - bottom) / 2})' "
                 f"text-anchor='middle' class='tick'>{escape(y_label)}</text>")  # fmt: skip
    for s in shown:
        points = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in _thin(s.x, s.y))
        dash = " stroke-dasharray='5 4'" if s.dashed else ""
        parts.append(f"<polyline points='{points}' fill='none' stroke='{s.colour}' stroke-width='1.8'{dash}/>")
        if s.dots:
            parts += [f"<circle cx='{px(a):.1f}' cy='{py(b):.1f}' r='2.6' fill='{s.colour}'/>" for a, b in zip(s.x, s.y)]
    for i, s in enumerate(shown):
        x = width - right - 150
        y = top + 4 + 14 * i
        dash = " stroke-dasharray='5 4'" if s.dashed else ""
        parts.append(f"<line x1='{x}' x2='{x + 18}' y1='{y}' y2='{y}' stroke='{s.colour}' stroke-width='2'{dash}/>")
        parts.append(f"<text x='{x + 24}' y='{y + 4}' class='tick'>{escape(s.label)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def scatter(true: np.ndarray, predicted: np.ndarray, title: str, size: int = 320) -> str:
    """Predicted against true values, with the line where they agree."""
    keep = np.random.default_rng(0).permutation(len(true))[:2000]
    t, p = np.asarray(true, float)[keep], np.asarray(predicted, float)[keep]
    lo, hi = float(min(t.min(), p.min())), float(max(t.max(), p.max()))
    hi = hi if hi > lo else lo + 1
    pad = 40

    def at(v: float) -> float:
        return pad + (v - lo) / (hi - lo) * (size - 2 * pad)

    parts = [_svg_open(size, size), f"<text x='{pad}' y='16' class='title'>{escape(title)}</text>"]
    parts.append(f"<line x1='{at(lo):.1f}' y1='{size - at(lo):.1f}' x2='{at(hi):.1f}' y2='{size - at(hi):.1f}' stroke='{AXIS}' stroke-dasharray='4 4'/>")
    parts += [f"<circle cx='{at(a):.1f}' cy='{size - at(b):.1f}' r='2' fill='#2f80ed' fill-opacity='0.55'/>" for a, b in zip(t, p)]
    parts.append(f"<text x='{size / 2}' y='{size - 8}' text-anchor='middle' class='tick'>true ({_fmt(lo)} … {_fmt(hi)})</text>")
    parts.append(f"<text x='12' y='{size / 2}' transform='rotate(-90 12 {size / 2})' text-anchor='middle' class='tick'>predicted</text>")
    parts.append("</svg>")
    return "".join(parts)


def design(records: Mapping[str, Any], categories: Mapping[str, str], statuses: Mapping[str, str] | None = None) -> str:
    """The design as boxes (coloured by layer category) and wires, laid out as on the canvas."""
    nodes = list(records.get("nodes", []))
    if not nodes:
        return "<p class='muted'>an empty design</p>"
    xs = [float(n["position"][0]) for n in nodes]
    ys = [float(n["position"][1]) for n in nodes]
    x0, y0 = min(xs) - 20, min(ys) - 20
    width, height = max(xs) - x0 + NODE_W + 20, max(ys) - y0 + NODE_H + 20
    where = {n["id"]: (float(n["position"][0]) - x0, float(n["position"][1]) - y0) for n in nodes}
    scale = min(1.0, 1100 / width)
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width * scale:.0f}' height='{height * scale:.0f}' viewBox='0 0 {width:.0f} {height:.0f}' class='design'>"]
    for edge in records.get("edges", []):
        if edge["source"] in where and edge["target"] in where:
            (sx, sy), (tx, ty) = where[edge["source"]], where[edge["target"]]
            a, b = (sx + NODE_W, sy + NODE_H / 2), (tx, ty + NODE_H / 2)
            reach = max(40.0, abs(b[0] - a[0]) / 2)
            parts.append(f"<path d='M{a[0]:.1f},{a[1]:.1f} C{a[0] + reach:.1f},{a[1]:.1f} {b[0] - reach:.1f},{b[1]:.1f} {b[0]:.1f},{b[1]:.1f}' "
                         f"fill='none' stroke='#7b8591' stroke-width='1.6'/>")  # fmt: skip
    for node in nodes:
        x, y = where[node["id"]]
        colour = CATEGORY_COLOURS.get(categories.get(node["type"], ""), "#56636e")
        status = (statuses or {}).get(node["id"])
        border = {"added": "#2a9467", "changed": "#e8710a", "rewired": "#2f80ed", "renamed": "#8756b0"}.get(status or "", "#b8bec6")
        params = ", ".join(f"{k} {_param(v)}" for k, v in node.get("params", {}).items() if v not in (None, "", [], {}))
        parts.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='{NODE_W}' height='{NODE_H}' rx='6' fill='#ffffff' stroke='{border}' "
                     f"stroke-width='{3 if status else 1.2}'/>")  # fmt: skip
        parts.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='6' height='{NODE_H}' rx='3' fill='{colour}'/>")
        parts.append(f"<text x='{x + 14:.1f}' y='{y + 22:.1f}' class='node'>{escape(node['id'])} · {escape(node['type'])}</text>")
        parts.append(f"<text x='{x + 14:.1f}' y='{y + 42:.1f}' class='tick'>{escape(_elide(params, 30))}</text>")
    parts.append("</svg>")
    return "".join(parts)


STYLE = (
    "svg text.title{font:600 12px sans-serif;fill:" + TEXT + "} svg text.tick{font:11px sans-serif;fill:" + AXIS + "}"
    " svg text.node{font:600 13px sans-serif;fill:" + TEXT + "}"
)


def _svg_open(width: int, height: int) -> str:
    return f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}'>"


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    span = hi - lo
    raw = span / count
    step = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for mult in (1, 2, 5, 10):
        if span / (step * mult) <= count:
            step *= mult
            break
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step) + 1)]


def _thin(x: list[float], y: list[float], most: int = 1500) -> list[tuple[float, float]]:
    stride = max(1, len(x) // most)
    return list(zip(x[::stride], y[::stride]))


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return "×".join(str(v) for v in value)
    return str(value)


def _elide(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
