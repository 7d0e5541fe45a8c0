"""Former name of ``flambeau.analysis`` (the analysis functions behind the autoencoder and
latent-space studies): it re-exports it, with a ``DeprecationWarning``, and will be removed."""

import warnings

from .analysis import *  # noqa: F403
from .analysis import __all__  # noqa: F401

warnings.warn("flambeau.studies is now flambeau.analysis", DeprecationWarning, stacklevel=2)
