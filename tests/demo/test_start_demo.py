"""`manage.py start_demo` (what `make run` calls): prepares once, prints the logins for the real address."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from analytics.models import JobRun
from demo.management.commands.start_demo import browse_url, split_address
from partners.models import Partner


def test_addresses():
    assert split_address("127.0.0.1:8105") == ("127.0.0.1", "8105")
    assert split_address("[::1]:8000") == ("::1", "8000")
    assert browse_url("0.0.0.0", "8080") == "http://127.0.0.1:8080/"  # noqa: S104 - what HOST=0.0.0.0 prints
    assert browse_url("::1", "8000") == "http://[::1]:8000/"
    for bad in ("8000", "localhost:", "localhost:http", "127.0.0.1:70000"):
        with pytest.raises(CommandError, match="HOST:PORT"):
            split_address(bad)


@pytest.mark.django_db(transaction=True)  # the analytics run is queued on commit, as in `make run`
def test_first_start_loads_and_computes_a_second_one_only_prints_the_logins():
    first = StringIO()
    call_command("start_demo", "--prepare-only", "--addr=0.0.0.0:8123", stdout=first)
    assert "Loading the small demo data (seed 42)" in first.getvalue()
    assert Partner.objects.filter(is_demo=True).count() == 50
    assert JobRun.objects.filter(kind=JobRun.Kind.FULL_RECOMPUTE, status=JobRun.Status.SUCCEEDED).count() == 1
    assert "Demo logins (http://127.0.0.1:8123/):" in first.getvalue()
    assert first.getvalue().count("manager-demo") == 5

    second = StringIO()
    call_command("start_demo", "--prepare-only", "--addr=127.0.0.1:8124", stdout=second)
    text = second.getvalue()
    assert "Loading" not in text and "Applying" not in text
    assert "Analytics are up to date" in text
    assert JobRun.objects.filter(kind=JobRun.Kind.FULL_RECOMPUTE).count() == 1
    assert text.count("Demo logins (") == 1 and "http://127.0.0.1:8124/" in text
