# tests of tls
