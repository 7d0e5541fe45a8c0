"""``AutoEncoder``: an encoder and a decoder trained to give back their input."""

from __future__ import annotations

import numpy as np

from ._checks import as_float
from .containers import Sequential
from .layers.activations import Identity, LeakyReLU, ReLU, Sigmoid, TanH
from .layers.linear import Linear
from .layers.tied import TiedLinear
from .module import Module, Remembered
from .random import make_rng

__all__ = ["ACTIVATIONS", "AutoEncoder", "named_modules", "symmetric_sizes"]

ACTIVATIONS: dict[str, type[Module]] = {
    "identity": Identity,
    "leaky_relu": LeakyReLU,
    "relu": ReLU,
    "sigmoid": Sigmoid,
    "tanh": TanH,
}


class AutoEncoder(Module):
    """``X -> encoder -> Z -> decoder -> Xhat``, a module like any other.

    Trained with ``Optim`` / ``SGD`` with the input as its own target (``SGD(ae, BCELoss(), X,
    X)``). ``encode`` gives the latent codes, ``decode`` maps codes back to inputs. Parameters
    are named ``"encoder.<name>"`` and ``"decoder.<name>"``.

    Args:
        encoder: module ``(batch, d) -> (batch, k)``.
        decoder: module ``(batch, k) -> (batch, d)``.
        ties: ``{decoder module path: encoder module path}``: point each listed ``TiedLinear``
            of the decoder at the ``Linear`` of the encoder at that path (paths as in
            ``parameters()`` names: ``"0"``, ``"2"``). Used when rebuilding a tied autoencoder
            from its config (saving writes the twin as a separate spec; this re-links it).

    Backward:
        Like ``Sequential``: ``backward_update_gradient(X, delta)`` accumulates both parts'
        gradients and keeps the delta reaching the code, so that a following
        ``backward_delta(X, delta)`` with the same ``delta`` only runs the encoder's input
        gradient (nothing is computed twice). Both take the ``X`` of the last ``forward`` (that
        object, or an array equal to it), or raise a ``RuntimeError``.
    """

    # what forward saw (its input -> the code), and the delta reaching the code after an update
    # pass (for the delta it was given)
    _transient = {"_forward_code": Remembered(), "_code_delta": Remembered()}

    def __init__(self, encoder: Module, decoder: Module, ties: dict[str, str] | None = None):
        super().__init__()
        for name, part in (("encoder", encoder), ("decoder", decoder)):
            if not isinstance(part, Module):
                raise TypeError(f"AutoEncoder: {name} must be a Module, got {type(part).__name__}")
        self.encoder, self.decoder = encoder, decoder
        if ties:
            self._relink(ties)

    def named_children(self) -> list[tuple[str, Module]]:
        return [("encoder", self.encoder), ("decoder", self.decoder)]

    # -- passes ----------------------------------------------------------------------------
    def encode(self, X):
        """Latent codes ``Z = encoder(X)``, ``(batch, k)``."""
        return self.encoder.forward(X)

    def decode(self, Z):
        """Reconstructions ``decoder(Z)``, ``(batch, d)``."""
        return self.decoder.forward(Z)

    def forward(self, X):
        self._forward_code.forget()
        self._code_delta.forget()
        X = as_float(X, "AutoEncoder.forward", "X", int_dtype=None)
        code = self.encode(X)
        Xhat = self.decode(code)
        self._forward_code.remember(X, code)
        return Xhat

    def backward_update_gradient(self, input, delta):
        code = self._forward_code.require(input, "AutoEncoder.backward_update_gradient")
        self.decoder.backward_update_gradient(code, delta)
        code_delta = self.decoder.backward_delta(code, delta)
        self.encoder.backward_update_gradient(self._forward_code.key, code_delta)
        self._code_delta.remember(delta, code_delta)

    def backward_delta(self, input, delta):
        code = self._forward_code.require(input, "AutoEncoder.backward_delta")
        code_delta = self._code_delta.recall(delta)
        if code_delta is None:
            code_delta = self.decoder.backward_delta(code, delta)
        return self.encoder.backward_delta(self._forward_code.key, code_delta)

    def backward(self, delta):
        """Full backward pass after ``forward``: accumulate gradients, return ``dL/dX``."""
        if self._forward_code.empty:
            raise RuntimeError("AutoEncoder.backward: call forward before backward")
        X = self._forward_code.key
        self.backward_update_gradient(X, delta)
        return self.backward_delta(X, delta)

    # -- building --------------------------------------------------------------------------
    @classmethod
    def symmetric(cls, input_dim: int, latent_dim: int, steps: int = 2, hidden=None,
                  activation="tanh", output="sigmoid", latent_activation=None, tied: bool = False,
                  init: str = "uniform", rng=None, dtype=None) -> AutoEncoder:
        """A mirrored dense autoencoder.

        The encoder is ``steps`` blocks ``Linear -> activation`` with sizes from
        ``symmetric_sizes(input_dim, latent_dim, steps, hidden)``; the decoder runs the same
        sizes backwards, ``activation`` after each Linear but the last, ``output`` after it.

        Args:
            input_dim: ``d``, size of an input (and of a reconstruction).
            latent_dim: ``k``, size of a code.
            steps: number of Linear layers of the encoder (ignored when ``hidden`` is given).
            hidden: explicit sizes of the encoder's hidden layers, e.g. ``[264, 88]`` for
                784-264-88-30; overrides the geometric spacing.
            activation: hidden activation: a name of ``ACTIVATIONS`` (``"tanh"``), a Module
                class (``TanH``) or an instance used as template (``LeakyReLU(0.01)``).
            output: activation of the reconstruction (``"sigmoid"`` for BCE); None for none.
            latent_activation: activation of the code; None means ``activation``; pass
                ``"identity"`` for a linear code.
            tied: each decoder Linear is a ``TiedLinear`` sharing the transpose of its encoder
                twin's weight (own bias).
            init, rng, dtype: passed to every ``Linear``.

        Example:
            >>> ae = AutoEncoder.symmetric(784, 30, hidden=[264, 88], tied=True)
            >>> ae.sizes
            [784, 264, 88, 30]
        """
        sizes = symmetric_sizes(input_dim, latent_dim, steps, hidden)
        hidden_act = _activation_factory(activation, "activation")
        code_act = hidden_act if latent_activation is None else _activation_factory(
            latent_activation, "latent_activation")
        out_act = None if output is None else _activation_factory(output, "output")
        rng = make_rng(rng, "AutoEncoder.symmetric")
        encoder, twins = Sequential(), []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            layer = Linear(n_in, n_out, init=init, rng=rng, dtype=dtype)
            twins.append(layer)
            encoder.append(layer).append(code_act() if i == len(sizes) - 2 else hidden_act())
        decoder = Sequential()
        for i, twin in enumerate(reversed(twins)):
            layer = TiedLinear(twin, rng=rng) if tied else Linear(
                twin.output, twin.input, init=init, rng=rng, dtype=dtype)
            decoder.append(layer)
            last = i == len(twins) - 1
            act = (out_act if last else hidden_act)
            if act is not None:
                decoder.append(act())
        return cls(encoder, decoder)

    @property
    def sizes(self) -> list[int]:
        """Feature sizes from input to code, read from the encoder's Linear layers."""
        linears = [m for m in self.encoder.modules() if isinstance(m, Linear)]
        return [linears[0].input] + [m.output for m in linears] if linears else []

    @property
    def tied(self) -> bool:
        """Whether the decoder holds ``TiedLinear`` layers."""
        return any(isinstance(m, TiedLinear) for m in self.decoder.modules())

    def ties(self) -> dict[str, str]:
        """``{decoder path: encoder path}`` of each ``TiedLinear`` whose twin is in the encoder."""
        encoder_paths = {id(m): path for path, m in named_modules(self.encoder)}
        return {path: encoder_paths[id(m.twin)] for path, m in named_modules(self.decoder)
                if isinstance(m, TiedLinear) and id(m.twin) in encoder_paths}

    def _relink(self, ties: dict[str, str]) -> None:
        encoder, decoder = dict(named_modules(self.encoder)), dict(named_modules(self.decoder))
        for dec_path, enc_path in ties.items():
            tied, twin = decoder.get(dec_path), encoder.get(enc_path)
            if not isinstance(tied, TiedLinear) or not isinstance(twin, Linear):
                raise ValueError(f"AutoEncoder: ties must map decoder TiedLinear paths to encoder "
                                 f"Linear paths, got {dec_path!r}: {enc_path!r} "
                                 f"({type(tied).__name__} -> {type(twin).__name__})")
            if (twin.input, twin.output) != (tied.output, tied.input):
                raise ValueError(f"AutoEncoder: decoder {dec_path!r} TiedLinear({tied.input} -> "
                                 f"{tied.output}) cannot share the weight of encoder {enc_path!r} "
                                 f"Linear({twin.input} -> {twin.output})")
            tied.twin = twin

    def get_config(self) -> dict:
        config = {"encoder": self.encoder, "decoder": self.decoder}
        ties = self.ties()
        if ties:
            config["ties"] = ties
        return config

    def __repr__(self) -> str:
        enc = repr(self.encoder).replace("\n", "\n  ")
        dec = repr(self.decoder).replace("\n", "\n  ")
        return f"AutoEncoder(\n  (encoder): {enc}\n  (decoder): {dec}\n)"


