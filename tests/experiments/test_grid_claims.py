"""Report 002's claims checked on pairs of configurations differing in one axis only."""

import itertools

from flambeau.experiments.grid_claims import claims, paired_changes


def _rows(error):
    """Every configuration of a small grid with ``test_mse = error(config)``."""
    rows = []
    axes = (("mse", "bce"), (10, 20), (32, 64), (16, 32), (2, 4, 8))
    for loss, epochs, batch, latent, steps in itertools.product(*axes):
        row = {"loss": loss, "lr": 0.01 if loss == "mse" else 0.1, "epochs": epochs, "batch_size": batch,
               "latent": latent, "steps": steps, "seed": 0, "status": "ok"}
        row["test_mse"] = error(row)
        rows.append(row)
    return rows


def _verdicts(rows, baseline=None):
    return {v["axis"]: v for v in claims(rows, baseline)}


def test_a_grid_where_every_claim_holds():
    def error(r):  # deeper, longer, wider: better; batch: 1 %; BCE 1.5 x MSE
        depth, longer = {2: 1, 4: 2, 8: 3}[r["steps"]], r["epochs"] / 10
        return (0.05 / depth / longer * (0.95 if r["latent"] == 32 else 1)
                * (1.01 if r["batch_size"] == 64 else 1) * (1.5 if r["loss"] == "bce" else 1))

    verdicts = _verdicts(_rows(error), baseline=0.067)
    axes = ("epochs", "depth", "bottleneck", "batch", "loss")
    assert [verdicts[a]["verdict"] for a in axes] == ["holds"] * 5
    assert verdicts["loss"]["evidence"].startswith("BCE-trained / MSE-trained test error at 10 epochs: 1.50")
    assert verdicts["lr"]["verdict"] == "not testable" and "mse at 0.01" in verdicts["lr"]["evidence"]
    nothing = verdicts["depth"]["learnt_nothing"]  # 2 layers, 10 epochs, BCE: 0.075 and 0.071
    assert nothing == "4 of 48 networks at or above the mean image's error (0.0670)"


def test_a_grid_that_learnt_the_mean_image_tests_no_claim_and_says_so():
    flat = _rows(lambda r: 0.0675 + (0.04 if r["steps"] == 8 else 0) + (0.001 if r["epochs"] == 20 else 0))
    verdicts = _verdicts(flat, baseline=0.0675)
    for axis in ("epochs", "depth", "bottleneck", "batch", "loss"):
        assert verdicts[axis]["verdict"] == "not testable", axis
        assert verdicts[axis]["evidence"].endswith("both networks are at the mean image's error")
    assert verdicts["batch"]["evidence"] == "in every pair (24), both networks are at the mean image's error"
    assert verdicts["epochs"]["learnt_nothing"].startswith("48 of 48 networks at or above")


def test_pairs_of_two_networks_that_learnt_nothing_are_left_out_and_counted():
    # 8 layers learnt nothing; the others learn, better with more epochs
    rows = _rows(lambda r: 0.07 if r["steps"] == 8 else 0.04 / (r["epochs"] / 10))
    verdicts = _verdicts(rows, baseline=0.0675)
    assert verdicts["epochs"]["verdict"] == "holds"  # the 8 pairs of 8-layer networks are left out
    assert verdicts["epochs"]["evidence"] == ("100 % of 16 consecutive epoch steps lower the test error "
                                              "(8 pairs "
                                              "where both networks are at the mean image's error left out)")
    depth = verdicts["depth"]  # 4 -> 8 pairs keep: one network learnt
    assert depth["verdict"] == "does not hold" and "0 % of 4->8 pairs" in depth["evidence"]
    assert "left out" not in depth["evidence"]
    assert len(paired_changes(rows, "epochs", 10, 20, floor=0.98 * 0.0675)) == 16


def test_failed_rows_and_missing_axes_give_no_data():
    rows = _rows(lambda r: 0.05)
    for row in rows:
        if row["latent"] == 32:
            row["status"] = "failed"
    verdicts = _verdicts(rows)
    assert verdicts["bottleneck"]["verdict"] == "no data" and "learnt_nothing" not in verdicts["bottleneck"]
    assert _verdicts([])["epochs"]["verdict"] == "no data"


def test_pairs_differ_in_the_axis_only():
    rows = _rows(lambda r: r["steps"] * 0.01)
    changes = paired_changes(rows, "steps", 2, 4)
    assert len(changes) == 2 * 2 * 2 * 2 and all(abs(c - 1.0) < 1e-12 for c in changes)
    assert paired_changes(rows, "loss", "mse", "bce") == [0.0] * 24  # lr differs with the loss: not a key


def test_the_rates_swapped_test_the_lr_claim_on_pairs_and_a_diverged_rate_loses():
    rows = _rows(lambda r: 0.05 if r["loss"] == "bce" else 0.04)  # the 84: BCE at 0.1, MSE at 0.01
    swapped = [{**r, "lr": 0.01, "test_mse": 0.06} for r in rows if r["loss"] == "bce"]
    swapped += [{**r, "lr": 0.1, "status": "failed", "test_mse": None} for r in rows if r["loss"] == "mse"]
    lr = _verdicts_lr(rows, swapped)
    assert lr["verdict"] == "holds"
    assert lr["evidence"] == ("BCE: 0.1 beats 0.01 in 100 % of 24 pairs; MSE: 0.01 beats 0.1 in 100 % of 24 "
                              "pairs (24 runs at 0.1 diverged)")
    worse = [{**r, "test_mse": 0.04} for r in swapped if r["loss"] == "bce"]
    assert _verdicts_lr(rows, worse)["verdict"] == "does not hold"
    mse_better_fast = [r for r in swapped if r["loss"] == "bce"]
    mse_better_fast += [{**r, "lr": 0.1, "test_mse": 0.03} for r in rows if r["loss"] == "mse"]
    partly = "partly holds: BCE is better at 0.1, but so is MSE"
    assert _verdicts_lr(rows, mse_better_fast)["verdict"] == partly
    assert _verdicts_lr(rows, [])["verdict"] == "not testable"
    flat = [{**r, "test_mse": 0.07} for r in rows]
    nothing = {v["axis"]: v for v in claims(flat, 0.0675, lr_rows=[{**r, "test_mse": 0.07} for r in swapped])}
    assert nothing["lr"]["verdict"] == "not testable" and "both networks" in nothing["lr"]["evidence"]


def _verdicts_lr(rows, lr_rows):
    return {v["axis"]: v for v in claims(rows, lr_rows=lr_rows)}["lr"]


def test_depth_that_helps_one_training_loss_only_partly_holds():
    def error(r):  # MSE: deeper is better; BCE: deeper is worse
        depth = {2: 1, 4: 2, 8: 3}[r["steps"]] if r["loss"] == "mse" else {2: 1, 4: 0.8, 8: 0.5}[r["steps"]]
        return 0.05 / depth
    depth = _verdicts(_rows(error), baseline=0.2)["depth"]
    assert depth["verdict"] == "partly holds: for MSE networks only"
    assert depth["evidence"].endswith("deeper is better in 0 % of 16 BCE pairs, 100 % of 16 MSE pairs")
