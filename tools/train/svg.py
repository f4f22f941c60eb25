# Minimal SVG line and scatter plots (axes, ticks, legend), so the demos need no plotting package.
from xml.sax.saxutils import escape

W, H = 720, 400
ML, MR, MT, MB = 70, 20, 40, 50  # margins


def _ticks(lo, hi, n=5):
    step = (hi - lo) / n
    return [lo + i * step for i in range(n + 1)]


def _frame(title, xlabel, ylabel, xr, yr):
    x0, x1 = xr
    y0, y1 = yr
    sx = lambda x: ML + (x - x0) / ((x1 - x0) or 1) * (W - ML - MR)  # noqa: E731
    sy = lambda y: H - MB - (y - y0) / ((y1 - y0) or 1) * (H - MT - MB)  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="14">{escape(title)}</text>',
           f'<text x="{(ML + W - MR) / 2}" y="{H - 12}" text-anchor="middle">{escape(xlabel)}</text>',
           f'<text x="16" y="{(MT + H - MB) / 2}" text-anchor="middle" transform="rotate(-90 16 {(MT + H - MB) / 2})">'
           f"{escape(ylabel)}</text>",
           f'<rect x="{ML}" y="{MT}" width="{W - ML - MR}" height="{H - MT - MB}" fill="none" stroke="black"/>']
    for t in _ticks(x0, x1):
        out.append(f'<line x1="{sx(t):.1f}" y1="{H - MB}" x2="{sx(t):.1f}" y2="{H - MB + 5}" stroke="black"/>')
        out.append(f'<text x="{sx(t):.1f}" y="{H - MB + 18}" text-anchor="middle">{t:g}</text>')
    for t in _ticks(y0, y1):
        out.append(f'<line x1="{ML - 5}" y1="{sy(t):.1f}" x2="{ML}" y2="{sy(t):.1f}" stroke="black"/>')
        out.append(f'<text x="{ML - 8}" y="{sy(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    return out, sx, sy


def line_plot(path, series, title, xlabel, ylabel, y_range=None, max_points=1500):
    """series: (xs, ys, colour, width, label or None); long series are thinned to max_points."""
    xs_all = [x for s in series for x in (s[0][0], s[0][-1])]
    ys_all = [y for s in series for y in s[1]]
    yr = y_range or (min(ys_all), max(ys_all))
    out, sx, sy = _frame(title, xlabel, ylabel, (min(xs_all), max(xs_all)), yr)
    legend = 0
    for xs, ys, colour, width, label in series:
        step = max(1, len(xs) // max_points)
        pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs[::step], ys[::step]))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width}"/>')
        if label:
            ly = MT + 16 + 16 * legend
            out.append(f'<line x1="{ML + 10}" y1="{ly - 4}" x2="{ML + 30}" y2="{ly - 4}" stroke="{colour}" '
                       f'stroke-width="{width}"/>')
            out.append(f'<text x="{ML + 36}" y="{ly}">{escape(label)}</text>')
            legend += 1
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def scatter_plot(path, points, title, xlabel, ylabel, y_range=None):
    """points: (x, y, colour)."""
    xs = [p[0] for p in points] or [0, 1]
    ys = [p[1] for p in points] or [0, 1]
    out, sx, sy = _frame(title, xlabel, ylabel, (min(xs), max(max(xs), 1)), y_range or (min(ys), max(ys)))
    for x, y, c in points:
        out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{c}"/>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
