#!/bin/sh
# docs/events.md is the assembly of docs/events.d/*.md.
exec "${top_srcdir:-.}/docs/assemble-events.sh" --check
