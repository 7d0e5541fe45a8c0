"""Signatures (one cluster per hidden layer) and the Sankey flows of the paths they draw."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clustering import LayerClustering

__all__ = ["OTHER_PATHS", "Paths", "cluster_matrix", "paths"]

OTHER_PATHS = -2  # the cluster shown, in every layer, for the samples outside the most frequent paths


@dataclass
class Paths:
    """Paths of n samples through L hidden layers, as a Sankey graph.

    The columns of the graph are: true class, cluster in layer 1, ..., cluster in layer L,
    predicted class. Nodes are numbered column after column; link ``j`` joins
    ``link_source[j]`` to ``link_target[j]`` and carries ``link_value[j]`` samples.

    Attributes:
        layer_names: the L hidden layers.
        signatures: ``(n, L)`` cluster of each sample in each layer, S = (c_1, ..., c_L).
        unique_signatures, signature_counts: ``(m, L)`` the distinct signatures, most frequent
            first (ties: smallest signature), and ``(m,)`` how many samples follow each
            (``counts`` gives them as a list of ``(signature, count)``).
        node_labels, node_columns: label and column (0 .. L+1) of each node.
        node_ids: ``(n, L + 2)`` node of each sample in each column.
        link_ids: ``(n, L + 1)`` link taken by each sample between columns t and t+1.
        on_other_paths: ``(n,)`` bool, samples drawn through the "other paths" nodes.
        n_paths: number of distinct signatures; ``n_paths_shown`` of them are drawn.
    """

    layer_names: list[str]
    signatures: np.ndarray
    unique_signatures: np.ndarray
    signature_counts: np.ndarray
    node_labels: list[str]
    node_columns: np.ndarray
    node_ids: np.ndarray
    link_source: np.ndarray
    link_target: np.ndarray
    link_value: np.ndarray
    link_ids: np.ndarray
    on_other_paths: np.ndarray
    n_paths: int
    n_paths_shown: int

    @property
    def counts(self) -> list[tuple[tuple[int, ...], int]]:
        """``[(signature, count), ...]``, most frequent first (a Python list: m entries)."""
        return [(tuple(s), c) for s, c in zip(self.unique_signatures.tolist(), self.signature_counts.tolist(),
                                              strict=True)]

    def link_flows(self, selected: np.ndarray) -> np.ndarray:
        """Samples of a boolean mask ``(n,)`` on each link ``(m,)``: ``bincount(link_ids[mask])``."""
        return np.bincount(self.link_ids[selected].ravel(), minlength=len(self.link_value))

    def samples_of_node(self, node: int) -> np.ndarray:
        """Indices of the samples passing through ``node``."""
        return np.flatnonzero(self.node_ids[:, self.node_columns[node]] == node)

    def samples_of_link(self, link: int) -> np.ndarray:
        """Indices of the samples taking ``link``."""
        column = self.node_columns[self.link_source[link]]
        return np.flatnonzero(self.link_ids[:, column] == link)


def cluster_matrix(clusterings: dict) -> tuple[list[str], np.ndarray]:
    """``(layer_names, (n, L) int64)`` from ``{name: LayerClustering or (n,) labels}``."""
    if not clusterings:
        raise ValueError("paths: no layer given")
    names = list(clusterings)
    columns = [c.labels if isinstance(c, LayerClustering) else np.asarray(c) for c in clusterings.values()]
    n = len(columns[0])
    for name, column in zip(names, columns, strict=True):
        if column.shape != (n,):
            raise ValueError(f"paths: clusters of {name!r} must have shape ({n},), got {column.shape}")
    return names, np.stack(columns, axis=1).astype(np.int64)


def _count_signatures(signatures: np.ndarray):
    """``(unique (m, L), counts (m,), rank (n,))``: the distinct signatures and their counts,
    most frequent first (ties: smallest signature), and the rank of each sample's signature."""
    unique, inverse, counts = np.unique(signatures, axis=0, return_inverse=True, return_counts=True)
    order = np.lexsort((*unique.T[::-1], -counts))
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return unique[order], counts[order], rank[inverse.ravel()]


