"""The command line: every command works, and bad input gives one line and exit status 2."""

from __future__ import annotations

import json
import struct
import subprocess
import sys

import pytest

import jax_activations as ja
from jax_activations.__main__ import main


def test_list_prints_every_activation(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ja.names():
        assert name in out
    assert "cpu" in out or "gpu" in out or "tpu" in out


def test_default_command_is_list(capsys):
    assert main([]) == 0
    assert "activations on" in capsys.readouterr().out


def test_list_json_is_machine_readable(capsys):
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    names = [r["name"] for r in data["activations"]]
    assert names == ja.names()
    elu = next(r for r in data["activations"] if r["name"] == "elu")
    assert elu["params"] == {"alpha": 1.0, "lean": False}
    assert elu["kinks"]


def test_plot_writes_a_png(tmp_path, capsys):
    out = tmp_path / "elu.png"
    assert main(["plot", "elu", "--grad", "--range", "-5", "3", "--param", "alpha=0.5", "-o", str(out)]) == 0
    header = out.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert width > 300 and height > 200


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plot", "no_such_activation", "-o", "x.png"], "unknown name"),
        (["plot", "elu", "--range", "3", "1", "-o", "x.png"], "--range"),
        (["plot", "elu", "--range", "0", "inf", "-o", "x.png"], "--range"),
        (["plot", "elu", "-o", "/nonexistent_dir/x.png"], "cannot write"),
        (["plot", "elu", "-o", "x.txt"], ".png"),
        (["plot", "elu", "--param", "beta=2", "-o", "x.png"], "beta"),
        (["plot", "elu", "--param", "alpha=nan", "-o", "x.png"], "alpha"),
        (["plot", "elu", "--param", "alpha", "-o", "x.png"], "name=value"),
        (["list", "--family", "nonsense"], "family"),
        (["frobnicate"], "invalid choice"),
        (["check", "--names", "no_such_activation"], "unknown name"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1


def test_help_works_for_every_command():
    for cmd in ([], ["list"], ["plot"], ["check"], ["bench"]):
        proc = subprocess.run(
            [sys.executable, "-m", "jax_activations", *cmd, "--help"], capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
        assert "usage:" in proc.stdout


def test_check_runs_the_harness_and_passes_for_a_few_functions(capsys, tmp_path):
    out = tmp_path / "acc.json"
    assert main(["check", "--quick", "--names", "relu", "sigmoid", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "| relu |" in table and "| sigmoid |" in table
    records = json.loads(out.read_text())
    assert {r["function"] for r in records} >= {"relu", "sigmoid"}


def test_check_exits_non_zero_when_the_bar_fails(capsys, monkeypatch):
    from jax_activations import _accuracy

    monkeypatch.setattr(_accuracy, "meets_bar", lambda results: ["sigmoid grad: 1e7 ULP > 8"])
    assert main(["check", "--quick", "--names", "relu"]) == 1
    assert "FAILED" in capsys.readouterr().err


def test_bench_prints_ratios_against_jax_nn(capsys):
    assert main(["bench", "--quick", "--names", "relu"]) == 0
    out = capsys.readouterr().out
    assert "jax.nn.relu" in out and "ours / baseline" in out


def test_gallery_writes_a_png(tmp_path):
    out = tmp_path / "g.png"
    assert main(["gallery", "-o", str(out), "--cols", "8"]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
