"""The embedded PostgreSQL used when no DATABASE_URL is given.

pgserver ships a real PostgreSQL in a wheel. Every process that calls
embedded_database_url() shares the one server of the data folder; the server
stops when the last of those processes exits.
"""

import logging
import warnings
from pathlib import Path


def embedded_database_url(data_dir: Path, name: str = "tracker") -> str:
    """A libpq URL (over the server's Unix socket) for database ``name``, created when missing."""
    # pgserver logs each start and exit of every process at INFO, and platformdirs warns about an
    # unset XDG_RUNTIME_DIR (it falls back to /tmp): nothing a user can act on.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
        import pgserver  # imported here: production deployments never need it

        data_dir.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
    exists = "1 row" in server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    if not exists:
        server.psql(f'CREATE DATABASE "{name}"')
    return server.get_uri(name)
