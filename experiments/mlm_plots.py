"""The plots of the MLM experiments (deepnorm_depth, residuals) over report_util.load_mlm_run
dicts: a grid of smoothed loss curves and per-layer norm profiles. Needs matplotlib
(experiments/python.sh)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from report_util import WINDOW, smooth  # noqa: E402


def loss_grid(panels, variants, labels, colors, title, path, ylim=(4.5, 11)):
    """panels: rows of (panel title, {variant: run}); one row of subplots per row of panels.
    A cross marks the step where a run's loss turned non-finite."""
    rows, cols = len(panels), max(len(row) for row in panels)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), sharey=True,
                             squeeze=False)
    for ri, row in enumerate(panels):
        for ci, (panel_title, runs) in enumerate(row):
            ax = axes[ri][ci]
            for variant in variants:
                run = runs.get(variant)
                if not run:
                    continue
                ax.plot(range(1, len(run["curve"]) + 1), smooth(run["curve"]),
                        color=colors[variant], label=labels[variant], lw=1.2)
                if run["nonfinite_step"]:
                    ax.plot([run["nonfinite_step"]], [ylim[1] - 0.5], "x", color=colors[variant],
                            ms=9, mew=2)
            if not any(runs.get(v) for v in variants):
                ax.text(0.5, 0.5, "not run", ha="center", va="center", transform=ax.transAxes,
                        color="gray")
            ax.set_title(panel_title, fontsize=9)
            ax.set_xlabel("step")
            ax.set_ylim(*ylim)
            ax.grid(alpha=0.3)
            if ci == 0:
                ax.set_ylabel(f"MLM loss ({WINDOW}-step mean)")
    axes[0][0].legend(fontsize=7, loc="upper right")
    fig.suptitle(title + " (x: loss turned non-finite)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def layer_profiles(runs, variants, labels, colors, specs, path):
    """runs: {variant: run}; specs: (step, key, title) per subplot, key one of grad_norm,
    weight_norm, update_norm: that norm per encoder layer at that logged step, log scale."""
    fig, axes = plt.subplots(1, len(specs), figsize=(4.4 * len(specs), 3.6), squeeze=False)
    for ax, (step, key, title) in zip(axes[0], specs):
        for variant in variants:
            run = runs.get(variant)
            groups = [g for g in (run or {}).get("layers", {}).get(str(step), [])
                      if g["group"].startswith("layers.")]
            if groups:
                ax.semilogy([int(g["group"][len("layers."):]) for g in groups],
                            [max(g[key], 1e-12) for g in groups], color=colors[variant],
                            label=labels[variant], lw=1.2)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("layer")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
