"""The documentation's sources: the guides in docs/ run (their Python code blocks, in order, as one
script), the API reference names every public class, each layer's docstring gives its formulas and
shapes, the README splits into the site's pages, the tutorials are complete.

(The site itself is built by ``make docs``, ``mkdocs build --strict``, in CI.)"""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import flambeau
import flambeau.layers

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
TUTORIALS = sorted((DOCS / "tutorials").glob("[0-9][0-9]_*.py"))

_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def _script(name: str) -> str:
    blocks = _BLOCK.findall((DOCS / name).read_text(encoding="utf-8"))
    assert blocks, f"docs/{name} has no python code block"
    return "\n".join(blocks)


def test_extending_guide_runs(tmp_path):
    """The custom layer trains in a Sequential, saves and loads, and passes the check battery."""
    script = tmp_path / "extending.py"
    script.write_text(_script("extending.md"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    trained = re.search(r"^loss \d\.\d{3} -> \d\.\d{3}, accuracy \d\.\d\d$", done.stdout, re.MULTILINE)
    assert trained, done.stdout
    assert "Sequential(\n  (0): Linear(" in done.stdout and "__main__.Scale" not in done.stdout
    assert "(1): Scale(features=16)" in done.stdout
    assert "FAIL" not in done.stdout and done.stdout.count("PASS  ") >= 10, done.stdout
    assert (tmp_path / "moons.npz").is_file()


def _api_directives() -> set[str]:
    found = set()
    for page in (DOCS / "api").glob("*.md"):
        found |= set(re.findall(r"^::: ([\w.]+)", page.read_text(), flags=re.M))
    return found


def test_the_api_reference_shows_every_public_class_and_function():
    directives = _api_directives()
    missing = [name for name in flambeau.__all__
               if name != "__version__" and f"flambeau.{name}" not in directives
               and name not in ("BCE", "CE", "CELogSoftmax", "Sequentiel", "Sigmoide")]  # aliases
    assert not missing, f"docs/api/*.md lacks '::: flambeau.NAME' for {missing}"


@pytest.mark.parametrize("module", ["flambeau.check", "flambeau.course", "flambeau.datasets",
                                    "flambeau.analysis", "flambeau.signatures", "flambeau.interop",
                                    "flambeau.models", "flambeau.metrics", "flambeau.plot"])
def test_each_public_subpackage_has_its_api_page(module):
    assert module in _api_directives()


def test_the_aliases_are_documented_with_the_course():
    text = (DOCS / "api" / "course.md").read_text() + (DOCS / "teachers.md").read_text()
    for alias in ("BCE", "CE", "CELogSoftmax", "Sequentiel", "Sigmoide"):
        assert f"`{alias}`" in text, alias


@pytest.mark.parametrize("name", flambeau.layers.__all__)
def test_each_layer_docstring_gives_its_formulas_and_shapes(name):
    cls = getattr(flambeau.layers, name)
    doc = inspect.getdoc(cls)
    assert "Shape" in doc, f"{name}: no Shape section"
    assert re.search(r"dL/dX", doc), f"{name}: no input-gradient formula"
    assert re.search(r"\bY\b|Y\[|Y =|Y_i", doc) or "->" in doc, f"{name}: no forward formula"
    instance = {"Linear": (3, 2), "Conv1D": (3, 1, 2), "Conv2D": (3, 1, 2), "BatchNorm1D": (3,),
                "TiedLinear": (flambeau.Linear(3, 2),), "Reshape": ((4,),), "MaxPool1D": (2,),
                "MaxPool2D": (2,), "AvgPool1D": (2,), "AvgPool2D": (2,)}.get(name, ())
    for param in cls(*instance).parameters():
        symbol = {"gamma": "gamma", "beta": "beta"}.get(param, param)
        assert f"dL/d{symbol}" in doc, f"{name}: no gradient formula for its parameter {param}"


def _hook():
    spec = importlib.util.spec_from_file_location("docs_hook_pages", DOCS / "hooks" / "pages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_readme_section_becomes_a_page():
    pages = _hook().readme_pages()
    readme = (REPO / "README.md").read_text()
    titles = re.findall(r"^## (.+)$", readme, flags=re.M)
    home = pages[0][2]
    assert pages[0][0] == "index.md" and "## Quick start" in home and "`[torch]`" in home
    guide = [title for _, title, _ in pages[1:]]
    assert titles[2:] == guide
    assert len({path for path, _, _ in pages}) == len(pages)
    for path, _, markdown in pages:
        assert "](docs/" not in markdown, path  # links made relative to the page


def test_the_hook_splits_sections_outside_code_fences_only():
    text = "# t\n\nintro\n\n## A\n\n```\n## not a section\n```\n\n### sub\n\n## B\n\nb\n"
    assert [title for title, _ in _hook()._sections(text)] == ["t", "A", "B"]
    assert _hook()._promote("### sub\n```\n### code\n```\n") == "## sub\n```\n### code\n```\n"
    assert _hook()._slug("Activation signatures and the web app") == "activation-signatures-web-app"


def test_links_to_other_readme_sections_point_to_their_pages():
    hook = _hook()
    pages_of = {"speed": "guide/speed.md", "quick-start": "index.md", "layout": "guide/layout.md"}
    text = "see [Speed](#speed), [start](#quick-start), [here](#unknown)"
    assert hook._link_sections(text, "index.md", pages_of) == \
        "see [Speed](guide/speed.md), [start](#quick-start), [here](#unknown)"
    assert hook._link_sections(text, "guide/layout.md", pages_of) == \
        "see [Speed](speed.md), [start](../index.md), [here](#unknown)"
    assert hook._link_sections("[Speed](#speed)", "guide/speed.md", pages_of) == "[Speed](#speed)"
    title = "For teachers: checking a student's modules"
    assert hook._anchor(title) == "for-teachers-checking-a-students-modules"
    for path, _, markdown in hook.readme_pages():  # every README link to a section resolves
        for anchor in re.findall(r"\]\(#([\w\-]+)\)", markdown):
            titles = re.findall(r"^#+ (.+)$", markdown, flags=re.M)
            assert anchor in {hook._anchor(t) for t in titles}, (path, anchor)


def _nav() -> list:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: None)
    return yaml.load((REPO / "mkdocs.yml").read_text(), Loader=Loader)["nav"]


def test_the_navigation_lists_every_tutorial_and_api_page():
    nav = {next(iter(entry)): next(iter(entry.values())) for entry in _nav()}
    assert nav["Tutorials"] == [f"tutorials/{path.stem}.ipynb" for path in TUTORIALS]
    api = {next(iter(e.values())) if isinstance(e, dict) else e for e in nav["API reference"]}
    assert api == {f"api/{page.name}" for page in (DOCS / "api").glob("*.md")}


def test_there_are_seven_tutorials():
    assert [path.name[:2] for path in TUTORIALS] == ["01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_each_tutorial_is_a_percent_notebook_ending_with_a_figure_and_a_number(path):
    text = path.read_text()
    cells = re.split(r"^# %%", text, flags=re.M)[1:]
    assert cells[0].startswith(" [markdown]\n# # "), "the first cell is the title (markdown)"
    code = [cell for cell in cells if not cell.startswith(" [markdown]")]
    last = code[-1]
    assert "plt.show()" in last, "the last code cell shows a figure"
    assert "print(" in last.split("plt.show()")[-1], "and then prints a number"
    assert "input(" not in text and ".run_server(" not in text and "app.run(" not in text
    compile(text, str(path), "exec")
