"""`python -m intake.media.sweep`: delete photos no report listed within 7 days and files
left without a row by an interrupted upload. Safe to run at any time, from cron or a job."""

import asyncio
import logging

from intake.media import handlers
from intake.media.storage import FolderStorage
from intake.settings import Settings
from redgrid_shared import db
from redgrid_shared.clock import clock_from_settings

log = logging.getLogger("intake.media.sweep")


async def main(settings: Settings) -> handlers.SweepResult:
    pool = await db.create_pool(settings.database_url, settings.schema, min_size=1, max_size=2)
    try:
        return await handlers.sweep(pool, storage=FolderStorage(settings.media_dir),
                                    now=clock_from_settings(settings)())
    finally:
        await pool.close()


if __name__ == "__main__":
    logging.basicConfig(level="INFO")
    result = asyncio.run(main(Settings()))
    log.info("deleted %d unattached photo(s) and %d orphan file(s)",
             len(result.unattached), len(result.orphan_files))
