# Transcribed from parareal/forward_euler.py of github.com/parallelwindfarms/parareal at f36d35b.
from .abstract import (Vector, Problem, Solution)


def forward_euler(f: Problem) -> Solution:
    """Forward-Euler solver."""
    def step(y: Vector, t_0: float, t_1: float) -> Vector:
        """Stepping function of Euler method."""
        return y + (t_1 - t_0) * f(y, t_0)
    return step
