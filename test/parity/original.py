"""The Python original's demo, transcribed serially with NumPy (same linspace, same step counts,
same order of operations), so the tests can compare our numbers with it live.

Prints one JSON object: maxdif per iteration, iterations, the converged iterate, the reference
states and the reference file names the original would write."""
import json
import math
import sys

import numpy as np

omega_0, zeta, H, t_end, points, tol = 1.0, 0.5, 0.01, 15.0, 20, 1e-4
if len(sys.argv) > 1:
    omega_0, zeta, H, t_end, points, tol = (float(x) for x in sys.argv[1:7])
    points = int(points)


def f(y, t):
    return np.r_[y[1], -2 * zeta * omega_0 * y[1] - omega_0**2 * y[0]]


def forward_euler(y, t_0, t_1):
    return y + (t_1 - t_0) * f(y, t_0)


def fine(y, t0, t1):
    n = math.ceil((t1 - t0) / H)
    t = np.linspace(t0, t1, n + 1)
    x = np.zeros(shape=(t.size,) + y.shape)
    x[0] = y
    for i in range(1, t.size):
        x[i] = forward_euler(x[i - 1], t[i - 1], t[i])
    return x[-1]


def generate_filename(name, n_iter, t0, t1):
    return f"{name}-{n_iter:04}-{int(t0*1000):06}-{int(t1*1000):06}.h5"


t = np.linspace(0.0, t_end, points)
y0 = np.array([1.0, 0.0])
reference = [y0]
for a, b in zip(t[:-1], t[1:]):
    reference.append(fine(reference[-1], a, b))

y = [y0]
for a, b in zip(t[:-1], t[1:]):
    y.append(forward_euler(y[-1], a, b))
history = [y]
maxdif = []
for n_iter in range(1, points):
    prev = history[-1]
    nxt = [prev[0]]
    for i in range(1, points):
        c1 = forward_euler(nxt[i - 1], t[i - 1], t[i])
        f1 = fine(prev[i - 1], t[i - 1], t[i])
        c2 = forward_euler(prev[i - 1], t[i - 1], t[i])
        nxt.append(c1 + f1 - c2)
    history.append(nxt)
    d = np.abs(np.array(nxt) - np.array(prev)).max()
    maxdif.append(float(d))
    if d < tol:
        break

print(json.dumps({
    "t": t.tolist(),
    "maxdif": maxdif,
    "iterations": len(maxdif),
    "final": [x.tolist() for x in history[-1]],
    "reference": [x.tolist() for x in reference],
    "referenceFiles": [generate_filename("fine", 0, a, b) for a, b in zip(t[:-1], t[1:])],
    "steps": [math.ceil((b - a) / H) for a, b in zip(t[:-1], t[1:])],
}))
