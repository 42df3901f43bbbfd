"""Exchange with other tools: spreadsheet import and export, and the city roll-up."""
