"""The one histogram drawing (``qc_svg.bars_svg``) behind the QC and plan pages."""

from __future__ import annotations

import numpy as np

from mpokit.web.qc_svg import bars_svg, histogram_svg


def test_bad_bins_limit_and_escaping() -> None:
    svg = bars_svg([2, 0, 5, 1], [-2.0, -1.0, 0.0, 1.0, 2.0], title="<margin>", unit="dB",
                   limit=1.5, limit_label="max", bad_below=0.0)
    assert svg.count('class="bar bad"') == 1  # the empty bin draws nothing
    assert svg.count('class="bar"') == 2
    assert 'data-n="8"' in svg and "&lt;margin&gt;" in svg and "<margin>" not in svg
    assert svg.count('<line class="limit"') == 1 and "max 1.5" in svg
    outside = bars_svg([1], [0.0, 1.0], title="t", unit="dB", limit=3.0)
    assert '<line class="limit"' not in outside  # a limit beyond the bins is not drawn


def test_values_are_binned_then_drawn_by_the_same_function() -> None:
    x = [0.1, 0.12, 0.2, 0.21, 0.4]
    counts, edges = np.histogram(x, bins=5, range=(0.1, 0.5))
    assert histogram_svg(x, title="IL", unit="dB", bins=5, limit=0.5) == bars_svg(
        counts.tolist(), edges.tolist(), title="IL", unit="dB", limit=0.5)
    assert "no values" in histogram_svg([float("nan")], title="IL", unit="dB")
    assert "no values" in bars_svg([], [], title="IL", unit="dB")


def _tick_values(svg: str) -> list[float]:
    import re

    return [float(v) for v in re.findall(r'text-anchor="end">(-?[0-9.e+-]+)</text>', svg)]


def test_a_range_chart_has_no_axis_below_zero_but_a_signed_chart_keeps_its_own() -> None:
    from mpokit.web.qc_svg import control_chart_svg

    def chart(values: list[float], lcl: float, ucl: float) -> dict[str, object]:
        pts = [{"name": f"S{i}", "value": v, "lcl": lcl, "ucl": ucl} for i, v in enumerate(values)]
        return {"kind": "r", "center": sum(values) / len(values), "points": pts}

    r = control_chart_svg(chart([0.2, 0.5, 0.3, 0.9], 0.0, 1.2), title="R", unit="nm")
    ticks = _tick_values(r)
    assert ticks and min(ticks) == 0.0 and max(ticks) > 1.2
    signed = control_chart_svg(chart([-3.0, 1.0, 2.0], -4.0, 4.0), title="X", unit="nm")
    assert min(_tick_values(signed)) < -4.0  # padded below a negative limit as before
