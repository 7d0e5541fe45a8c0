"""Import an optional framework (PyTorch, Keras, onnxruntime) only where it is needed, with the
install hint when it is missing. Nothing here imports a framework by itself."""

from __future__ import annotations

import importlib
import importlib.util

__all__ = ["check_available", "require"]


def require(module: str, extra: str, where: str):
    """The module ``module``, or an ``ImportError`` telling how to install the extra ``extra``."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"{where} needs {module.split('.')[0]}: pip install 'flambeau[{extra}]'") from error


def check_available(module: str, extra: str, where: str, hint: str = "") -> None:
    """Fail early, before any long work, if ``module`` is not installed (nothing is imported)."""
    if importlib.util.find_spec(module) is None:
        raise ImportError(f"{where} needs {module}: pip install 'flambeau[{extra}]'{hint}")
