# tests of parsers
