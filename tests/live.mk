# tests/live.mk: see the scripts it lists
