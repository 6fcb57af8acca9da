"""Test-only fault injection: SIGKILL this process on the Nth call of a function.

Put this directory first on PYTHONPATH and set SVCDESK_CRASH="<file suffix>:<function>:<N>",
e.g. "services/common/events.py:record:5". Uses a profile hook, so no production code changes."""

import os
import signal
import sys

_spec = os.environ.get("SVCDESK_CRASH")
if _spec:
    _suffix, _name, _n = _spec.rsplit(":", 2)
    _left = [int(_n)]

    def _hook(frame, event, arg):
        if (
            event == "call"
            and frame.f_code.co_name == _name
            and frame.f_code.co_filename.endswith(_suffix)
        ):
            _left[0] -= 1
            if _left[0] <= 0:
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGKILL)

    sys.setprofile(_hook)
    import threading

    threading.setprofile(_hook)
