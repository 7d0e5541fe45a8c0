"""The guides in docs/ run: their Python code blocks, in order, as one script."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.helpers import REPO

_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def _script(name: str) -> str:
    blocks = _BLOCK.findall((REPO / "docs" / name).read_text(encoding="utf-8"))
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
