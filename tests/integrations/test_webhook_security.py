"""Webhook hardening: address classification, refusal at registration and delivery, connecting to the
checked address (no second look-up), TLS to the host name, signed timestamps, and what the log shows."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.events import Event
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.outbound import address_refusal
from integrations.tasks import deliver_webhook
from integrations.webhooks import (
    sign,
    verify,
    webhook_attempt,
    webhook_deliveries_for_event,
    webhook_endpoint_create,
    webhook_endpoint_update,
)

_real_getaddrinfo = socket.getaddrinfo


class FakeDNS:
    """Answers for chosen names (a list per name: one answer per look-up, the last one repeating);
    every other name or literal goes to the real resolver. Counts the look-ups of each chosen name."""

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: dict[str, int] = {}

    def set(self, name: str, *answers: list[str]) -> None:
        self.answers[name] = list(answers)
        self.lookups[name] = 0

    def fail(self, name: str) -> None:
        """The name does not resolve (answered here, so no test waits on a real DNS server)."""
        self.set(name, [])

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        if host not in self.answers:
            return _real_getaddrinfo(host, port, family, type, proto, flags)
        self.lookups[host] += 1
        queue = self.answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        infos = []
        for address in addresses:
            if ":" in address:
                infos.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, int(port or 0), 0, 0)))
            else:
                infos.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0))))
        return infos


@pytest.fixture
def dns(monkeypatch) -> FakeDNS:
    fake = FakeDNS()
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake


@pytest.fixture
def production_rules(settings):
    """The production defaults: https only, public addresses only."""
    settings.PRM_WEBHOOK_ALLOW_HTTP = False
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append({"headers": self.headers, "body": body})
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"internal secret data")

    def log_message(self, *args):
        pass


def _serve(address: str, port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((address, port), _Recorder)
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def two_servers() -> Iterator[tuple[ThreadingHTTPServer, ThreadingHTTPServer]]:
    """A receiver on 127.0.0.1 and a decoy on 127.0.0.2, on the same port."""
    servers: list[ThreadingHTTPServer] = []
    for _ in range(20):
        decoy = _serve("127.0.0.2")
        try:
            receiver = _serve("127.0.0.1", decoy.server_address[1])
        except OSError:  # the port is taken on 127.0.0.1: try another
            decoy.shutdown()
            decoy.server_close()
            continue
        servers = [receiver, decoy]
        break
    assert servers, "no port free on both 127.0.0.1 and 127.0.0.2"
    yield servers[0], servers[1]
    for server in servers:
        server.shutdown()
        server.server_close()


# --- the address classifier --------------------------------------------------------------------

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),  # cloud metadata service
    ("224.0.0.1", "multicast"),
    ("0.0.0.0", "unspecified"),  # noqa: S104 - an address to classify, nothing binds to it
    ("100.64.0.1", "not publicly routable"),  # carrier-grade NAT
    ("240.0.0.1", "private"),
    ("255.255.255.255", "private"),
    ("192.0.2.10", "private"),  # documentation
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fe80::1%1", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "private"),
    ("::ffff:127.0.0.1", "IPv4-mapped form of 127.0.0.1, which is loopback"),
    ("::ffff:10.0.0.1", "IPv4-mapped form of 10.0.0.1, which is private"),
    ("::ffff:169.254.169.254", "IPv4-mapped form of 169.254.169.254, which is link-local"),
    ("::127.0.0.1", "IPv4-compatible form of 127.0.0.1, which is loopback"),
    ("::10.0.0.1", "IPv4-compatible form of 10.0.0.1, which is private"),
    ("64:ff9b::7f00:1", "NAT64 form of 127.0.0.1, which is loopback"),
    ("64:ff9b::a00:1", "NAT64 form of 10.0.0.1, which is private"),
    ("64:ff9b::a9fe:a9fe", "NAT64 form of 169.254.169.254, which is link-local"),
    ("64:ff9b:1::a00:1", "local-use NAT64"),
    ("2002:7f00:1::1", "6to4 form of 127.0.0.1, which is loopback"),
    ("2002:c0a8:101::1", "6to4 form of 192.168.1.1, which is private"),
]
PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82b::200e",
    "::ffff:8.8.8.8",  # the embedded IPv4 address decides
    "64:ff9b::808:808",
    "2002:808:808::1",
]


@pytest.mark.parametrize(("address", "reason"), REFUSED)
def test_non_public_addresses_and_their_ipv6_forms_are_refused(address, reason):
    assert reason in address_refusal(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    assert address_refusal(address) == ""


# --- registration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/hook", "This URL cannot receive webhooks: 127.0.0.1 is loopback"),
        ("https://[::ffff:10.0.0.1]/hook", "IPv4-mapped form of 10.0.0.1, which is private"),
        ("https://[::127.0.0.1]/hook", "IPv4-compatible form of 127.0.0.1, which is loopback"),
        ("https://[64:ff9b::7f00:1]:8443/hook", "NAT64 form of 127.0.0.1, which is loopback"),
        (
            "https://metadata.test/latest",
            "metadata.test resolves to a non-public address: 169.254.169.254 is link-local",
        ),
        ("https://split.test/hook", "split.test resolves to a non-public address: 10.1.2.3 is private"),
        ("https://nowhere.invalid/hook", "This URL cannot receive webhooks: cannot resolve nowhere.invalid"),
        ("http://erp.test/hook", "Enter a full https URL"),
        ("https://user:pw@erp.test/hook", "Leave credentials out of the URL"),
    ],
)
def test_registration_refuses_non_public_urls_with_the_reason(world, dns, production_rules, url, message):
    dns.set("metadata.test", ["169.254.169.254"])
    dns.set("split.test", ["8.8.8.8", "10.1.2.3"])  # one private answer among public ones is enough
    dns.set("erp.test", ["8.8.8.8"])
    dns.fail("nowhere.invalid")
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(user=world.admin_a, url=url, events=["deal.approved"])
    assert message in refused.value.message_dict["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_a_public_https_url_registers_and_an_update_is_checked_too(world, dns, production_rules):
    dns.set("erp.test", ["8.8.8.8", "2606:4700:4700::1111"])
    dns.set("inside.test", ["192.168.0.10"])
    endpoint = webhook_endpoint_create(user=world.admin_a, url="https://erp.test/hook", events=["deal.approved"])
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_update(
            endpoint=endpoint, user=world.admin_a, url="https://inside.test/hook", events=["deal.approved"]
        )
    assert (
        "inside.test resolves to a non-public address: 192.168.0.10 is private" in refused.value.message_dict["url"][0]
    )
    endpoint.refresh_from_db()
    assert endpoint.url == "https://erp.test/hook"


def test_the_api_and_the_page_refuse_with_the_same_message(world, client_for, client, dns, production_rules):
    dns.set("inside.test", ["10.0.0.7"])
    api = client_for("admin_a")
    answer = api.post("/api/v1/webhooks/", {"url": "https://inside.test/h", "events": ["deal.won"]}, format="json")
    assert answer.status_code == 400
    (message,) = answer.json()["error"]["fields"]["url"]
    assert message.startswith(
        "This URL cannot receive webhooks: inside.test resolves to a non-public address: 10.0.0.7 is private"
    )

    dns.set("erp.test", ["8.8.8.8"])
    created = api.post("/api/v1/webhooks/", {"url": "https://erp.test/h", "events": ["deal.won"]}, format="json")
    assert created.status_code == 201
    patched = api.patch(f"/api/v1/webhooks/{created.json()['id']}/", {"url": "https://[::1]/h"}, format="json")
    assert patched.status_code == 400 and "::1 is loopback" in patched.json()["error"]["fields"]["url"][0]

    client.force_login(world.admin_a)
    page = client.post(reverse("integrations:webhook_create"), {"url": "https://inside.test/h", "events": ["deal.won"]})
    assert page.status_code == 400
    assert "inside.test resolves to a non-public address: 10.0.0.7 is private" in page.content.decode()
    assert WebhookEndpoint.objects.count() == 1


# --- delivery ----------------------------------------------------------------------------------


def _delivery_for(world, url: str) -> WebhookDelivery:
    webhook_endpoint_create(user=world.admin_a, url=url, events=["claim.paid"])
    (delivery,) = webhook_deliveries_for_event(Event(name="claim.paid", partner_id=world.partner_a.pk, data={}))
    return delivery


def test_a_delivery_to_an_address_that_became_private_is_refused_and_recorded(world, dns, settings, two_servers):
    receiver, _ = two_servers
    port = receiver.server_address[1]
    dns.set("hook.test", ["127.0.0.1"])
    delivery = _delivery_for(world, f"http://hook.test:{port}/hook")  # registered while private addresses were allowed
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert deliver_webhook.delay(delivery.pk).get() == "refused"
    delivery.refresh_from_db()
    assert receiver.received == []
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, None)
    assert delivery.last_error == (
        "Not sent: hook.test resolves to a non-public address: 127.0.0.1 is loopback; "
        "only public addresses can receive webhooks."
    )


def test_a_name_that_does_not_resolve_is_retried_not_refused_for_good(world, dns, settings):
    dns.set("hook.test", ["8.8.8.8"])
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    delivery = _delivery_for(world, "https://hook.test/hook")
    dns.fail("hook.test")
    assert webhook_attempt(delivery) is False
    assert delivery.status == "retrying" and delivery.last_error.startswith("Not sent: cannot resolve hook.test")


def test_the_connection_goes_to_the_checked_address_without_a_second_lookup(world, dns, two_servers):
    """A resolver that answers 127.0.0.1 to the first look-up and 127.0.0.2 afterwards cannot move the request."""
    receiver, decoy = two_servers
    port = receiver.server_address[1]
    dns.set("hook.test", ["127.0.0.1"], ["127.0.0.2"])
    delivery = _delivery_for(world, f"http://hook.test:{port}/prm?x=1")  # private allowed: no look-up when saved
    assert dns.lookups["hook.test"] == 0
    assert webhook_attempt(delivery) is True
    assert dns.lookups["hook.test"] == 1
    assert decoy.received == [] and len(receiver.received) == 1
    assert receiver.received[0]["headers"]["Host"] == f"hook.test:{port}"
    # The next attempt looks the name up again (once) and goes where that answer points.
    assert webhook_attempt(delivery) is True
    assert dns.lookups["hook.test"] == 2 and len(decoy.received) == 1 and len(receiver.received) == 1


def test_when_the_first_checked_address_refuses_the_next_one_is_tried(world, dns, two_servers):
    receiver, decoy = two_servers
    port = receiver.server_address[1]
    dns.set("hook.test", ["127.0.0.3", "127.0.0.1"])  # nothing listens on 127.0.0.3
    delivery = _delivery_for(world, f"http://hook.test:{port}/hook")
    assert webhook_attempt(delivery) is True
    assert dns.lookups["hook.test"] == 1 and len(receiver.received) == 1 and decoy.received == []


def test_https_checks_the_certificate_against_the_host_name(world, dns, tmp_path):
    """TLS goes to the checked address with the host name as SNI, and an untrusted certificate fails."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hook.test"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    seen_names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: seen_names.append(name)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def accept_one():
        connection, _ = listener.accept()
        try:
            context.wrap_socket(connection, server_side=True)
        except (ssl.SSLError, OSError):
            pass  # the client gives up on the untrusted certificate
        finally:
            connection.close()

    thread = threading.Thread(target=accept_one, daemon=True)
    thread.start()
    dns.set("hook.test", ["127.0.0.1"])
    delivery = _delivery_for(world, f"https://hook.test:{port}/hook")
    try:
        assert webhook_attempt(delivery) is False
    finally:
        thread.join(5)
        listener.close()
    assert seen_names == ["hook.test"]
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_error and delivery.status == "retrying"


