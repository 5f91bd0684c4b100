#!/bin/sh
# Golden tests: tests/golden/<case>/{content,templates,static} built, every output file
# compared byte for byte with tests/golden/<case>/expected/. The case's own small
# templates print the context, so these test the generator, not the theme.
# UPDATE=1 sh tests/t_golden.sh rewrites expected/ (read the diff before committing).
. tests/lib.sh
for dir in tests/golden/*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	for variant in plain asan; do
		g=./gen/gen
		[ $variant = asan ] && g=./gen/asan/gen
		out=$TEST_OUT/golden-$variant-$name
		rm -rf "$out"
		if ! $g build --content "$dir/content" --templates "$dir/templates" --static "$dir/static" \
			--out "$out" >"$out.log" 2>&1; then
			fail "$variant golden/$name builds" "$(tail -n 5 "$out.log")"
			continue
		fi
		if [ "${UPDATE:-}" = 1 ] && [ $variant = plain ]; then
			rm -rf "$dir/expected" && cp -r "$out" "$dir/expected"
		fi
		if diff -r "$dir/expected" "$out" >"$out.diff" 2>&1; then
			pass "$variant golden/$name"
		else
			fail "$variant golden/$name" "$(head -n 20 "$out.diff")"
		fi
	done
done
