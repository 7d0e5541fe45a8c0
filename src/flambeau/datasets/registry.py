"""Descriptions of the IDX datasets: file names, official mirrors and SHA-256 checksums.

The checksums are those of the gzip files as served by the official mirrors, checked on
every download. Files found locally are not hashed (re-compressed copies such as Debian's
``dataset-fashion-mnist`` package differ byte-wise from the mirrors although they hold the same
images); the IDX reader validates their structure instead.

Provenance of the checksums. The development machine has no network, so none of them could
be checked against the mirrors here; each is the value that several independent public dataset
loaders agree on (torchvision-style loaders, TFDS-style checksum tables):

- MNIST: the four classic files (LeCun's site and its S3 / GCS copies). The copy in the
  project's shared data was rebuilt from PNG images, so its gzip bytes differ; the tests check
  its decoded arrays instead.
- Fashion-MNIST: the four files of Zalando's S3 bucket and GitHub repository (whose published
  MD5s, 8d4fb7e6... for the training images, the same loaders pair with these SHA-256). Debian's
  copy (``/usr/share/datasets/fashion-mnist``, also the shared data's) is re-compressed, so its
  gzip bytes differ; whether its arrays are byte-identical to the mirrors' was not checked here.
- KMNIST: the four CODH files; the publisher lists no checksum of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DATASETS", "FASHION_MNIST", "KMNIST", "MNIST", "DatasetFile", "IDXDataset"]


@dataclass(frozen=True)
class DatasetFile:
    """One file of a dataset: its name (as on the mirrors) and the SHA-256 of those bytes.

    ``sha256=None`` means "unknown": a download is then accepted with a logged warning.
    """

    name: str
    sha256: str | None


@dataclass(frozen=True)
class IDXDataset:
    """An MNIST-like dataset stored as four IDX files.

    Attributes:
        name: folder name under every search location (``mnist``).
        title: human-readable name used in messages.
        image_shape: ``(height, width)`` of one image.
        class_names: label names, index = label.
        train_images, train_labels, test_images, test_labels: the four files.
        mirrors: base URLs tried in order; a file's URL is ``mirror + file.name``.
        homepage: where a user can fetch the files by hand.
    """

    name: str
    title: str
    image_shape: tuple[int, int]
    class_names: tuple[str, ...]
    train_images: DatasetFile
    train_labels: DatasetFile
    test_images: DatasetFile
    test_labels: DatasetFile
    mirrors: tuple[str, ...]
    homepage: str

    @property
    def files(self) -> tuple[DatasetFile, ...]:
        return (self.train_images, self.train_labels, self.test_images, self.test_labels)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


def _classic_files(sha256s: tuple[str | None, ...]) -> dict[str, DatasetFile]:
    names = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    roles = ("train_images", "train_labels", "test_images", "test_labels")
    return {role: DatasetFile(name, sha) for role, name, sha in zip(roles, names, sha256s, strict=True)}


MNIST = IDXDataset(
    name="mnist",
    title="MNIST",
    image_shape=(28, 28),
    class_names=tuple(str(d) for d in range(10)),
    **_classic_files((
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    )),
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    homepage="http://yann.lecun.com/exdb/mnist/",
)

FASHION_MNIST = IDXDataset(
    name="fashion-mnist",
    title="Fashion-MNIST",
    image_shape=(28, 28),
    class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                 "Sneaker", "Bag", "Ankle boot"),
    **_classic_files((
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    )),
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
    homepage="https://github.com/zalandoresearch/fashion-mnist "
             "(Debian: apt install dataset-fashion-mnist)",
)

KMNIST = IDXDataset(
    name="kmnist",
    title="Kuzushiji-MNIST",
    image_shape=(28, 28),
    class_names=("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"),
    **_classic_files((
        "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4",
        "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17",
        "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5",
        "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c",
    )),
    mirrors=(
        "https://codh.rois.ac.jp/kmnist/dataset/kmnist/",
        "http://codh.rois.ac.jp/kmnist/dataset/kmnist/",
    ),
    homepage="https://github.com/rois-codh/kmnist",
)

DATASETS = {spec.name: spec for spec in (MNIST, FASHION_MNIST, KMNIST)}
