"""Records: reading the YAML files with their lines, walking the records folder, checking
every record and every rule across records, and turning failures into located problems.
"""
