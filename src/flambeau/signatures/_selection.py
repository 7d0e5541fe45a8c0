"""Which layers a framework recorder records: the user's names, checked, or a default."""

from __future__ import annotations

__all__ = ["choose_layers"]


def choose_layers(where: str, available: list[str], layers, default: list[str]) -> list[str]:
    """``layers`` (names, in the model's order) or ``default``; unknown names are refused.

    Raises:
        ValueError: a name not in ``available`` (the message lists them), no layer at all, or
            ``layers`` given as one string.
    """
    if isinstance(layers, str):
        raise ValueError(f"{where}: layers must be a list of layer names, got the string {layers!r}")
    if layers is None:
        chosen = list(default)
        if not chosen:
            raise ValueError(f"{where}: the model has no activation layer to record by default; "
                             f"name the layers with layers=[...] among {available}")
        return chosen
    layers = [str(name) for name in layers]
    unknown = [name for name in layers if name not in available]
    if unknown:
        raise ValueError(f"{where}: unknown layer names {unknown}; the model has {available}")
    if not layers:
        raise ValueError(f"{where}: layers must name at least one layer among {available}")
    order = {name: i for i, name in enumerate(available)}
    return sorted(dict.fromkeys(layers), key=order.__getitem__)
