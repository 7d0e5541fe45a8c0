"""The course's mltools helpers: original signatures, the data they draw, the files they read."""

from __future__ import annotations

import gzip

import matplotlib
import numpy as np
import pytest

import flambeau
from flambeau.course import gen_arti, get_usps, load_usps, make_grid, plot_data, plot_frontiere, show_usps
from flambeau.datasets import load_usps as load_usps_dataset
from flambeau.datasets import synthetic
from flambeau.datasets.usps import embedded_usps_paths

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the headless backend


@pytest.fixture
def figure():
    fig = plt.figure()
    yield fig
    plt.close(fig)


# -- gen_arti -------------------------------------------------------------------------------
def test_gen_arti_takes_the_course_keywords():
    data, y = gen_arti(data_type=1, epsilon=0.1, nbex=1000)
    assert data.shape == (1000, 2) and y.shape == (1000, 1)
    assert sorted(np.unique(y).tolist()) == [-1.0, 1.0] and (y == 1).sum() == 500


def test_gen_arti_positional_order_is_the_courses():
    flambeau.manual_seed(0)
    data, y = gen_arti(2, 2, 0.01, 400, 0, 0.0)  # centerx, centery, sigma, nbex, data_type, epsilon
    positive = data[y[:, 0] == 1]
    np.testing.assert_allclose(positive.mean(axis=0), [2, 2], atol=0.05)
    np.testing.assert_allclose(data[y[:, 0] == -1].mean(axis=0), [-2, -2], atol=0.05)
    assert abs(positive.var(axis=0) - 0.01).max() < 0.003  # sigma is a variance


