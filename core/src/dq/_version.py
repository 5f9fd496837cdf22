"""Version numbers, kept in a module with no imports so reading them costs nothing."""

__version__ = "1.3.0"

#: The version of the hook API (the hookspecs plus the shared types they pass).
#: It moves independently of the distribution: a refactor of dq-core that leaves
#: hooks and types alone keeps it, an added optional hook bumps the minor, and a
#: changed or removed hook bumps the major. Plugins declare which range they accept.
HOOK_API_VERSION = "1.3.0"