def test_redirects_are_not_followed(world):
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.server.hits += 1
            self.send_response(307)
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    server.hits = 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        delivery = _delivery_for(world, f"http://127.0.0.1:{server.server_address[1]}/hook")
        assert webhook_attempt(delivery) is False
    finally:
        server.shutdown()
        server.server_close()
    assert server.hits == 1 and delivery.response_code == 307 and "307" in delivery.last_error


# --- signatures --------------------------------------------------------------------------------


def test_the_signature_covers_the_timestamp_and_the_body():
    body, now = b'{"id":"e1"}', 1_800_000_000
    header = sign("whsec_k", body, now)
    assert header.startswith(f"t={now},v1=") and len(header.split("v1=")[1]) == 64
    assert verify("whsec_k", body, header, now=now)
    assert verify("whsec_k", body, header, now=now + 300) and verify("whsec_k", body, header, now=now - 300)
    assert not verify("whsec_k", body, header, now=now + 301)  # replayed too late
    assert not verify("whsec_k", body, header, now=now - 301)  # clock far ahead
    assert not verify("whsec_other", body, header, now=now)
    assert not verify("whsec_k", body + b" ", header, now=now)
    forged_time = header.replace(f"t={now}", f"t={now + 600}")  # a fresh timestamp on an old signature
    assert not verify("whsec_k", body, forged_time, now=now + 600)
    for broken in ("", "sha256=abc", f"t=x,v1={header.split('v1=')[1]}", f"t={now}"):
        assert not verify("whsec_k", body, broken, now=now)