def test_gen_arti_is_seeded_by_manual_seed_and_is_the_library_generator():
    flambeau.manual_seed(7)
    first = gen_arti(sigma=0.2, nbex=300, data_type=1, epsilon=0.05)
    flambeau.manual_seed(7)
    again = gen_arti(sigma=0.2, nbex=300, data_type=1, epsilon=0.05)
    flambeau.manual_seed(7)
    library = synthetic.gen_arti(1, 300, 0.2, 0.05)
    for ours, theirs in zip(first, again, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    for ours, theirs in zip(first, library, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_gen_arti_four_gaussians_are_the_xor_layout():
    data, y = gen_arti(sigma=0.01, nbex=800, data_type=1, epsilon=0.0)
    np.testing.assert_array_equal(np.sign(data[:, 0] * data[:, 1]), y[:, 0])


def test_gen_arti_checkerboard_label_is_the_parity_of_the_cell():
    data, y = gen_arti(nbex=1000, data_type=2, epsilon=0.0)
    assert data.min() >= -4 and data.max() <= 4
    odd = (np.ceil(data[:, 0]) + np.ceil(data[:, 1])) % 2 == 1
    np.testing.assert_array_equal(np.where(odd, 1.0, -1.0), y[:, 0])


def test_gen_arti_epsilon_is_the_std_of_the_added_noise():
    flambeau.manual_seed(3)
    clean, _ = gen_arti(nbex=4000, epsilon=0.0)
    flambeau.manual_seed(3)
    noisy, _ = gen_arti(nbex=4000, epsilon=0.3)
    assert abs((noisy - clean).std() - 0.3) < 0.01


def test_gen_arti_errors_and_the_unused_centery():
    with pytest.raises(ValueError, match=r"gen_arti: data_type must be one of 0 \(two gaussians\), "
                                         r"1 \(four gaussians\), 2 \(checkerboard\), got 3"):
        gen_arti(data_type=3)
    with pytest.raises(ValueError, match=r"gen_arti: nbex \(number of samples\) must be a positive "
                                         "integer, got 0"):
        gen_arti(nbex=0)
    with pytest.warns(UserWarning, match=r"gen_arti: centery=3 is not used: as in the course, every "
                                         r"centre lies at \+-centerx=1 on both axes"):
        gen_arti(centery=3, nbex=10)


# -- make_grid, plot_data, plot_frontiere ---------------------------------------------------
def test_make_grid_is_the_courses_arange_grid():
    grid, x, y = make_grid(xmin=-2, xmax=3, ymin=0, ymax=1, step=10)
    assert grid.shape == (100, 2) and x.shape == y.shape == (10, 10)
    course_x, course_y = np.meshgrid(np.arange(-2, 3, 5 / 10), np.arange(0, 1, 1 / 10))
    np.testing.assert_allclose(x, course_x, atol=1e-6)
    np.testing.assert_allclose(y, course_y, atol=1e-6)
    np.testing.assert_array_equal(grid, np.c_[x.ravel(), y.ravel()])


def test_make_grid_spans_the_datas_bounding_box_in_its_dtype():
    data = np.array([[-1, 4], [3, 2], [0, 5]], dtype=np.float32)
    grid, x, y = make_grid(data, step=4)
    assert grid.dtype == np.float32 and grid.shape == (16, 2)
    assert x.min() == -1 and y.min() == 2 and x.max() == 2 and y.max() == 4.25
    assert make_grid()[0].shape == (400, 2)


def test_make_grid_errors():
    with pytest.raises(ValueError, match=r"make_grid: empty box: x in \[1, 1\], y in \[0, 2\]"):
        make_grid(np.array([[1.0, 0.0], [1.0, 2.0]]))
    with pytest.raises(ValueError, match=r"make_grid: data must have shape \(n, 2\) with n >= 1, "
                                         r"got \(3, 3\)"):
        make_grid(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="make_grid: step must be a positive integer, got 0"):
        make_grid(step=0)


def test_plot_frontiere_fills_the_sign_of_f(figure, tmp_path):
    data = np.array([[-2.0, -1.0], [2.0, 1.0]])
    contours = plot_frontiere(data, lambda grid: 10 * grid[:, :1], step=30)  # any scale: its sign
    assert list(contours.levels) == [-1, 0, 1]
    path = tmp_path / "frontiere.png"
    figure.savefig(path)
    pixels = plt.imread(path)[..., :3]
    blue = (pixels[..., 2] > 0.9) & (pixels[..., 0] < 0.1)
    grey = (np.abs(pixels[..., 0] - 0.5) < 0.05) & (np.abs(pixels[..., 2] - 0.5) < 0.05)
    assert blue.mean() > 0.2 and grey.mean() > 0.2


def test_plot_frontiere_rejects_a_score_count_that_is_not_the_grid(figure):
    with pytest.raises(ValueError, match=r"plot_frontiere: f must return one score per grid point "
                                         r"\(400 points of shape \(2,\)\), got an array of shape \(2,\)"):
        plot_frontiere(np.array([[0.0, 0.0], [1.0, 1.0]]), lambda grid: np.zeros(2))


def test_plot_data_draws_one_series_per_label(figure):
    data, y = gen_arti(nbex=60, data_type=1)
    plot_data(data, y)
    assert len(figure.axes[0].collections) == 2
    plot_data(data)
    assert len(figure.axes[0].collections) == 3
    with pytest.raises(ValueError, match=r"plot_data: labels must hold one value per point \(60\), got 59"):
        plot_data(data, y[:59])


# -- USPS -----------------------------------------------------------------------------------
def _write_course_file(path, labels, pixels, header="7291 256"):
    rows = [" ".join([str(label)] + [f"{v:g}" for v in row])
            for label, row in zip(labels, pixels, strict=True)]
    path.write_text(header + "\n" + "\n".join(rows) + "\n\n")


def test_load_usps_reads_the_course_file_as_written(tmp_path):
    pixels = np.linspace(0, 2, 3 * 256).reshape(3, 256).round(3)
    _write_course_file(tmp_path / "USPS_train.txt", [6, 5, 4], pixels)
    datax, datay = load_usps(tmp_path / "USPS_train.txt")
    assert datax.shape == (3, 256) and datax.dtype == np.float32
    np.testing.assert_allclose(datax, pixels, rtol=1e-6)  # grey levels not rescaled
    assert datay.tolist() == [6, 5, 4] and datay.dtype.kind == "i"


def test_load_usps_reads_the_zip_gz_rows_of_the_library():
    _, test_gz = embedded_usps_paths()
    datax, datay = load_usps(test_gz)
    _, _, X_test, y_test = load_usps_dataset()
    assert datax.shape == (2007, 256)
    np.testing.assert_array_equal(datay, y_test)
    np.testing.assert_allclose((datax + 1) / 2, X_test, atol=1e-6)  # the library maps [-1, 1] to [0, 1]


def test_load_usps_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"load_usps: no file .*USPS_test.txt \(the course's files"):
        load_usps(tmp_path / "USPS_test.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("header\n" + "1 " + "0 " * 256 + "\n" + "2 " + "0 " * 100 + "\n")
    with pytest.raises(ValueError, match=r"load_usps: .*bad.txt, line 3: expected 257 values \(the label "
                                         r"then 256 grey levels\), got 101"):
        load_usps(bad)
    with gzip.open(tmp_path / "word.gz", "wt") as f:
        f.write("1 " + "0 " * 256 + "\n" + "2 " + "0 " * 200 + "x " + "0 " * 55 + "\n")
    with pytest.raises(ValueError, match=r"load_usps: .*word.gz, line 2: 'x' is not a number"):
        load_usps(tmp_path / "word.gz")
    (tmp_path / "empty.txt").write_text("7291 256\n\n")
    with pytest.raises(ValueError, match=r"load_usps: .*empty.txt holds no sample"):
        load_usps(tmp_path / "empty.txt")


@pytest.mark.parametrize("content, message", [
    ("truncated", r" is a truncated gzip file \(Compressed file ended before the end-of-stream marker was "
                  r"reached\); delete it and download it again$"),
    ("not gzip", r" is not a valid gzip file"),
    ("binary", r", line 1: byte 0xff is not text; expected numbers separated by spaces$"),
])
def test_load_usps_refuses_damaged_files_naming_them(tmp_path, content, message):
    path = tmp_path / ("zip.train.gz" if content != "binary" else "USPS_train.txt")
    whole = gzip.compress(("1 " + " ".join(["0.5"] * 256) + "\n").encode() * 20)
    path.write_bytes({"truncated": whole[:len(whole) // 2], "not gzip": b"plain text, not gzip",
                      "binary": b"\xff\xfe\x00 garbage"}[content])
    with pytest.raises(ValueError, match=rf"^load_usps: {path}{message}"):
        load_usps(path)


@pytest.mark.parametrize("token", ["1e39", "nan", "-inf"])
def test_load_usps_refuses_values_that_are_not_finite_numbers(tmp_path, token):
    """Found by the fuzz suite: 1e39 (beyond float32) was read as inf without a word."""
    path = tmp_path / "USPS_train.txt"
    path.write_text("header\n" + "1 " + "0 " * 256 + "\n" + "2 " + f"{token} " + "0 " * 255 + "\n")
    with pytest.raises(ValueError, match=rf"^load_usps: {path}, line 3: '{token}' is not a finite number in "
                                         r"float32$"):
        load_usps(path)


def test_get_usps_one_digit_or_a_list_in_its_order():
    datax = np.arange(12, dtype=np.float32).reshape(6, 2)
    datay = np.array([1, 3, 1, 2, 3, 1])
    x, y = get_usps(1, datax, datay)
    assert y.tolist() == [1, 1, 1] and x[:, 0].tolist() == [0, 4, 10]
    x, y = get_usps([3, 1], datax, datay)
    assert y.tolist() == [3, 3, 1, 1, 1] and x[:, 0].tolist() == [2, 8, 0, 4, 10]
    with pytest.raises(ValueError, match="get_usps: l must be a digit or a non-empty list of digits"):
        get_usps([], datax, datay)


def test_show_usps_draws_a_16x16_grey_image(figure):
    image = show_usps(np.linspace(0, 1, 256))
    assert image.get_array().shape == (16, 16) and image.get_cmap().name == "gray"
    with pytest.raises(ValueError, match=r"show_usps: data must hold one 16x16 image \(256 values\), "
                                         r"got shape \(255,\)"):
        show_usps(np.zeros(255))
