# tests of flows
