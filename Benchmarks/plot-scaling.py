#!/usr/bin/env python3
"""Draws the scaling plot (time vs book size, slow and incremental sync) from side-by-side.py's results.json.

    python3 Benchmarks/plot-scaling.py results.json scaling.png
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    results_path, png_path = sys.argv[1], sys.argv[2]
    with open(results_path) as f:
        results = json.load(f)
    scaling = results["scaling"]
    sizes = [row["contacts"] for row in scaling]
    figure, axis = plt.subplots(figsize=(7, 4.5), dpi=110)
    axis.loglog(sizes, [row["slow_s"] for row in scaling], "o-", label="slow sync of the whole book")
    axis.loglog(sizes, [row["incremental_s"] for row in scaling], "s-",
                label=f"two-way sync of {scaling[0]['changes']:,} changes")
    axis.loglog(sizes, [scaling[0]["slow_s"] * size / sizes[0] for size in sizes], ":", color="gray",
                label="linear growth from the smallest book")
    axis.set_xlabel("contacts in the book")
    axis.set_ylabel("seconds (wall clock, client and server in one process)")
    axis.set_title(f"swift-syncml {results['commit']}: sync time vs book size", fontsize=10)
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.text(0.01, 0.01, results["machine"], fontsize=6, color="gray")
    figure.tight_layout()
    figure.savefig(png_path)


if __name__ == "__main__":
    main()
