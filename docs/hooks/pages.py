"""MkDocs hook: the site's pages that are not files of docs/.

- The README is the guide: its introduction, "Quick start" and the section after it make the home
  page, and every other ``## `` section becomes one page of the "Guide" (``guide/<slug>.md``, its
  ``###`` subsections included). The README stays the one source; a new section appears on the
  site by itself.
- Pages written elsewhere (``results.md``, ``extending.md``) and the checker's API page are listed
  in the navigation only when their source exists, so the site builds before they do.
- ``docs/...`` links of the README are made relative to the page that holds them, and a link to
  another ``## `` section (``](#speed)``) points to that section's page.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.pages")

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
HOME_SECTIONS = 2  # the introduction is followed on the home page by this many ## sections
#: navigation entries kept only when their file exists in docs/
OPTIONAL_PAGES = ("results.md", "extending.md")
#: API pages kept only when their module can be imported
OPTIONAL_MODULES = {"api/check.md": "flambeau.check"}


def _sections(text: str) -> list[tuple[str, str]]:
    """``[(title, body)]`` of the ``## `` sections of ``text`` (code fences respected); the first
    item is the introduction, titled by the ``# `` heading."""
    sections, title, lines, fence = [], None, [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        if not fence and (line.startswith("# ") or line.startswith("## ")):
            if title is not None or lines:
                sections.append((title, "\n".join(lines).strip() + "\n"))
            title, lines = line.lstrip("#").strip(), []
            continue
        lines.append(line)
    sections.append((title, "\n".join(lines).strip() + "\n"))
    return sections


_STOP_WORDS = {"a", "an", "and", "of", "the"}


def _slug(title: str) -> str:
    """``"Activation signatures and the web app"`` -> ``"activation-signatures-web-app"``."""
    short = re.split(r"[:(]", title.lower())[0]
    words = [w for w in re.sub(r"[^a-z0-9]+", " ", short).split() if w not in _STOP_WORDS]
    return "-".join(words[:4])


def _promote(body: str) -> str:
    """``### `` subsections become ``## `` ones (the page title is the ``# ``), outside code."""
    out, fence = [], False
    for line in body.splitlines():
        if line.startswith("```"):
            fence = not fence
        out.append(line[1:] if not fence and line.startswith("###") else line)
    return "\n".join(out) + "\n"


def _relink(body: str, depth: int) -> str:
    """``](docs/x)`` -> ``](x)`` relative to a page ``depth`` folders below docs/."""
    return re.sub(r"\]\(docs/", "](" + "../" * depth, body)


def _anchor(title: str) -> str:
    """GitHub's anchor of a heading: ``"Speed"`` -> ``"speed"``, ``"A, b (c)"`` -> ``"a-b-c"``."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def _link_sections(body: str, page: str, pages_of: dict[str, str]) -> str:
    """``](#anchor)`` of a section held by another page -> a link to that page (from ``page``)."""
    def target(match: re.Match) -> str:
        other = pages_of.get(match.group(1))
        if other is None or other == page:
            return match.group(0)
        if page.startswith("guide/"):
            other = other.removeprefix("guide/") if other.startswith("guide/") else "../" + other
        return f"]({other})"

    return re.sub(r"\]\(#([\w\-]+)\)", target, body)


def readme_pages() -> list[tuple[str, str, str]]:
    """``[(path in docs/, title, markdown)]`` generated from the README."""
    sections = _sections(README.read_text(encoding="utf-8"))
    (name, intro), rest = sections[0], sections[1:]
    pages_of = {_anchor(title): "index.md" for title, _ in rest[:HOME_SECTIONS]}
    pages_of.update({_anchor(title): f"guide/{_slug(title)}.md" for title, _ in rest[HOME_SECTIONS:]})
    home = [f"# {name}\n\n{intro}"]
    home += [f"## {title}\n\n{body}" for title, body in rest[:HOME_SECTIONS]]
    pages = [("index.md", "Home", _link_sections(_relink("\n".join(home), 0), "index.md", pages_of))]
    for title, body in rest[HOME_SECTIONS:]:
        path = f"guide/{_slug(title)}.md"
        text = _relink(f"# {title}\n\n{_promote(body)}", 1)
        pages.append((path, title, _link_sections(text, path, pages_of)))
    return pages


def _kept(entry, docs_dir: Path) -> bool:
    if not isinstance(entry, dict):
        return True
    target = next(iter(entry.values()))
    if not isinstance(target, str):
        return True
    if target in OPTIONAL_PAGES and not (docs_dir / target).is_file():
        log.info("%s is not written yet: left out of the navigation", target)
        return False
    module = OPTIONAL_MODULES.get(target)
    if module and importlib.util.find_spec(module) is None:
        log.info("%s is not importable yet: %s left out of the navigation", module, target)
        return False
    return True


def _filter(nav: list, docs_dir: Path) -> list:
    kept = []
    for entry in nav:
        if isinstance(entry, dict) and isinstance(next(iter(entry.values())), list):
            title, children = next(iter(entry.items()))
            entry = {title: _filter(children, docs_dir)}
        if _kept(entry, docs_dir):
            kept.append(entry)
    return kept


def on_config(config):
    docs_dir = Path(config["docs_dir"])
    guide = [{title: path} for path, title, _ in readme_pages() if path != "index.md"]
    nav = []
    for entry in config["nav"]:
        if isinstance(entry, dict) and next(iter(entry)) == "Guide":
            entry = {"Guide": guide}
        nav.append(entry)
    config["nav"] = _filter(nav, docs_dir)
    return config


def on_files(files, config):
    from mkdocs.structure.files import File

    for path, _, markdown in readme_pages():
        files.append(File.generated(config, path, content=markdown))
    for path, module in OPTIONAL_MODULES.items():
        if importlib.util.find_spec(module) is None and files.get_file_from_path(path) is not None:
            files.remove(files.get_file_from_path(path))
    return files
