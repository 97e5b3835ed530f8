# tests/lib/mime.sh: reading the messages the backend sends, in the shell.

# mime_attachment FILE OUT: the base64 application/pdf part of FILE,
# decoded into OUT.
mime_attachment() {
	awk '
		/^Content-Type: application\/pdf/ { part = 1 }
		part == 1 && /^$/ { part = 2; next }
		part == 2 && /^--/ { exit }
		part == 2 { print }
	' "$1" | base64 -d >"$2"
}

# mime_header FILE NAME: the unfolded value of the first header NAME.
mime_header() {
	sed '/^$/q' "$1" | awk -v name="$2" '
		BEGIN { IGNORECASE = 1 }
		found && /^[ \t]/ { sub(/^[ \t]+/, ""); v = v $0; next }
		found { exit }
		tolower($0) ~ "^" tolower(name) ":" { found = 1; sub(/^[^:]*:[ \t]*/, ""); v = $0 }
		END { print v }
	'
}

# mime_decode_words TEXT: RFC 2047 B words decoded (UTF-8), joined.
mime_decode_words() {
	local s=$1 out="" w
	while [[ $s =~ =\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?= ]]; do
		w=${BASH_REMATCH[1]}
		out+=$(printf '%s' "$w" | base64 -d)
		s=${s#*"${BASH_REMATCH[0]}"}
	done
	printf '%s' "$out"
}

# mime_pct_decode TEXT: RFC 2231 %XX decoding.
mime_pct_decode() {
	printf '%b' "$(printf '%s' "$1" | sed 's/%\([0-9A-Fa-f][0-9A-Fa-f]\)/\\x\1/g')"
}

# mime_filename FILE [compat32|default]: the attachment's file name as
# Python's email package shows it, with its legacy parser (compat32) or
# its current one (default): two parsers, as mail readers differ.
mime_filename() {
	python3 - "$1" "${2:-default}" <<'PYEOF'
import email, email.policy, sys
pol = email.policy.compat32 if sys.argv[2] == "compat32" else email.policy.default
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=pol)
for part in m.walk():
    if part.get_content_disposition() == "attachment":
        print(part.get_filename())
        break
PYEOF
}