def test_a_delivery_carries_a_fresh_signed_timestamp(world, two_servers):
    receiver, _ = two_servers
    endpoint = WebhookEndpoint.objects.get(
        pk=_delivery_for(world, f"http://127.0.0.1:{receiver.server_address[1]}/h").endpoint_id
    )
    webhook_attempt(WebhookDelivery.objects.get())
    (got,) = receiver.received
    header = got["headers"]["X-PRM-Signature"]
    assert header.startswith(f"t={got['headers']['X-PRM-Timestamp']},v1=")
    assert abs(int(got["headers"]["X-PRM-Timestamp"]) - time.time()) < 60
    assert verify(endpoint.secret, got["body"], header)


# --- what the delivery log shows ---------------------------------------------------------------


def test_partners_see_the_status_and_timing_of_a_reply_managers_also_its_body(world, client_for, client, two_servers):
    receiver, _ = two_servers
    delivery = _delivery_for(world, f"http://127.0.0.1:{receiver.server_address[1]}/h")
    webhook_attempt(delivery)
    delivery.refresh_from_db()
    assert delivery.response_body == "internal secret data"

    as_partner = client_for("admin_a").get("/api/v1/webhook-deliveries/").json()["results"][0]
    assert as_partner["response_code"] == 200 and as_partner["duration_ms"] is not None
    assert as_partner["response_body"] is None
    as_manager = client_for("manager").get(f"/api/v1/webhook-deliveries/{delivery.pk}/").json()
    assert as_manager["response_body"] == "internal secret data"

    page_url = reverse("integrations:webhook_detail", args=[delivery.endpoint_id])
    client.force_login(world.admin_a)
    page = client.get(page_url).content.decode()
    assert f"{delivery.duration_ms} ms" in page and ">200<" in page
    assert "internal secret data" not in page
    client.force_login(world.manager)
    assert "internal secret data" in client.get(page_url).content.decode()
    assert "internal secret data" not in json.dumps(
        client_for("admin_a").post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/").json()
    )


