"""Unit price, order total and lead time against quantity, both routes, crossover and asked quantities marked."""

from __future__ import annotations

import io

from bot.visuals import palette
from estimator import PartEstimate, Route

COLOURS = {Route.PROTOTYPE: palette.PROTOTYPE, Route.PRODUCTION: palette.PRODUCTION}
MARKERS = {Route.PROTOTYPE: "o", Route.PRODUCTION: "s"}  # shape as well as colour


def render_chart(part: PartEstimate, *, currency: str = "USD") -> bytes:
    """A PNG (1000 x 1100 px) readable at thumbnail size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    breaks = sorted(part.breaks, key=lambda b: b.quantity)
    qty = [b.quantity for b in breaks]
    fig, (unit_ax, total_ax, lead_ax) = plt.subplots(3, 1, figsize=(10, 11), dpi=100, sharex=True,
                                                     gridspec_kw={"height_ratios": (3, 2, 2)})
    for route in (Route.PROTOTYPE, Route.PRODUCTION):
        points = [(b.quantity, b.routes[route]) for b in breaks if route in b.routes]
        if not points:
            continue
        xs = [q for q, _ in points]
        style = {"color": COLOURS[route], "marker": MARKERS[route], "lw": 2.5, "ms": 7, "label": route.value}
        unit_ax.plot(xs, [float(r.unit_price) for _, r in points], **style)
        total_ax.plot(xs, [float(r.total) for _, r in points], **style)
        lead_ax.plot(xs, [r.lead_time_days for _, r in points], **style)
    for b in breaks:
        if b.requested:
            unit_ax.scatter([b.quantity], [float(b.unit_price)], s=260, facecolors="none", edgecolors="black",
                            linewidths=2.5, zorder=5)
            unit_ax.annotate(f"{b.quantity:,} pcs\n{float(b.unit_price):,.2f} {currency}",
                             (b.quantity, float(b.unit_price)), xytext=(10, 12), textcoords="offset points",
                             fontsize=13, weight="bold")
    if part.crossover_quantity:
        for ax in (unit_ax, total_ax, lead_ax):
            ax.axvline(part.crossover_quantity, color=palette.CROSSOVER, ls="--", lw=1.5)
        unit_ax.text(part.crossover_quantity, unit_ax.get_ylim()[1], f" crossover {part.crossover_quantity:,} pcs",
                     va="top", fontsize=12, color=palette.CROSSOVER)
    unit_ax.set_xscale("log")
    unit_ax.set_yscale("log")
    total_ax.set_yscale("log")
    plain = matplotlib.ticker.FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    for ax in (unit_ax, total_ax):
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    unit_ax.set_ylabel(f"unit price ({currency})", fontsize=13)
    total_ax.set_ylabel(f"order total ({currency})", fontsize=13)
    lead_ax.set_ylabel("lead time (working days)", fontsize=13)
    lead_ax.set_xlabel("quantity (pcs, log scale)", fontsize=13)
    unit_ax.set_title(f"{part.name}: price and lead time by quantity", fontsize=15, weight="bold")
    unit_ax.legend(fontsize=13, loc="upper right")
    for ax in (unit_ax, total_ax, lead_ax):
        ax.grid(True, which="major", alpha=0.3)
        ax.tick_params(labelsize=12)
    lead_ax.set_xticks(qty, [f"{q:,}" for q in qty], rotation=45)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor="white")
    plt.close(fig)
    return buf.getvalue()
