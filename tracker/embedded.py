"""The embedded PostgreSQL used when no DATABASE_URL is given.

pgserver ships a real PostgreSQL in a wheel. Every process that calls
embedded_database_url() shares the one server of the data folder; the server
stops when the last of those processes exits.
"""

from pathlib import Path


def embedded_database_url(data_dir: Path) -> str:
    import pgserver  # imported here: production deployments never need it

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    server.psql("SELECT 1 FROM pg_database WHERE datname = 'tracker'")
    exists = "1 row" in server.psql("SELECT 1 FROM pg_database WHERE datname = 'tracker'")
    if not exists:
        server.psql("CREATE DATABASE tracker")
    return server.get_uri("tracker")
