# tests/lib/pdf.sh: small PDF and PostScript documents made on the spot.

# make_pdf FILE TEXT: a one-page PDF showing TEXT (ASCII), valid xref.
make_pdf() {
	local f=$1 text=$2 body off=() i
	local objs=(
		"<< /Type /Catalog /Pages 2 0 R >>"
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
		""
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
	)
	local stream="BT /F1 24 Tf 72 760 Td ($text) Tj ET"
	objs[3]="<< /Length ${#stream} >>
stream
$stream
endstream"
	body="%PDF-1.4"$'\n'
	for i in 0 1 2 3 4; do
		off[i]=${#body}
		body+="$((i + 1)) 0 obj"$'\n'"${objs[i]}"$'\n'"endobj"$'\n'
	done
	local xref=${#body}
	body+="xref"$'\n'"0 6"$'\n'"0000000000 65535 f "$'\n'
	for i in 0 1 2 3 4; do
		body+=$(printf '%010d 00000 n ' "${off[i]}")$'\n'
	done
	body+="trailer"$'\n'"<< /Size 6 /Root 1 0 R >>"$'\n'"startxref"$'\n'"$xref"$'\n'"%%EOF"$'\n'
	printf '%s' "$body" >"$f"
}

# make_big_pdf FILE MEGABYTES: a PDF header followed by random bytes; CUPS
# and the backend see a PDF, and every byte must arrive unchanged.
make_big_pdf() {
	{
		printf '%%PDF-1.4\n%%\342\343\317\323\n'
		head -c "$(($2 * 1024 * 1024))" /dev/urandom
		printf '\n%%%%EOF\n'
	} >"$1"
}

# make_ps FILE TEXT: a one-page PostScript document.
make_ps() {
	printf '%%!PS-Adobe-3.0\n/Helvetica findfont 24 scalefont setfont\n72 760 moveto (%s) show\nshowpage\n' "$2" >"$1"
}
