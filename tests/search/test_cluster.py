"""The throw-away cluster `make test` runs the OpenSearch half of the suite against
(archive/search/cluster/with-cluster): a real cluster of two nodes, found by the fixture."""

import requests


def test_the_test_cluster_is_green_with_two_nodes(opensearch_url):
    health = requests.get(f"{opensearch_url}/_cluster/health", timeout=10).json()
    assert health["status"] == "green"
    assert health["number_of_nodes"] == health["number_of_data_nodes"] == 2


def test_the_test_cluster_listens_on_loopback_only(opensearch_url):
    nodes = requests.get(f"{opensearch_url}/_nodes/http", timeout=10).json()["nodes"].values()
    addresses = [node["http"]["publish_address"] for node in nodes]
    assert len(addresses) == 2 and all(address.startswith("127.0.0.1:") for address in addresses)