def _column_label(column: int, n_layers: int, value: int, anomalous: bool) -> str:
    if column == 0:
        return f"anomaly {value}" if anomalous else f"true {value}"
    if column == n_layers + 1:
        return f"pred {value}"
    if value == OTHER_PATHS:
        return f"L{column} other paths"
    return f"L{column} noise" if value < 0 else f"L{column} c{value}"


def paths(clusterings: dict, y_true, y_pred, is_anomaly=None, max_paths: int | None = None) -> Paths:
    """Signatures, path counts and Sankey flows true class -> clusters -> predicted class.

    Args:
        clusterings: ``{layer_name: LayerClustering or (n,) cluster labels}``, in layer order.
        y_true: ``(n,)`` true class of each sample.
        y_pred: ``(n,)`` class predicted by the network.
        is_anomaly: optional ``(n,)`` bool, samples of classes the network never saw (their
            first-column node is labelled ``"anomaly <class>"`` instead of ``"true <class>"``).
        max_paths: draw only the ``max_paths`` most frequent signatures; the samples of all
            the others go, in every layer, through one "other paths" node (None: all paths).

    Every step is vectorized over samples: ``np.unique`` on each column and on the codes
    ``node * n_nodes + next_node`` of each pair of columns.
    """
    if max_paths is not None and (isinstance(max_paths, bool) or not isinstance(max_paths, int)
                                  or max_paths < 1):
        raise ValueError(f"paths: max_paths must be a positive integer or None, got {max_paths!r}")
    names, signatures = cluster_matrix(clusterings)
    n, n_layers = signatures.shape
    y_true, y_pred = np.asarray(y_true).astype(np.int64), np.asarray(y_pred).astype(np.int64)
    anomaly = np.zeros(n, bool) if is_anomaly is None else np.asarray(is_anomaly, bool)
    for label, array in (("y_true", y_true), ("y_pred", y_pred), ("is_anomaly", anomaly)):
        if array.shape != (n,):
            raise ValueError(f"paths: {label} must have shape ({n},), got {array.shape}")
    path_signatures, path_counts, rank = _count_signatures(signatures)
    other = rank >= (len(path_counts) if max_paths is None else max_paths)
    drawn = np.where(other[:, None], OTHER_PATHS, signatures)
    # column 0 keys anomalies apart from known classes of the same number (2 * y + anomaly)
    columns = [2 * y_true + anomaly, *drawn.T, y_pred]
    node_ids = np.empty((n, n_layers + 2), np.int64)
    labels, node_columns, offset = [], [], 0
    for c, values in enumerate(columns):
        unique, inverse = np.unique(values, return_inverse=True)
        node_ids[:, c] = offset + inverse
        for u in unique:
            value, anomalous = (u // 2, bool(u % 2)) if c == 0 else (u, False)
            labels.append(_column_label(c, n_layers, int(value), anomalous))
        node_columns += [c] * len(unique)
        offset += len(unique)
    link_ids = np.empty((n, n_layers + 1), np.int64)
    sources, targets, values, offset = [], [], [], 0
    for t in range(n_layers + 1):
        code = node_ids[:, t] * len(labels) + node_ids[:, t + 1]
        unique, inverse, counts = np.unique(code, return_inverse=True, return_counts=True)
        link_ids[:, t] = offset + inverse
        sources.append(unique // len(labels))
        targets.append(unique % len(labels))
        values.append(counts)
        offset += len(unique)
    n_paths = len(path_counts)
    return Paths(names, signatures, path_signatures, path_counts, labels, np.asarray(node_columns), node_ids,
                 np.concatenate(sources), np.concatenate(targets), np.concatenate(values), link_ids,
                 other, n_paths, n_paths if max_paths is None else min(max_paths, n_paths))
