# The NLeSC parareal package (github.com/parallelwindfarms/parareal), only the modules the
# HDF5/Dask tutorial imports: futures, forward_euler, tabulate_solution, harmonic_oscillator.
