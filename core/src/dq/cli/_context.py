"""What every command needs from the global options: config, plugin settings, inventory."""

from __future__ import annotations

import argparse
from typing import Any

from dq.config._files import config_path, read_site
from dq.plugins._discovery import Inventory, discover
from dq.plugins._settings import plugin_settings


class CommandContext:
    """Built lazily from parsed arguments so commands pay only for what they use."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        path = config_path(args.config)
        self.config_source = str(path) if path else "settings"
        self.config: dict[str, Any] = read_site(path)
        self.settings = plugin_settings(self.config, source=self.config_source, strict=args.strict)
        self._inventory: Inventory | None = None

    @property
    def strict(self) -> bool:
        return self.settings.strict

    @property
    def inventory(self) -> Inventory:
        if self._inventory is None:
            self._inventory = discover(self.settings)
        return self._inventory
