"""The ``infoshare`` command line, on top of everything else."""
