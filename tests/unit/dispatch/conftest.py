"""Every dispatch unit test plans on a working Thursday unless it sets holidays itself."""

import pytest

from tests.unit.dispatch.dispatch_helpers import thursday_is_a_working_day  # noqa: F401


@pytest.fixture(autouse=True)
def _working_thursday(thursday_is_a_working_day):  # noqa: F811
    return thursday_is_a_working_day
