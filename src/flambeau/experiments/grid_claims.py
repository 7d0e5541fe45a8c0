"""Report 002's claims about its 84 autoencoders (sections 4.1-4.2), checked axis by axis on a sweep's rows.

Each claim is tested on PAIRS of configurations that differ in one axis only (the others equal),
on the test reconstruction error per pixel (``test_mse``, whatever the training loss), so that an
axis is never credited with another's effect:

=============  ==============================================================  =======================
axis           the report's claim (section 4.2, "Conclusions")                 holds when
=============  ==============================================================  =======================
epochs         more epochs always improve the reconstruction                   every pair improves
depth          more layers improve it greatly (8 -> 16 layers less than 4->8)  >= 75 % of pairs improve
                                                                               (partly: for one loss's)
bottleneck     32 units slightly better than 16                                >= 50 % of pairs improve,
                                                                               median change < 0
batch          32 vs 64: no difference worth the name                          median change < 10 %
loss           MSE ahead at 10 epochs (BCE about 1.5 x the cost), BCE needs    BCE/MSE ratio > 1 at 10
               more epochs                                                     epochs
lr             BCE needs a larger rate (0.1) than MSE (0.01)                   BCE wins > 50 % of pairs
                                                                               at 0.1 vs 0.01 (needs the
                                                                               rows of the lr grid), MSE
                                                                               at 0.01 (partly: not MSE)
=============  ==============================================================  =======================

A network whose test error is at the mean image's (``baseline``: 98 % of it or more) has learnt
nothing about its input; ``learnt_nothing`` counts them, and every verdict says so. A pair of two
such networks says nothing about its axis: it is left out (the evidence says how many), and an
axis left without pairs is "not testable".
"""

from __future__ import annotations

import statistics

__all__ = ["AXES", "claims", "learnt_nothing", "paired_changes"]

AXES = ("loss", "lr", "epochs", "batch_size", "latent", "steps")
_LEARNT_NOTHING = 0.98
"""A network at or above this share of the mean image's error learnt nothing about its input."""
_OTHER = ("loss", "epochs", "batch_size", "latent", "steps", "seed", "activation", "init", "rule",
          "reduction")


def paired_changes(rows: list[dict], axis: str, low, high, metric: str = "test_mse",
                   floor: float | None = None) -> list[float]:
    """Relative changes ``(m_high - m_low) / m_low`` of ``metric`` between configurations equal
    in every parameter but ``axis`` (at ``low`` and ``high``); negative: ``high`` is better.
    ``floor``: pairs whose two values are both at or above it are left out."""
    key = [k for k in _OTHER if k != axis and k != "lr"]
    index = {}
    for row in rows:
        index.setdefault(tuple(row.get(k) for k in key), {})[row.get(axis)] = row[metric]
    return [(pair[high] - pair[low]) / pair[low] for pair in index.values()
            if low in pair and high in pair and pair[low]
            and (floor is None or min(pair[low], pair[high]) < floor)]


def learnt_nothing(rows: list[dict], baseline: float, metric: str = "test_mse") -> int:
    """How many of ``rows`` are at or above the mean image's error (``baseline``)."""
    return sum(r[metric] >= _LEARNT_NOTHING * baseline for r in rows)


def _share(changes: list[float]) -> float | None:
    return sum(c < 0 for c in changes) / len(changes) if changes else None


def _pct(value) -> str:
    return "n/a" if value is None else f"{100 * value:.0f} %"


def _mean(values):
    return sum(values) / len(values) if values else None


