# tests of smtp
