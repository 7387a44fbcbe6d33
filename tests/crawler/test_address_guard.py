"""The address guard decides on the resolved address, not the name."""

from __future__ import annotations

import pytest

from rasid.crawler.downloadermiddlewares.address_guard import is_public


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "172.16.5.4",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "100.64.0.1",
    ],
)
def test_private_and_special_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"])
def test_public_addresses(address: str) -> None:
    assert is_public(address)


def test_an_allow_list_admits_only_its_networks() -> None:
    from rasid.crawler.downloadermiddlewares.address_guard import AddressGuardMiddleware

    guard = AddressGuardMiddleware(["127.0.0.1/32"])
    assert guard.allowed("127.0.0.1") and guard.allowed("8.8.8.8")
    assert not guard.allowed("127.0.0.2") and not guard.allowed("::1") and not guard.allowed("10.0.0.1")