def claims(rows: list[dict], baseline: float | None = None, metric: str = "test_mse",
           lr_rows: list[dict] = ()) -> list[dict]:
    """The verdict on each claim (see the module docstring) from a sweep's rows.

    Args:
        rows: the sweep's rows (``read_results``); only ``status == "ok"`` ones count.
        baseline: test ``metric`` of the mean training image, if known.
        lr_rows: rows of the same configurations at the other loss's rate (the grid
            ``autoencoder_mnist_84_report_lr.toml``): with them the lr claim is tested on pairs
            differing in the rate only; a rate whose run failed (diverged) counts against it.

    Returns:
        One dict per axis: ``axis``, ``claim``, ``verdict`` (``"holds"``, ``"does not hold"``,
        ``"not testable"`` or ``"no data"``), ``evidence`` (words and numbers).
    """
    ok = [r for r in rows if r.get("status") == "ok" and isinstance(r.get(metric), (int, float))]
    floor = None if baseline is None else _LEARNT_NOTHING * baseline
    out, dropped = [], {}

    def pairs(axis, low, high, subset=ok):
        """Paired changes along ``axis``; counts the pairs left out (both networks learnt nothing)."""
        kept = paired_changes(subset, axis, low, high, metric, floor)
        every = paired_changes(subset, axis, low, high, metric)
        dropped[axis] = dropped.get(axis, 0) + len(every) - len(kept)
        return kept

    def add(axis, claim, holds, evidence, key=None):
        left_out = dropped.get(key or axis, 0)
        if holds is None and left_out:
            verdict = "not testable"
            evidence = f"in every pair ({left_out}), both networks are at the mean image's error"
        else:
            verdict = "no data" if holds is None else ("holds" if holds else "does not hold")
            evidence += (f" ({left_out} pairs where both networks are at the mean image's error left out)"
                         if left_out else "")
        out.append({"axis": axis, "claim": claim, "verdict": verdict, "evidence": evidence})

    epochs = sorted({r["epochs"] for r in ok})
    steps_changes = []
    for low, high in zip(epochs[:-1], epochs[1:], strict=True):
        steps_changes += pairs("epochs", low, high)
    add("epochs", "more epochs always improve the reconstruction",
        None if not steps_changes else all(c < 0 for c in steps_changes),
        f"{_pct(_share(steps_changes))} of {len(steps_changes)} consecutive epoch steps lower the test error")

    depth = [pairs("steps", a, b) for a, b in ((2, 4), (4, 8))]
    means = {s: _mean([r[metric] for r in ok if r["steps"] == s]) for s in (2, 4, 8)}
    both, by_loss = depth[0] + depth[1], _depth_by_loss(ok, metric, floor)
    add("depth", "more layers improve the reconstruction greatly (4 -> 8 -> 16 layers in all)",
        None if not both else _share(both) >= 0.75,
        f"deeper is better in {_pct(_share(depth[0]))} of 2->4 pairs and {_pct(_share(depth[1]))} of 4->8 "
        "pairs (encoder layers); mean test error "
        + ", ".join(f"{s} layers {m:.4f}" for s, m in means.items() if m is not None)
        + ("; by training loss, deeper is better in " + ", ".join(
            f"{_pct(_share(c))} of {len(c)} {loss.upper()} pairs" for loss, c in by_loss.items())
           if len(by_loss) > 1 else ""), key="steps")
    holding = [loss.upper() for loss, c in by_loss.items() if c and _share(c) >= 0.75]
    if out[-1]["verdict"] == "does not hold" and holding:
        out[-1]["verdict"] = f"partly holds: for {' and '.join(holding)} networks only"

    latent = pairs("latent", 16, 32)
    add("bottleneck", "32 units slightly better than 16",
        None if not latent else _share(latent) >= 0.5 and statistics.median(latent) < 0,
        f"32 beats 16 in {_pct(_share(latent))} of {len(latent)} pairs, median change "
        f"{_pct(statistics.median(latent)) if latent else 'n/a'}", key="latent")

    batch = pairs("batch_size", 32, 64)
    median_batch = statistics.median(abs(c) for c in batch) if batch else None
    add("batch", "batch 32 or 64 makes no difference worth the name",
        None if median_batch is None else median_batch < 0.10,
        f"median |change| from 32 to 64: {_pct(median_batch)} over {len(batch)} pairs; 64 better in "
        f"{_pct(_share(batch))}", key="batch_size")

    loss = paired_changes(ok, "loss", "mse", "bce", metric, floor)
    at10 = pairs("loss", "mse", "bce", [r for r in ok if r["epochs"] == 10])
    ratio10 = _mean([1 + c for c in at10]) if at10 else None
    add("loss", "MSE reconstructs better at 10 epochs (BCE about 1.5 x the cost); BCE needs more epochs",
        None if ratio10 is None else ratio10 > 1,
        f"BCE-trained / MSE-trained test error at 10 epochs: {ratio10:.2f} x (mean of {len(at10)} pairs)"
        if ratio10 is not None else f"no pair at 10 epochs ({len(loss)} pairs in all)")

    out.append(_lr_claim(ok, list(lr_rows), metric, floor))

    if baseline is not None and ok:
        nothing = learnt_nothing(ok, baseline, metric)
        for claim in out:
            claim["learnt_nothing"] = (f"{nothing} of {len(ok)} networks at or above the mean image's error "
                                       f"({baseline:.4f})")
    return out


