# tests of daemon
