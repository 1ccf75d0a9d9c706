#!/bin/sh
# Guest side: the contract of /sys/kernel/debug/kasan/vmalloc_shadow.
. /kvshadow/tests/lib.sh

[ -r "$VS" ] || fail "$VS missing"
[ "$(stat -c %a "$VS")" = 600 ] || fail "mode is $(stat -c %a "$VS"), want 600"

got=$(awk '{ printf "%s ", $1 }' "$VS")
[ "$got" = "$KEYS " ] || fail "keys or order: '$got'"
awk 'NF != 2 || $2 !~ /^[0-9]+$/ { print "bad line: " $0; bad = 1 } END { exit bad }' "$VS" ||
	fail "not 'key decimal' lines"
# Counts, never addresses: nothing remotely as large as a kernel pointer.
awk 'length($2) > 12 { print "suspicious value: " $0; bad = 1 } END { exit bad }' "$VS" ||
	fail "a value looks like an address"

snap s
[ "$s_shadow_pages" -gt 0 ] || fail "shadow_pages is 0 after boot"
[ "$s_shadow_pages" -eq $((s_pages_populated - s_pages_released)) ] ||
	fail "invariant: $s_shadow_pages != $s_pages_populated - $s_pages_released"
[ "$s_shadow_pages_peak" -ge "$s_shadow_pages" ] || fail "peak below current"
[ "$s_pages_allocated" -ge "$s_pages_populated" ] || fail "allocated below populated"
[ "$s_populate_calls" -gt 0 ] || fail "no populate calls after boot"

# Raise the peak, let the purge bring shadow_pages down, then reset.
test_vmalloc run_test_mask=1 test_loop_count=2000 nr_pages=64
quiesce
snap a
[ "$a_pages_released" -gt "$s_pages_released" ] || fail "no release after test_vmalloc"
[ "$a_shadow_pages_peak" -gt "$a_shadow_pages" ] || fail "peak $a_shadow_pages_peak not above current $a_shadow_pages"
# Populate allocates pages only for shadow PTEs it finds empty: beyond the
# pages it maps, only those that lost a race with a concurrent populate
# of a neighbouring area (the stock kernel allocated 2.8 per page mapped).
# Not derived: a lost race costs one page, and only an area's two edge
# shadow pages can be shared with a neighbour populating at the same
# time, so the bound that follows is alloc - pop <= 2 * populate_calls;
# 1.05 per page is what runs have shown (issue 20, item 5: listed).
alloc=$((a_pages_allocated - s_pages_allocated)) pop=$((a_pages_populated - s_pages_populated))
[ "$pop" -gt 0 ] || fail "test_vmalloc populated no shadow"
[ $((alloc * 100)) -le $((pop * 105)) ] ||
	fail "populate allocated $alloc pages to map $pop: more than 1.05 per page"
echo "populate: $alloc pages allocated for $pop shadow pages mapped"
echo 0 >"$VS" || fail "writing 0 failed"
snap r
[ "$r_shadow_pages_peak" -eq "$r_shadow_pages" ] || fail "after reset peak $r_shadow_pages_peak != $r_shadow_pages"
[ "$r_shadow_pages" -eq $((r_pages_populated - r_pages_released)) ] || fail "invariant after workload"

# The kernel reads the value with kstrtouint(), base 10: a decimal zero
# ("0", "00", "+0", a newline or not) resets, anything else is refused.
for v in 1 abc -1 "0 0" " 0" 0x0 18446744073709551616; do
	err=$( (echo "$v" >"$VS") 2>&1)
	case $err in
	*"Invalid argument"*) ;;
	*) fail "writing '$v' was not refused with EINVAL (got: '$err')" ;;
	esac
done
snap z
[ "$z_shadow_pages_peak" -ge "$r_shadow_pages_peak" ] || fail "a refused write changed the peak"
echo "debugfs contract OK: $(tr '\n' ' ' <"$VS")"
