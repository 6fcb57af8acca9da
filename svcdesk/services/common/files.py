"""The mode of files svcdesk writes for people (exports, calendars, PDFs, reject files):
0600 unless the shop's `files.mode` setting is 0640 (a shop whose bookkeeper reads the
export folder through a group). Temp files are always 0600 (svcdesk/atomicfile.py)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from svcdesk.atomicfile import output_mode
from svcdesk.db import read_session
from svcdesk.services.common.settings import get_setting

SETTING = "files.mode"


def file_mode(session: Session) -> int:
    return output_mode(get_setting(session, SETTING))


def engine_file_mode(engine: Engine) -> int:
    with read_session(engine) as session:
        return file_mode(session)