def _depth_by_loss(ok: list[dict], metric: str, floor) -> dict[str, list[float]]:
    """Paired depth changes (2->4 and 4->8 encoder layers) of each training loss's networks (the
    report shows its depth claim on MSE networks and says BCE ones agree)."""
    return {loss: [c for low, high in ((2, 4), (4, 8)) for c in
                   paired_changes([r for r in ok if r["loss"] == loss], "steps", low, high, metric, floor)]
            for loss in sorted({r["loss"] for r in ok})}


def _lr_claim(ok: list[dict], lr_rows: list[dict], metric: str, floor: float | None = None) -> dict:
    """BCE better at 0.1 than at 0.01, MSE better at 0.01 than at 0.1, on pairs differing in the rate
    only; a failed (diverged) run at a rate loses its pair."""
    claim = "BCE needs a larger learning rate (0.1) than MSE (0.01)"
    rates = sorted({(r["loss"], r.get("lr")) for r in ok})
    if not lr_rows:
        return {"axis": "lr", "claim": claim, "verdict": "not testable",
                "evidence": "each loss has one rate in the 84 configurations ("
                            + ", ".join(f"{lo} at {lr}" for lo, lr in rates)
                            + "): rate and loss are confounded (a grid of the rates swapped tests it, e.g. "
                            "autoencoder_mnist_84_report_pixel_mean_lr.toml)"}
    key = ("loss", "epochs", "batch_size", "latent", "steps", "seed")
    index = {}
    for row in [*ok, *lr_rows]:
        if row.get("status") == "ok" and isinstance(row.get(metric), (int, float)):
            value = row[metric]
        elif row.get("status") == "failed":
            value = float("inf")
        else:
            continue
        index.setdefault(tuple(row.get(k) for k in key), {})[row.get("lr")] = value
    wins, texts, left_out = {}, [], 0
    for loss, good, bad in (("bce", 0.1, 0.01), ("mse", 0.01, 0.1)):
        both = [p for k, p in index.items() if k[0] == loss and good in p and bad in p]
        pairs = [p for p in both if floor is None or min(p[good], p[bad]) < floor]
        left_out += len(both) - len(pairs)
        if pairs:
            wins[loss] = sum(p[good] < p[bad] for p in pairs) / len(pairs)
            diverged = sum(p[bad] == float("inf") for p in pairs)
            texts.append(f"{loss.upper()}: {good} beats {bad} in {_pct(wins[loss])} of {len(pairs)} pairs"
                         + (f" ({diverged} runs at {bad} diverged)" if diverged else ""))
    if left_out and "bce" not in wins:
        return {"axis": "lr", "claim": claim, "verdict": "not testable",
                "evidence": "in every BCE pair, both networks are at the mean image's error or diverged"}
    note = f" ({left_out} pairs where both networks learnt nothing left out)" if left_out else ""
    return {"axis": "lr", "claim": claim, "verdict": _lr_verdict(wins),
            "evidence": ("; ".join(texts) or "no pair of configurations at both rates yet") + note}


def _lr_verdict(wins: dict) -> str:
    """BCE must prefer 0.1 and MSE 0.01: a BCE that prefers 0.1 beside an MSE that prefers it too
    needs the larger rate, but not more than MSE does."""
    if "bce" not in wins:
        return "no data"
    if wins["bce"] <= 0.5:
        return "does not hold"
    if "mse" in wins and wins["mse"] < 0.5:
        return "partly holds: BCE is better at 0.1, but so is MSE"
    return "holds"