def test_the_deploy_check_warns_when_the_development_switches_are_on(settings):
    from integrations.checks import webhook_switches_off

    settings.DEBUG = False
    settings.PRM_WEBHOOK_ALLOW_HTTP = True
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert {w.id for w in webhook_switches_off()} == {"integrations.W001", "integrations.W002"}
    settings.PRM_WEBHOOK_ALLOW_HTTP = settings.PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert webhook_switches_off() == []


def test_the_receiver_snippet_of_the_api_guide_verifies_real_signatures():
    """The Python receiver shown in docs/api.md accepts what prm sends and refuses replays and forgeries."""
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    blocks = guide.split("```python\n")[1:]
    (snippet,) = [b.split("```")[0] for b in blocks if "def verify(secret: str, raw_body" in b]
    namespace: dict = {"__name__": "receiver_snippet"}
    exec(compile(snippet, "docs/api.md", "exec"), namespace)  # noqa: S102 - our own documentation
    receiver_verify = namespace["verify"]
    body, now = b'{"id":"e1","type":"deal.won"}', 1_800_000_000
    header = sign("whsec_k", body, now)
    assert receiver_verify("whsec_k", body, header, now=now + 299)
    assert not receiver_verify("whsec_k", body, header, now=now + 301)
    assert not receiver_verify("whsec_x", body, header, now=now)
    assert not receiver_verify("whsec_k", body + b"!", header, now=now)
    assert not receiver_verify("whsec_k", body, header.replace(f"t={now}", f"t={now + 1}"), now=now)
