"""Documents: the .docx machinery, knowing nothing of records: the template sandbox,
template loading and checking, the fast renderer, zip writing and print files.
"""
