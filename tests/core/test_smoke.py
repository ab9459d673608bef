import pytest


@pytest.mark.django_db
def test_world_builds(world):
    assert world.partner_a.region == world.emea
    assert world.regional_manager.region_ids == [world.amer.pk]
