"""Documents: the .docx machinery, which knows nothing of records.

The template sandbox, template loading and checking, the fast renderer, zip writing and
print files.
"""
