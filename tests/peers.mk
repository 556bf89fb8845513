# tests of peers: the shared peer captures (../shared/pcaps/peers) against what other
# projects expect of them: nDPI's protocol per flow (result/*.out) and suricata-verify's
# EVE field checks (test.yaml) for http, tls and ssh. Both skip without ../shared.
TESTS += tests/check-peers-ndpi.py tests/check-peers-suricata.py
EXTRA_DIST += tests/check-peers-ndpi.py tests/check-peers-suricata.py
