# tests of output
