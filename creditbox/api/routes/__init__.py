"""Route modules, one per resource. They call the application layer and read projections; they never
touch persistence directly (import-linter contract)."""
