#!/bin/bash
# Builds Kilburn's C library and user programs and checks them on Linux,
# running the static riscv64 binaries under qemu-riscv64 (Debian's
# qemu-user). Programs started by our shell are riscv64 binaries too, so
# the kernel must hand them to qemu: binfmt_misc is registered if needed.
#
#	user/tests/run-on-linux.sh		(from anywhere; B=build by default)
#
# Prints one line per check and "N passed, N failed"; exits 1 on failure.

set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
Q=qemu-riscv64
cd "$ROOT" || exit 1

# --- tools ------------------------------------------------------------------

need_root() {
	[ "$(id -u)" = 0 ] || { echo "run-on-linux: $1 (needs root)"; exit 1; }
}

if ! command -v $Q >/dev/null; then
	need_root "qemu-riscv64 is missing: apt-get install qemu-user"
	(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user) \
		>/dev/null || { echo "run-on-linux: cannot install qemu-user"; exit 1; }
fi

Q=$(command -v $Q)

make --no-print-directory -f user/user.mk B="$B" user-progs user-tests >/dev/null ||
	{ echo "run-on-linux: build failed"; exit 1; }

case $B in /*) OUT=$B/user ;; *) OUT=$ROOT/$B/user ;; esac
BIN=$OUT/bin
SBIN=$OUT/sbin
TBIN=$OUT/tests

# Lets the kernel run riscv64 ELF files through qemu (for fork + exec).
register_binfmt() {
	local f=/proc/sys/fs/binfmt_misc
	need_root "riscv64 binaries cannot be executed directly (binfmt_misc)"
	[ -e $f/register ] || mount -t binfmt_misc binfmt_misc $f || return 1
	[ -e $f/qemu-riscv64 ] && echo -1 > $f/qemu-riscv64
	local magic='\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xf3\x00'
	local mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
	echo ":qemu-riscv64:M::$magic:$mask:$(command -v $Q):OF" > $f/register
}

if ! "$BIN/true" 2>/dev/null; then
	register_binfmt
	"$BIN/true" 2>/dev/null || { echo "run-on-linux: cannot execute riscv64 binaries"; exit 1; }
fi

# --- checks -----------------------------------------------------------------

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
pass=0
fail=0

ok()  { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; printf '%s\n' "$2" | sed 's/^/    /'; }

# Runs our shell on a command line with a clean environment.
ksh() { env -i PATH="$BIN:$SBIN:$TBIN" HOME="$TMP" $Q "$BIN/sh" -c "$1"; }

# t_out DESC WANT CMDLINE: stdout of `sh -c CMDLINE` equals WANT.
t_out() {
	local got
	got=$(ksh "$3" 2>"$TMP/.err" </dev/null)
	if [ "$got" == "$2" ]; then ok "$1"; else
		bad "$1" "command: $3"$'\n'"got:  $got"$'\n'"want: $2"$'\n'"stderr: $(cat "$TMP/.err")"; fi
}

# t_status DESC N CMDLINE: `sh -c CMDLINE` exits with status N.
t_status() {
	ksh "$3" >/dev/null 2>&1 </dev/null
	local st=$?
	if [ "$st" == "$2" ]; then ok "$1"; else bad "$1" "command: $3"$'\n'"status $st, want $2"; fi
}

# t_err DESC TEXT CMDLINE: stderr of `sh -c CMDLINE` contains TEXT.
t_err() {
	local err
	err=$(ksh "$3" 2>&1 >/dev/null </dev/null)
	if [[ "$err" == *"$2"* ]]; then ok "$1"; else
		bad "$1" "command: $3"$'\n'"stderr: $err"$'\n'"want it to contain: $2"; fi
}

# t_prog DESC PROGRAM: a test program exits 0 (its output shown on failure).
t_prog() {
	local out
	out=$($Q "$TBIN/$2" 2>&1)
	if [ $? == 0 ]; then ok "$1 ($(echo "$out" | tail -1))"; else bad "$1" "$out"; fi
}

# programs and pipes
t_out "echo hi | cat" "hi" 'echo hi | cat'
t_out "three-stage pipeline" "a b c" 'echo a b c | cat | cat'
t_out "echo -n" "xy" 'echo -n x; echo y'
t_out "cat of two files and stdin" $'1\n2\n3' 'echo 1 > a; echo 3 > c; echo 2 | cat a - c'
got=$(printf 'cat\nhello\n' | env -i PATH="$BIN" $Q "$BIN/sh" 2>&1)
if [ "$got" == hello ]; then ok "sh reads stdin a byte at a time; cat gets the rest"; else
	bad "sh reads stdin a byte at a time; cat gets the rest" "$got"; fi
got=$(printf 'echo $X\nX=1\necho $X\n' | env -i PATH="$BIN" $Q "$BIN/sh" 2>&1)
if [ "$got" == $'\n1' ]; then ok "sh runs commands from stdin"; else bad "sh runs commands from stdin" "$got"; fi

# redirections
t_out "> and >> and <" $'one\ntwo' 'echo one > f; echo two >> f; cat < f'
t_out "2> redirects errors" "cat: nosuch: No such file or directory" 'cat nosuch 2> e; cat e'
t_out "2>&1 into a pipe" "cat: nosuch: No such file or directory" 'cat nosuch 2>&1 | cat'
t_out "redirection alone creates a file" $'empty\nx' '> empty; ls empty | cat; echo x'
t_status "redirection failure fails the command" 1 'cat < /nonexistent'

# lists and statuses
t_out "&& || ;" $'a\nc' 'true && echo a; false && echo b; false || echo c; true || echo d'
t_out "\$? after false and true" $'1\n0' 'false; echo $?; true; echo $?'
t_out "pipeline status is the last command's" $'0\n1' 'false | true; echo $?; true | false; echo $?'
t_out "a && b || c groups left to right" "c" 'false && echo b || echo c'
t_status "exit N" 7 'exit 7'
t_status "status of the last command" 1 'true; false'
t_out "nested sh status" "3" 'sh -c "exit 3"; echo $?'
t_out "command not found is 127" "127" 'nosuchcmd 2>/dev/null; echo $?'
t_err "command not found message" "nosuchcmd: command not found" 'nosuchcmd'
t_status "syntax error is status 2" 2 'echo a && && echo b'

# words and variables
t_out "quotes and escapes" 'a  b c  1 $HOME x"y' 'X=1; echo '"'"'a  b'"'"' "c  $X" \$HOME x\"y'
t_out "variables and \${}" "hello hello!" 'X=hello; echo $X ${X}!'
t_out "assignment prefix reaches the command only" $'2\n[]' 'Y=2 sh -c "echo \$Y"; echo "[$Y]"'
t_out "export" "1" 'export A=1; sh -c "echo \$A"'
t_out "unquoted empty expansion disappears" "a b" 'echo a $NOTHING b'
t_out "comments" "a" 'echo a # not this'
t_out "cd and pwd" "/" 'cd /; pwd'
t_out "cd - and \$OLDPWD" "$TMP" 'cd /; cd - >/dev/null; pwd'
t_out "newlines separate commands" $'1\n2' $'echo 1\necho 2'
printf 'echo $0 $1 $2 $#\n# comment\nif_not_a_cmd=1\necho "multi\nline" \\\n  joined\n' > "$TMP/script"
t_out "sh script args" $'script a b 2\nmulti\nline joined' "sh script a b"

# ls
mkdir -p "$TMP/d" && touch "$TMP/d/b" "$TMP/d/a" "$TMP/d/c" "$TMP/d/.hidden"
t_out "ls of a directory" $'a\nb\nc' 'ls d'
t_out "ls -a shows dot files" $'.\n..\n.hidden\na\nb\nc' 'ls -a d'
out=$(ksh 'cd d; ls -l' 2>&1)
if [[ "$(echo "$out" | head -1)" == -rw* && "$(echo "$out" | head -1)" == *" a" && $(echo "$out" | wc -l) == 3 ]]
then ok "ls -l shows mode and name"; else bad "ls -l shows mode and name" "$out"; fi
t_out "ls of a missing path fails" "2" 'ls nosuch 2>/dev/null; echo $?'

# kill and signals
t_out "kill a background child (TERM)" "143" 'sleep 10 & kill $!; wait $!; echo $?'
t_out "kill -9 a background child" "137" 'sleep 10 & kill -9 $!; wait $!; echo $?'
t_out "kill -SIGKILL by name" "137" 'sleep 10 & kill -SIGKILL $!; wait $!; echo $?'
t_out "kill of a missing pid fails" "1" 'kill 999999 2>/dev/null; echo $?'
t_err "shell reports Killed" "Killed" 'sh -c "kill -9 \$\$"'
t_err "shell reports Terminated" "Terminated" 'sh -c "kill \$\$"'
t_err "shell reports Segmentation fault" "Segmentation fault" 'segv'
t_status "killed by SIGSEGV is status 139" 139 'segv'
t_out "background job and wait" $'started\ndone' 'sleep 0.1 & echo started; wait; echo done'
t_out "sleep sleeps" "ok" 'sleep 0.2 && echo ok'

# init
t_status "init exits with its child's status" 5 'init sh -c "exit 5"'
t_status "init reports a signal death as 128+N" 137 'init sh -c "kill -9 \$\$"'

# In a new pid namespace init is process 1, so orphans really come to it.
skip=0
if unshare --fork --pid --mount-proc true 2>/dev/null; then
	got=$(unshare --fork --pid --mount-proc env -i PATH="$BIN:$SBIN" $Q "$SBIN/init" \
		sh -c 'sh -c "sleep 0.2 & echo \$!" > orphan; sleep 0.6; ps' 2>&1)
	orphan=$(cat orphan 2>/dev/null)
	if [[ -n "$orphan" && "$(echo "$got" | head -2 | tail -1)" == "    1 "* &&
	      ! "$got" =~ (^|$'\n')" *$orphan " ]]; then
		ok "init as process 1 reaps an orphaned grandchild"
	else
		bad "init as process 1 reaps an orphaned grandchild" "orphan $orphan"$'\n'"$got"
	fi
else
	skip=$((skip + 1)); echo "skip - init as process 1 (unshare --pid unavailable)"
fi

# /proc readers
out=$(ksh 'ps' 2>&1)
if [[ "$(echo "$out" | head -1)" == "  PID STATE      RSS      VSZ   MINFLT MAJFLT NAME" && "$out" == *" R "* ]]; then
	ok "ps lists processes with a header and finds sh"; else bad "ps lists processes" "$out"; fi
out=$(ksh 'free' 2>&1)
if [[ "$out" == *"Mem:"* && "$out" == *"total"* ]]; then ok "free shows Mem:"; else bad "free" "$out"; fi

# library
t_prog "libc: printf formats, strings, stdio" libc_test
t_prog "malloc stress" malloc_stress

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
