"""Writing and reading evidence dossiers: the ZIP archive, the timeline PDF, the files channels kept."""
