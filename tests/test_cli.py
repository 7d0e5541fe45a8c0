"""The flambeau command line: version and the demo."""

import subprocess
import sys

import flambeau
from flambeau.cli import main


def test_version_console_entry_point():
    out = subprocess.run([sys.executable, "-m", "flambeau", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == f"flambeau {flambeau.__version__}"


def test_demo_trains_and_writes_a_loss_curve(tmp_path, capsys):
    assert main(["demo", "--epochs", "2", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    accuracy = float(printed.split("USPS test accuracy: ")[1].split()[0])
    assert accuracy > 0.85
    png = tmp_path / "loss_curve.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
