"""The two people of a connection, and the other one as each of them sees it: one rule, on the model."""

import pytest

from alongside.connections.tests import factories as cf

pytestmark = pytest.mark.django_db


def test_a_connection_names_its_two_people_member_first(member, supporter):
    connection = cf.connection(member, supporter)
    assert connection.parties() == (member.pk, supporter.pk)
    assert connection.has_party(member.pk) and connection.has_party(supporter.pk)


def test_each_side_sees_the_other_as_its_peer(member, supporter):
    connection = cf.connection(member, supporter)
    assert connection.peer_of(member) == supporter and connection.peer_of(supporter) == member
    assert connection.peer_id_of(member.pk) == supporter.pk and connection.peer_id_of(supporter.pk) == member.pk


def test_an_outsider_has_no_peer_in_it(member, supporter, outsider):
    connection = cf.connection(member, supporter)
    assert not connection.has_party(outsider.pk) and not connection.has_party(None)
    with pytest.raises(ValueError, match="not a party"):
        connection.peer_of(outsider)
