"""Which document format a config file is in, by its suffix: shared by reading a file and by
finding a line in it (kept apart so neither imports the other)."""

FORMATS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