def named_modules(module: Module, prefix: str = ""):
    """``(path, module)`` for every sub-module below ``module``, paths like ``"0"`` or ``"1.2"``."""
    for name, child in module.named_children():
        path = f"{prefix}{name}"
        yield path, child
        yield from named_modules(child, f"{path}.")


def symmetric_sizes(input_dim: int, latent_dim: int, steps: int = 2, hidden=None) -> list[int]:
    """Encoder sizes ``[input_dim, h_1, ..., latent_dim]``.

    Without ``hidden``, the ``steps - 1`` hidden sizes are spread geometrically:
    ``h_i = round(input_dim * (latent_dim / input_dim) ** (i / steps))``, so each layer divides
    the width by about the same factor (784 -> 30 in 3 steps: 784, 264, 89, 30).

    Raises:
        ValueError: a size or ``steps`` is not a positive int.
    """
    for name, value in (("input_dim", input_dim), ("latent_dim", latent_dim), ("steps", steps)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"AutoEncoder.symmetric: {name} must be a positive int, got {value!r}")
    if hidden is not None:
        hidden = list(hidden)
        for value in hidden:
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"AutoEncoder.symmetric: hidden sizes must be positive ints, "
                                 f"got {hidden!r}")
        return [int(input_dim), *map(int, hidden), int(latent_dim)]
    ratio = latent_dim / input_dim
    middle = [max(1, round(input_dim * ratio ** (i / steps))) for i in range(1, steps)]
    return [int(input_dim), *middle, int(latent_dim)]


def _activation_factory(spec, name: str):
    """A zero-argument callable building a fresh activation from ``spec`` (name, class, instance)."""
    if isinstance(spec, str):
        if spec not in ACTIVATIONS:
            raise ValueError(f"AutoEncoder.symmetric: unknown {name} {spec!r}; choose one of "
                             f"{sorted(ACTIVATIONS)}")
        return ACTIVATIONS[spec]
    if isinstance(spec, type) and issubclass(spec, Module):
        return spec
    if isinstance(spec, Module):
        return lambda: type(spec)(**spec.get_config())
    raise TypeError(f"AutoEncoder.symmetric: {name} must be an activation name, a Module class or "
                    f"a Module instance, got {spec!r}")
