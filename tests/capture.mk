# tests/capture.mk: see the scripts it lists
