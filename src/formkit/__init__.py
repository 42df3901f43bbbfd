"""formkit: fill the four annexes of 厦工[2011]104号 from YAML records.

The library API (``formkit.api``) loads and checks a records folder and renders the
annexes; the ``formkit`` command (``formkit.cli``) is a thin layer over it.
"""

__version__ = "0.1.0"
