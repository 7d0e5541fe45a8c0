"""A signature study described as data: which digits, how many, which network."""

from __future__ import annotations

from dataclasses import InitVar, asdict, dataclass

from ..init import INITIALIZERS
from ..optim import learning_rate
from .clustering import CLUSTERERS
from .projection import PROJECTIONS
from .spatial import SPATIAL

__all__ = ["ACTIVATIONS", "ANALYSED", "CHOICES", "DATASETS", "DEFAULT_LR", "SignatureConfig"]

DATASETS = ("mnist", "usps", "fashion-mnist")
ACTIVATIONS = ("relu", "sigmoid", "tanh")
ANALYSED = ("test", "all")
CHOICES = {"dataset": DATASETS, "activation": ACTIVATIONS, "method": tuple(sorted(CLUSTERERS)),
           "projection": tuple(sorted(PROJECTIONS)), "spatial": SPATIAL, "analysed": ANALYSED,
           "init": tuple(sorted(INITIALIZERS))}
"""Field -> the values it may take (``flambeau signatures`` offers them as its options' choices)."""
DEFAULT_LR = 0.05
MAX_HIDDEN_LAYERS = 10
MAX_WIDTH = 4096
MAX_SEEDS = 100


def _ints(name: str, values, low: int, high: int) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in values)
    except (TypeError, ValueError):
        raise ValueError(f"SignatureConfig: {name} must be integers, got {values!r}") from None
    bad = [v for v in values if not low <= v <= high]
    if bad:
        raise ValueError(f"SignatureConfig: {name} must lie in [{low}, {high}], got {bad}")
    if len(set(values)) != len(values) and name != "hidden":
        raise ValueError(f"SignatureConfig: {name} must be distinct, got {list(values)}")
    return values


@dataclass(frozen=True)
class SignatureConfig:
    """Everything that defines a signature study (validated on creation).

    One entry per field below: ``flambeau signatures`` builds its options from the fields, with
    these texts as their help.

    Attributes:
        dataset: ``"usps"`` (embedded, offline), ``"mnist"`` or ``"fashion-mnist"`` (read from
            ``FLAMBEAU_DATA`` or downloaded).
        classes: digits the network learns (at least 2).
        n_per_class: training images per class; the study also analyses up to this many
            held-out (test) images per class. None (option: all): every image of each class.
        analysed: the images whose paths are studied: ``"test"`` (held-out images only) or
            ``"all"`` (the training images too: all 70,000 images of MNIST with
            ``n_per_class=None``).
        hidden: widths of the hidden layers (the report: 32 and 64).
        anomalies: digits never trained on, fed to the network afterwards (the report: 4, 3).
        n_anomalies: test images per anomaly class (default ``n_per_class``).
        activation: activation of the hidden layers.
        epochs: training epochs (``flambeau.SGD``).
        lr: learning rate of the training (``DEFAULT_LR`` when not given); also accepted as
            ``eps``, the course's name for it.
        batch_size: training mini-batch size.
        init: the weights' initialiser (``flambeau.init``): ``"uniform"`` (PyTorch's default),
            or ``"he"``, which deep ReLU networks (say 5 hidden layers or more) need to learn.
        k_range: ``(low, high)``: the numbers of clusters tried per layer, the best silhouette
            kept (see ``cluster_layers``).
        method: per-layer clustering method (see ``cluster_layers``).
        projection: 2-D map of each layer, ``"umap"`` (the report) or ``"pca"``.
        spatial: how a convolutional feature map becomes features: per channel ``"mean"`` or
            ``"max"``, or ``"flatten"`` (see ``reduce_spatial``).
        seed: seeds the data draw, the weights, training order, clustering and maps.
        seeds: training seeds of the uncertainty section (``seed``, ``seed + 1``, ...): with 2 or
            more, the network is retrained on the same images with each, and the layer scores
            (NMI, ARI, purity, k, linear probe) and anomaly-detection metrics get bootstrap
            intervals over seeds; 1 trains once (report004 uses 10).
    """

    dataset: str = "usps"
    classes: tuple[int, ...] = (1, 7)
    n_per_class: int | None = 100
    analysed: str = "test"
    hidden: tuple[int, ...] = (32, 64)
    anomalies: tuple[int, ...] = ()
    n_anomalies: int | None = None
    activation: str = "relu"
    epochs: int = 30
    lr: float | None = None
    batch_size: int = 16
    init: str = "uniform"
    k_range: tuple[int, int] = (2, 10)
    method: str = "kmeans"
    projection: str = "umap"
    spatial: str = "mean"
    seed: int = 0
    seeds: int = 1
    eps: InitVar[float | None] = None

    def __post_init__(self, eps):
        classes = _ints("classes", self.classes, 0, 9)
        if len(classes) < 2:
            raise ValueError(f"SignatureConfig: classes must hold at least 2 digits, got {list(classes)}")
        anomalies = _ints("anomalies", self.anomalies, 0, 9)
        overlap = sorted(set(classes) & set(anomalies))
        if overlap:
            raise ValueError(f"SignatureConfig: anomalies must not be trained classes, got {overlap} in both")
        hidden = _ints("hidden", self.hidden, 1, MAX_WIDTH)
        if not 1 <= len(hidden) <= MAX_HIDDEN_LAYERS:
            raise ValueError(f"SignatureConfig: hidden must give 1 to {MAX_HIDDEN_LAYERS} layer widths, "
                             f"got {list(hidden)}")
        if self.n_per_class is not None:
            self._positive("n_per_class", self.n_per_class, 2)
        if self.n_anomalies is not None:
            self._positive("n_anomalies", self.n_anomalies, 1)
        self._positive("epochs", self.epochs, 1)
        self._positive("batch_size", self.batch_size, 1)
        self._positive("seeds", self.seeds, 1)
        if self.seeds > MAX_SEEDS:
            raise ValueError(f"SignatureConfig: seeds must be at most {MAX_SEEDS}, got {self.seeds}")
        lr = learning_rate("SignatureConfig", eps, self.lr, default=DEFAULT_LR)
        if lr > 10:
            raise ValueError(f"SignatureConfig: lr must be a learning rate in (0, 10], got {lr!r}")
        for name, choices in CHOICES.items():
            if getattr(self, name) not in choices:
                raise ValueError(f"SignatureConfig: {name} must be one of {list(choices)}, "
                                 f"got {getattr(self, name)!r}")
        k_range = _ints("k_range", self.k_range, 2, 50)
        if len(k_range) != 2 or k_range[0] > k_range[1]:
            raise ValueError(f"SignatureConfig: k_range must be (low, high) with 2 <= low <= high, "
                             f"got {list(self.k_range)}")
        for name, value in (("classes", tuple(sorted(classes))), ("anomalies", anomalies),
                            ("hidden", hidden), ("k_range", k_range), ("lr", lr)):
            object.__setattr__(self, name, value)

    @staticmethod
    def _positive(name: str, value, low: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"SignatureConfig: {name} must be an integer >= {low}, got {value!r}")

    @property
    def name(self) -> str:
        """Folder name: ``signature_<classes>_<n or all>`` (+ ``_a<anomalies>``, + dataset if not
        USPS, + ``_analysed-all`` when the training images are analysed too)."""
        name = f"signature_{''.join(map(str, self.classes))}_{self.n_per_class or 'all'}"
        if self.anomalies:
            name += f"_a{''.join(map(str, self.anomalies))}"
        if self.dataset != "usps":
            name += f"_{self.dataset}"
        return name + ("_analysed-all" if self.analysed == "all" else "")

    def to_dict(self) -> dict:
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}
