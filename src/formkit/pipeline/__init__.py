"""The pipeline: rendering a records folder into an output folder: batches, the incremental
manifest, output names and atomic writes, submission packets, PDF.
"""
