"""Activations on many devices: sharding kept, no collectives, same numbers.

JAX fixes its device count when it starts, so the checks run in ONE subprocess
(``tests/_multidevice_check.py``, same interpreter) that fakes eight CPU devices
with ``XLA_FLAGS=--xla_force_host_platform_device_count=8`` and a 2 x 4 mesh.
This module parametrizes over the cases that script runs, one test per
activation and check, and reports the subprocess's message on failure.

Marked ``slow``: the subprocess takes 30-60 s on a 2-core machine
(``-m "not slow"`` leaves it out).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _multidevice_check import cases

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).with_name("_multidevice_check.py")

# Known library limitations, each with a minimal repro (see the test ids): none at present.  (sparsemax and
# entmax15 used to sort along `axis`, which an Explicit mesh refuses when that axis is sharded.)
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("multidevice") / "results.json"
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    env["JAX_PLATFORMS"] = "cpu"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), str(out)], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if proc.returncode != 0 or not out.exists():
        pytest.fail(
            f"multi-device subprocess failed (rc={proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
        )
    return json.loads(out.read_text())


def _params():
    out = []
    for case in cases():
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN[case])] if case in KNOWN else []
        out.append(pytest.param(case, id=case, marks=marks))
    return out


@pytest.mark.parametrize("case", _params())
def test_multidevice(results, case):
    assert case in results, f"the subprocess did not run {case}"
    assert results[case] == "ok", results[case]


def test_subprocess_ran_every_case_and_only_those(results):
    assert set(results) == set(cases())
