"""The version of formkit (one place, read by the package, the manifests and packets)."""

__version__ = "0.1.0"
