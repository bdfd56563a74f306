"""Execute every research notebook in ``notebooks/`` and check the files are generated and output-stripped.

Each notebook runs in a fresh kernel started with this interpreter (a kernel spec
written to a temporary directory, so no system-wide Jupyter setup is needed), in
a temporary working directory; any cell error fails the test, and the notebooks'
``assert`` cells make their claims part of the test suite.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need nbformat (the [test] extra)")


def _builder():
    spec = importlib.util.spec_from_file_location("build_notebooks", NOTEBOOK_DIR / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_notebooks_found() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert names == sorted(_builder().NOTEBOOKS), names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_generated_and_stripped(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text == _builder().render(path.name), f"{path.name} differs from build_notebooks.py; run it to regenerate"
    nb = json.loads(text)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]


KERNEL = "jax-activations-test"


def _install_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kernel spec that runs *this* interpreter, found first through ``JUPYTER_PATH``."""
    spec_dir = tmp_path / "jupyter" / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {
        # -Xfrozen_modules=off silences the debugger's frozen-modules notice on Python >= 3.11
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "jax_activations tests",
        "language": "python",
        "env": {"MPLBACKEND": "module://matplotlib_inline.backend_inline"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbclient = pytest.importorskip("nbclient", reason="executing notebooks needs nbclient (the [test] extra)")
    pytest.importorskip("ipykernel", reason="executing notebooks needs ipykernel (the [test] extra)")
    _install_kernel(tmp_path, monkeypatch)
    nb = nbformat.read(path, as_version=4)
    workdir = tmp_path / "work"
    workdir.mkdir()
    client = nbclient.NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=600,  # per cell; a guard against hangs, not a speed test
        resources={"metadata": {"path": str(workdir)}},
    )
    before = sorted(p.name for p in NOTEBOOK_DIR.iterdir())
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    # the kernel ran in a temporary directory and wrote nothing next to the notebooks
    assert sorted(p.name for p in NOTEBOOK_DIR.iterdir()) == before
