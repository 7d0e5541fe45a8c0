import numpy as np
import pytest

from flambeau.app import raster
from flambeau.app.callbacks import hovered_sample, selection_outputs
from flambeau.app.figures import sample_colours, scatter_figure
from flambeau.app.images import png_bytes
from flambeau.app.selection import SelectionError, indices_from_map


@pytest.fixture
def big(synthetic, monkeypatch):
    monkeypatch.setattr(raster, "RASTER_ABOVE", 300)
    return synthetic(400, 2)


def test_large_maps_are_images_with_a_legend_and_a_hover_grid(big):
    figure = scatter_figure(big, 0, "label")
    kinds = [trace["type"] for trace in figure["data"]]
    assert set(kinds[:-1]) == {"scatter"} and kinds[-1] == "heatmap"
    assert all(trace["x"] == [None] for trace in figure["data"][:-1])  # legend entries only
    image = figure["layout"]["images"][0]
    assert image["source"].startswith("data:image/png;base64,") and image["sizing"] == "stretch"
    x0, x1, y0, y1 = raster.map_extent(big, 0)
    assert figure["layout"]["xaxis"]["range"] == [x0, x1] and (image["x"], image["y"]) == (x0, y1)
    xy = big.coords[0]
    assert x0 < xy[:, 0].min() and xy[:, 0].max() < x1 and y0 < xy[:, 1].min() and xy[:, 1].max() < y1


def test_every_sample_is_painted_and_a_selection_fades_the_others(big):
    codes, colours = sample_colours(big, 0, "label")
    plain = raster.raster_image(big, 0, codes, colours)
    selected = raster.raster_image(big, 0, codes, colours, np.arange(big.n) < 10)
    assert plain != selected
    pixels = raster._pixels(big, 0)
    width, height = raster.RASTER_SIZE
    assert pixels[:, 0].min() >= 1 and pixels[:, 0].max() <= height - 2
    assert pixels[:, 1].min() >= 1 and pixels[:, 1].max() <= width - 2


def test_a_box_or_a_lasso_selects_every_sample_inside(big):
    xy = big.coords[1]
    box = {"index": 1, "indices": [], "range": {"x": [0.5, 8.0], "y": [-1.0, 6.0]}}
    expected = np.flatnonzero((xy[:, 0] >= 0.5) & (xy[:, 0] <= 8) & (xy[:, 1] >= -1) & (xy[:, 1] <= 6))
    assert indices_from_map(big, box).tolist() == expected.tolist()
    square = {"index": 1, "lasso": {"x": [0.5, 8.0, 8.0, 0.5], "y": [-1.0, -1.0, 6.0, 6.0]}}
    assert indices_from_map(big, square).tolist() == expected.tolist()
    with pytest.raises(SelectionError, match="a box or lasso needs 2 finite numbers per axis, got"):
        indices_from_map(big, {"index": 1, "range": {"x": [0, "a"], "y": [0, 1]}})
    with pytest.raises(SelectionError, match=r"map index must be in 0..1, got 5"):
        indices_from_map(big, {"index": 5, "range": {"x": [0, 1], "y": [0, 1]}})
    with pytest.raises(SelectionError, match="a lasso needs as many x as y, at least 3, got 2 and 2"):
        indices_from_map(big, {"index": 0, "lasso": {"x": [0, 1], "y": [0, 1]}})


def test_a_selection_redraws_every_map_image_and_the_sankey(big):
    event = {"index": 0, "indices": [], "range": {"x": [-100, 100], "y": [-100, 100]}}
    figures, sankey, stored, text = selection_outputs(big, "scatter-selection", event, None, "label", None, 2)
    assert len(stored) == big.n and text.startswith(f"{big.n} samples selected (")
    for patch in figures:  # the map selected in too: its image shows the selection
        operations = patch.to_plotly_json()["operations"]
        assert operations[0]["location"] == ["layout", "images", 0, "source"]
        assert operations[0]["params"]["value"].startswith("data:image/png;base64,")
    assert sankey["layout"]["title"]["text"].endswith(f"{big.n} selected")


def test_hovering_a_map_image_shows_the_nearest_sample_or_nothing(big):
    i = 17
    x, y = big.coords[0][i].tolist()
    assert hovered_sample(big, {"x": x, "y": y}, {"type": "scatter", "index": 0}) == i
    x0, x1, y0, y1 = raster.map_extent(big, 0)
    far = hovered_sample(big, {"x": x1, "y": y0}, {"type": "scatter", "index": 0})
    if far is not None:
        distances = np.linalg.norm(big.coords[0] - [x1, y0], axis=1)
        assert far == int(np.argmin(distances))
    with pytest.raises(SelectionError, match="a hovered map point needs a map index and x, y"):
        hovered_sample(big, {"x": "a", "y": 1}, {"type": "scatter", "index": 0})


def test_palette_pngs_are_valid():
    image = np.array([[0, 1], [2, 1]], np.uint8)
    data = png_bytes(image, np.array([[255, 255, 255], [255, 0, 0], [0, 0, 255]]))
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and b"PLTE" in data
    import io

    from matplotlib.image import imread

    decoded = imread(io.BytesIO(data))[..., :3]
    assert np.allclose(decoded[0, 1], [1, 0, 0]) and np.allclose(decoded[1, 0], [0, 0, 1])
    with pytest.raises(ValueError, match=r"png_bytes: palette must have shape \(k, 3\)"):
        png_bytes(image, np.zeros((3, 4)))


def test_the_export_of_a_large_study_says_its_maps_are_images(big):
    from flambeau.app.export import export_html

    page = export_html(big)
    assert "The maps of this large study are images of every sample" in page
    assert "sel && tr.customdata ?" in page and page.count("png;base64,") >= 2  # the 2 maps
