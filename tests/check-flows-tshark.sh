#!/bin/sh
# Flow events agree with tshark on the shared real-client captures (skips
# when ../shared/pcaps or tshark is absent).
dir=${PD_SHARED_PCAPS:-}/real
[ -d "$dir" ] || { echo "SKIP: no shared captures"; exit 77; }
exec python3 "${top_srcdir:-.}/tests/check-flows-tshark.py" "${top_builddir:-.}/portdemuxd" "$dir"/*.pcap "$dir"/*.pcapng
