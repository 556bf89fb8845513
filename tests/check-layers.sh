#!/bin/sh
# Keeps the layers one-way (DESIGN.md): each folder may include only what its
# row allows, and only daemon/ sees <pcap.h> or <sys/capability.h>.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 99
fail=0
check() { # folder, allowed project folders (regex)
	dir=$1 allowed=$2
	[ -d "$dir" ] || return 0
	bad=$(grep -HnE '^#[[:space:]]*include[[:space:]]*"' $(find "$dir" -name '*.[ch]') 2>/dev/null |
		grep -vE "#[[:space:]]*include[[:space:]]*\"($allowed)/" )
	if [ -n "$bad" ]; then echo "layer violation in $dir/ (may include: $allowed):"; echo "$bad"; fail=1; fi
	sys=$(grep -HnE '#[[:space:]]*include[[:space:]]*<(pcap|pcap/pcap|sys/capability)\.h>' $(find "$dir" -name '*.[ch]') 2>/dev/null)
	if [ -n "$sys" ]; then echo "only daemon/ may include libpcap/libcap headers:"; echo "$sys"; fail=1; fi
}
check include/portdemux 'portdemux'
check parsers 'parsers|portdemux'
check flows 'parsers|flows|portdemux'
check output 'output|portdemux'
check handlers 'portdemux|output|handlers'
exit $fail
