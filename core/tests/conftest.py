"""Shared fixtures: real distribution metadata on disk, without building wheels."""

from __future__ import annotations

import importlib.metadata as metadata
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

EntryPoints = Mapping[str, Mapping[str, str]]


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (``pytest.mark.anyio``) run on asyncio, the loop dq's users run."""
    return "asyncio"


def write_dist_info(
    site: Path, name: str, version: str = "1.0.0", entry_points: EntryPoints | None = None
) -> metadata.PathDistribution:
    """Write a ``NAME-VERSION.dist-info`` folder as an installer would, and return it."""
    folder = site / f"{name.replace('-', '_')}-{version}.dist-info"
    folder.mkdir(parents=True)
    (folder / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: test plugin {name}\n\n"
    )
    lines = []
    for group, entries in (entry_points or {}).items():
        lines.append(f"[{group}]")
        lines += [f"{key} = {value}" for key, value in entries.items()]
        lines.append("")
    (folder / "entry_points.txt").write_text("\n".join(lines))
    return metadata.PathDistribution(folder)


@pytest.fixture
def make_dist(tmp_path: Path) -> Callable[..., metadata.PathDistribution]:
    site = tmp_path / "site"
    site.mkdir()

    def make(
        name: str,
        version: str = "1.0.0",
        entry_points: EntryPoints | None = None,
        *,
        api: str | None = "^1.0",
    ) -> metadata.PathDistribution:
        eps = {group: dict(entries) for group, entries in (entry_points or {}).items()}
        if api is not None:
            eps.setdefault("dq.hook_api", {})[api] = name.replace("-", "_")
        return write_dist_info(site, name, version, eps)

    make.site = site  # type: ignore[attr-defined]
    return make


class SecretSite:
    """The secret-store test plugins, installed as real metadata on a tmp sys.path entry."""

    def __init__(self, site: Path, dists: list[metadata.PathDistribution], store: Path) -> None:
        self.site = site
        self.dists = dists
        #: the JSON file the ``file`` backend keeps its secrets in
        self.store = store

    def host(self) -> object:
        from dq.plugins._discovery import discover
        from dq.plugins._host import Host

        return Host(discover(distributions=self.dists))

    @staticmethod
    def module(name: str = "dq_filesecrets_plugin") -> object:
        import sys

        return sys.modules[name]


@pytest.fixture
def secret_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SecretSite:
    import sys
    import textwrap

    from plugin_zoo import SECRET_PLUGINS

    site = tmp_path / "secret-site"
    site.mkdir()
    dists = []
    for module, (dist, group, component, source) in SECRET_PLUGINS.items():
        (site / f"{module}.py").write_text(textwrap.dedent(source))
        monkeypatch.delitem(sys.modules, module, raising=False)
        dists.append(
            write_dist_info(
                site, dist, "1.0.0", {group: {component: module}, "dq.hook_api": {"^1.0": module}}
            )
        )
    monkeypatch.syspath_prepend(str(site))
    return SecretSite(site, dists, tmp_path / "store.json")


@pytest.fixture
def install_audit(secret_site: SecretSite, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Install audit sinks from ``plugin_zoo.AUDIT_PLUGINS`` (by module) into the secret site.

    They land on the same sys.path entry as the secret-store plugin, as real metadata in
    the ``dq.audit`` group, and are added to ``secret_site.dists`` so ``secret_site.host()``
    sees them too.
    """
    import sys
    import textwrap

    from plugin_zoo import AUDIT_PLUGINS, MARKER

    def install(*modules: str) -> None:
        for module in modules:
            dist, sink, source = AUDIT_PLUGINS[module]
            (secret_site.site / f"{module}.py").write_text(MARKER + textwrap.dedent(source))
            monkeypatch.delitem(sys.modules, module, raising=False)
            secret_site.dists.append(
                write_dist_info(
                    secret_site.site,
                    dist,
                    "1.0.0",
                    {"dq.audit": {sink: module}, "dq.hook_api": {"^1.0": module}},
                )
            )

    return install
