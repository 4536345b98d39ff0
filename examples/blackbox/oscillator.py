#!/usr/bin/env python3
"""A black-box solver for `parareal run --fine-cmd/--coarse-cmd`: the damped harmonic oscillator by
forward Euler, as the original's fine solver (n = ceil((t1 - t0) / h) steps on linspace(t0, t1, n + 1)).

    parareal run --fine-cmd 'python3 examples/blackbox/oscillator.py {in} {out} {t0} {t1} {h}'

Any program can take its place: read the state from dataset `data` of the HDF5 file {in}, integrate
from {t0} to {t1}, write the trajectory (rows of states, the last one at t1) or just the final state
to dataset `data` of {out}, and exit 0. On failure, exit non-zero with a message on stderr.

usage: oscillator.py IN OUT T0 T1 H [OMEGA0 ZETA]
"""
import math
import sys

import h5py
import numpy as np


def main(argv):
    if len(argv) not in (6, 8):
        sys.exit("usage: oscillator.py IN OUT T0 T1 H [OMEGA0 ZETA]")
    path_in, path_out = argv[1], argv[2]
    t0, t1, h = (float(x) for x in argv[3:6])
    omega_0, zeta = (float(x) for x in argv[6:8]) if len(argv) == 8 else (1.0, 0.5)
    with h5py.File(path_in, "r") as f:
        y = f["data"][()]
    if y.shape != (2,):
        sys.exit(f"oscillator.py: expected a state of 2 values (q, p), got shape {y.shape}")

    n = math.ceil((t1 - t0) / h)
    t = np.linspace(t0, t1, n + 1)
    x = np.zeros(shape=(t.size,) + y.shape)
    x[0] = y
    for i in range(1, t.size):
        q, p = x[i - 1]
        x[i] = x[i - 1] + (t[i] - t[i - 1]) * np.r_[p, -2 * zeta * omega_0 * p - omega_0**2 * q]

    with h5py.File(path_out, "w") as f:
        f["data"] = x


if __name__ == "__main__":
    main(sys.argv)
