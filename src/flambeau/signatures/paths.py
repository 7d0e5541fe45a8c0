"""Signatures (one cluster per hidden layer) and the Sankey flows of the paths they draw."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clustering import LayerClustering

__all__ = ["Paths", "cluster_matrix", "paths"]


@dataclass
class Paths:
    """Paths of n samples through L hidden layers, as a Sankey graph.

    The columns of the graph are: true class, cluster in layer 1, ..., cluster in layer L,
    predicted class. Nodes are numbered column after column; link ``j`` joins
    ``link_source[j]`` to ``link_target[j]`` and carries ``link_value[j]`` samples.

    Attributes:
        layer_names: the L hidden layers.
        signatures: ``(n, L)`` cluster of each sample in each layer, S = (c_1, ..., c_L).
        counts: ``[(signature, count), ...]``, most frequent first (ties: smallest signature).
        node_labels, node_columns: label and column (0 .. L+1) of each node.
        node_ids: ``(n, L + 2)`` node of each sample in each column.
        link_ids: ``(n, L + 1)`` link taken by each sample between columns t and t+1.
    """

    layer_names: list[str]
    signatures: np.ndarray
    counts: list[tuple[tuple[int, ...], int]]
    node_labels: list[str]
    node_columns: np.ndarray
    node_ids: np.ndarray
    link_source: np.ndarray
    link_target: np.ndarray
    link_value: np.ndarray
    link_ids: np.ndarray

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


def _count_signatures(signatures: np.ndarray) -> list[tuple[tuple[int, ...], int]]:
    unique, counts = np.unique(signatures, axis=0, return_counts=True)
    order = np.lexsort((*unique.T[::-1], -counts))
    return [(tuple(int(c) for c in unique[i]), int(counts[i])) for i in order]


def _column_label(column: int, n_layers: int, value: int, anomalous: bool) -> str:
    if column == 0:
        return f"anomaly {value}" if anomalous else f"true {value}"
    if column == n_layers + 1:
        return f"pred {value}"
    return f"L{column} noise" if value < 0 else f"L{column} c{value}"


def paths(clusterings: dict, y_true, y_pred, is_anomaly=None) -> Paths:
    """Signatures, path counts and Sankey flows true class -> clusters -> predicted class.

    Args:
        clusterings: ``{layer_name: LayerClustering or (n,) cluster labels}``, in layer order.
        y_true: ``(n,)`` true class of each sample.
        y_pred: ``(n,)`` class predicted by the network.
        is_anomaly: optional ``(n,)`` bool, samples of classes the network never saw (their
            first-column node is labelled ``"anomaly <class>"`` instead of ``"true <class>"``).
    """
    names, signatures = cluster_matrix(clusterings)
    n, n_layers = signatures.shape
    y_true, y_pred = np.asarray(y_true).astype(np.int64), np.asarray(y_pred).astype(np.int64)
    anomaly = np.zeros(n, bool) if is_anomaly is None else np.asarray(is_anomaly, bool)
    for label, array in (("y_true", y_true), ("y_pred", y_pred), ("is_anomaly", anomaly)):
        if array.shape != (n,):
            raise ValueError(f"paths: {label} must have shape ({n},), got {array.shape}")
    # column 0 keys anomalies apart from known classes of the same number (2 * y + anomaly)
    columns = [2 * y_true + anomaly, *signatures.T, y_pred]
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
    return Paths(names, signatures, _count_signatures(signatures), labels, np.asarray(node_columns),
                 node_ids, np.concatenate(sources), np.concatenate(targets),
                 np.concatenate(values), link_ids)
