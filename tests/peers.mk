# tests/peers.mk: see the scripts it lists
