from svcdesk.db import read_session
from svcdesk.services.orders import queries


def test_shop_fixture_builds_a_board(engine, shop):
    with read_session(engine) as s:
        rows = queries.list_orders(s)
    assert [r.number for r in rows] == [shop["o3"], shop["o1"], shop["o2"]]
    assert rows[2].technicians == ["Bob Ruiz"]
    assert rows[0].customer == rows[1].customer == "Jane Porter"
