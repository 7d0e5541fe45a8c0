"""Execute the tutorials (jupytext percent-format ``docs/tutorials/NN_*.py``) into ``.ipynb`` notebooks.

    python docs/tools/run_tutorials.py                # every tutorial
    python docs/tools/run_tutorials.py --stale        # only those whose notebook is missing or older
    python docs/tools/run_tutorials.py 03_usps        # those whose name contains "03_usps"

Each notebook runs in a fresh Python kernel (one BLAS thread unless ``OMP_NUM_THREADS`` says
otherwise), in its own empty temporary folder (what it writes stays out of the repository), with a
per-cell timeout; the executed notebook, outputs and figures
included, is written beside its source as ``NN_name.ipynb`` (ignored by git), which the
documentation site renders. A cell that raises stops that notebook: the script prints the cell and
the error, runs the others, and exits 1. The last lines give each notebook's wall time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

TUTORIALS = Path(__file__).resolve().parents[1] / "tutorials"
CELL_TIMEOUT_S = 600


def _sources(patterns: list[str], stale: bool) -> list[Path]:
    sources = sorted(TUTORIALS.glob("[0-9][0-9]_*.py"))
    if patterns:
        sources = [s for s in sources if any(p in s.stem for p in patterns)]
    if stale:
        sources = [s for s in sources
                   if not s.with_suffix(".ipynb").exists()
                   or s.with_suffix(".ipynb").stat().st_mtime < s.stat().st_mtime]
    return sources


def _stderr_cells(notebook) -> list[int]:
    """Indices of the code cells that wrote to stderr (warnings a reader would see)."""
    return [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"
            and any(out.get("name") == "stderr" for out in cell.get("outputs", []))]


def _execute(source: Path) -> tuple[float, str | None, list[int]]:
    """Run one tutorial; returns its wall time, the error text (None when it ran through) and the
    cells that wrote to stderr."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    start, error = time.perf_counter(), None
    with tempfile.TemporaryDirectory(prefix=f"flambeau-{source.stem}-") as folder:
        client = NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                resources={"metadata": {"path": folder}})
        try:
            client.execute()
        except CellExecutionError as err:
            error = str(err)
    seconds = time.perf_counter() - start
    nbformat.write(notebook, source.with_suffix(".ipynb"))
    return seconds, error, _stderr_cells(notebook)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only the tutorials whose name contains one of these")
    parser.add_argument("--stale", action="store_true",
                        help="run only the tutorials whose notebook is missing or older than its source")
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # one BLAS thread per kernel unless told otherwise: on a shared or busy machine several threads
    # per process oversubscribe the cores (measured under load: tutorials 5 and 6 took 13x and 6x
    # longer with the default threads)
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    sources = _sources(args.names, args.stale)
    if not sources:
        print("run_tutorials: nothing to run" + (" (every notebook is up to date)" if args.stale else ""))
        return 0 if args.stale else 1
    results = []
    for source in sources:
        print(f"running {source.name} ...", flush=True)
        seconds, error, noisy = _execute(source)
        results.append((source.name, seconds, error, noisy))
        if error:
            print(f"FAILED {source.name} after {seconds:.0f} s:\n{error}", flush=True)
    total = sum(result[1] for result in results)
    print("\ntutorial                                  wall time  result")
    for name, seconds, error, noisy in results:
        note = f" (stderr output in cells {noisy})" if noisy else ""
        print(f"{name:<40} {seconds:8.1f} s  {'FAILED' if error else 'ok'}{note}")
    print(f"{'total':<40} {total:8.1f} s")
    failed = [result[0] for result in results if result[2]]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
