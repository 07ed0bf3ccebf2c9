"""Config for tortoise's own CLI, used to write new migrations:
`.venv/bin/tortoise -c storage.tortoise_conf.TORTOISE_ORM makemigrations`."""

from storage.db import tortoise_config

TORTOISE_ORM = tortoise_config("sqlite://:memory:")
