# tests of handlers
