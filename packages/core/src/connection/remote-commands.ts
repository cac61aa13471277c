/**
 * Every command deploykit runs on a remote host, in one place: short POSIX `sh` scripts taking
 * their inputs as positional parameters (`$1`...), never interpolated. They use only what
 * Ubuntu 12.04 ships (dash 0.5.7 as `sh`, coreutils 8.13 — no `realpath` —, tar 1.26, gzip 1.4,
 * dpkg 1.16.1, util-linux 2.20; see the core README, "What a server needs"); a unit test
 * (`test/remote-commands.test.ts`) fails when a command or a flag outside that list appears.
 *
 * Exit codes the callers read: 0 done, 3 absent, 4 checksum mismatch, 5 already exists,
 * 6 refused, 7 stdin ended short of the byte count it was given (a connection cut mid-write:
 * nothing is placed), 8 a tool is missing, 9 a download failed, 10 dpkg failed; 255 is reserved (ssh uses it for a connection failure).
 */
export const REMOTE_COMMANDS = {
  /** `$1` path: prints the file; exit 3 when absent. */
  readFile: `[ -e "$1" ] || exit 3
exec cat -- "$1"`,

  /**
   * The next `$3` bytes of stdin -> `$1` through a temp file in the same dir, mode `$2`, renamed
   * into place only when all `$3` arrived (a cut connection ends stdin early: exit 7, `$1`
   * untouched). \`head -c\` reads no further, so steps of a {@link sequence} can share stdin.
   */
  writeFile: `set -e
dir=$(dirname -- "$1")
mkdir -p -- "$dir"
tmp=$(mktemp --suffix=.tmp "$1.XXXXXX")
trap 'rm -f -- "$tmp"' 0 1 2 13 15
head -c "$3" > "$tmp"
[ $(wc -c < "$tmp") -eq "$3" ] || exit 7
chmod "$2" "$tmp"
mv -f -- "$tmp" "$1"
trap - 0`,

  /**
   * stdin -> `$1` like writeFile, but the bytes must hash to `$2` (sha256, checked here, on the
   * host) or nothing is left behind: exit 4 printing the hash seen. A connection cut mid-stream
   * ends stdin early, so a short file fails the check too.
   */
  upload: `set -e
dir=$(dirname -- "$1")
mkdir -p -- "$dir"
tmp=$(mktemp --suffix=.partial "$dir/.upload.XXXXXX")
trap 'rm -f -- "$tmp"' 0 1 2 13 15
sum=$(tee -- "$tmp" | sha256sum | cut -d ' ' -f 1)
if [ "$sum" != "$2" ]; then echo "$sum"; exit 4; fi
chmod "$3" "$tmp"
mv -f -- "$tmp" "$1"
trap - 0`,

  /**
   * The host downloads `$1` itself from the URL given on stdin (not in argv, where `ps` would
   * show the presigned URL's signature), with curl or else wget; the bytes must hash to `$2`
   * (sha256) or nothing is left (exit 4 printing the hash seen); mode `$3`, renamed into place.
   * Exit 8 when the host has neither curl nor wget; 9 when the download failed (its message on
   * stdout).
   */
  fetchUrl: `set -e
url=$(cat)
dir=$(dirname -- "$1")
mkdir -p -- "$dir"
tmp=$(mktemp --suffix=.partial "$dir/.fetch.XXXXXX")
err=$(mktemp "$dir/.fetch-err.XXXXXX")
trap 'rm -f -- "$tmp" "$err"' 0 1 2 13 15
if command -v curl >/dev/null 2>&1; then
  curl -fsS --retry 3 --connect-timeout 10 -o "$tmp" "$url" 2>"$err" || { cat -- "$err"; exit 9; }
elif command -v wget >/dev/null 2>&1; then
  wget -q -T 10 -t 3 -O "$tmp" "$url" 2>"$err" || { cat -- "$err"; exit 9; }
else
  exit 8
fi
sum=$(sha256sum < "$tmp" | cut -d ' ' -f 1)
if [ "$sum" != "$2" ]; then echo "$sum"; exit 4; fi
chmod "$3" "$tmp"
mv -f -- "$tmp" "$1"
trap - 0
rm -f -- "$err"`,

  /**
   * stdin -> `$1` only if nothing exists there: all `$2` bytes written to a temp file first
   * (exit 7 when stdin ends short), then hard-linked into place (\`ln\` never overwrites:
   * atomic). Exit 5 printing what `$1` holds.
   */
  createExclusive: `set -e
dir=$(dirname -- "$1")
mkdir -p -- "$dir"
tmp=$(mktemp "$dir/.exclusive.XXXXXX")
trap 'rm -f -- "$tmp"' 0 1 2 13 15
cat > "$tmp"
[ $(wc -c < "$tmp") -eq "$2" ] || exit 7
if ln -- "$tmp" "$1" 2>/dev/null; then exit 0; fi
cat -- "$1" 2>/dev/null || true
exit 5`,

  /** Removes `$1` if its content is exactly `$2` (no trailing newline compared); exit 3 otherwise. */
  removeIfHolds: `[ -f "$1" ] && [ "$(cat -- "$1")" = "$2" ] || exit 3
rm -f -- "$1"`,

  /** Points symlink `$1` at `$2`: a temp link `.<name>.switch-<pid>` renamed over with \`mv -T\` (a plain mv would move INTO it). */
  switchSymlink: `set -e
tmp="$(dirname -- "$1")/.$(basename -- "$1").switch-$$"
ln -s -- "$2" "$tmp"
mv -T -f -- "$tmp" "$1" || { rm -f -- "$tmp"; exit 1; }`,

  /** Prints the target of symlink `$1`; exit 3 when it is not a symlink. */
  readlink: `[ -L "$1" ] || exit 3
exec readlink -- "$1"`,

  mkdirs: `exec mkdir -p -- "$@"`,

  remove: `exec rm -rf -- "$@"`,

  /** rename(2) `$1` to `$2` (\`mv -T\`: never into a directory). */
  rename: `exec mv -T -- "$1" "$2"`,

  /** NUL-separated names in dir `$1` (dotfiles included); exit 3 when it is not a directory. */
  list: `cd -- "$1" 2>/dev/null || exit 3
for name in * .[!.]* ..?*; do
  if [ -e "$name" ] || [ -L "$name" ]; then printf '%s\\0' "$name"; fi
done`,

  /**
   * Unpacks gzip tar `$1` into dir `$2` (created): owners not restored, and setuid, setgid and
   * sticky bits cleared after. The archive was scanned on the control machine (same bytes).
   */
  extractTgz: `set -e
mkdir -p -- "$2"
tar -x -z --no-same-owner --no-same-permissions -f "$1" -C "$2"
chmod -R u-s,g-s,o-t -- "$2"`,

  /**
   * With the root's lock held: removes what interrupted runs left (staging and trash dirs, temp
   * links, temp state files, partial uploads), then reports the layout in one answer. `$1` root,
   * then the shared dirs. Lines: `bad <path>` for a path that is not a directory (or, for
   * `current`, not a symlink), `current <target>` and `current-ok` when its target is a
   * directory, `boot <id>`, then `state` and the raw state.json.
   */
  inspectHost: `root=$1
shift
rm -rf -- "$root"/releases/.staging-* "$root"/releases/.trash-* "$root"/.current.* \
  "$root"/.deploykit/state.json.*.tmp "$root"/.deploykit/cache/*/*.partial
if [ -L "$root/current" ]; then
  echo "current $(readlink -- "$root/current")"
  if [ -d "$root/current" ]; then echo current-ok; fi
elif [ -e "$root/current" ]; then echo "bad $root/current"; fi
for dir in "$root/releases" "$root/shared" "$root/.deploykit" "$@"; do
  if [ -e "$dir" ] && [ ! -d "$dir" ]; then echo "bad $dir"; fi
done
echo "boot $(cat /proc/sys/kernel/random/boot_id 2>/dev/null)"
echo state
cat -- "$root/.deploykit/state.json" 2>/dev/null || true`,

  /**
   * Replaces lock `$1`, found holding exactly `$2` (judged abandoned), with the record on stdin.
   * Only one of several contenders may: the right to do it is \`ln\` of a claim
   * `$1.stale-$3` (`$3` the abandoned record's token). Exit 5 when someone else won; exit 7
   * when stdin ended short of `$4` bytes.
   */
  takeOverLock: `set -e
tmp=$(mktemp "$1.XXXXXX")
trap 'rm -f -- "$tmp"' 0 1 2 13 15
cat > "$tmp"
[ $(wc -c < "$tmp") -eq "$4" ] || exit 7
ln -- "$tmp" "$1.stale-$3" 2>/dev/null || exit 5
if [ "$(cat -- "$1" 2>/dev/null)" = "$2" ]; then
  mv -f -- "$tmp" "$1"
  rm -f -- "$1.stale-$3"
  exit 0
fi
rm -f -- "$1.stale-$3"
exit 5`,

  /**
   * Installs the `.deb` `$1` with dpkg (no prompts; config files the admin changed are kept),
   * appending dpkg's output to `$3`; while apt or another dpkg holds dpkg's lock it retries once
   * a second, `$4` times at most. Then prints dpkg's output, a `@@deploykit` line, package `$2`'s
   * `dpkg-query -s` record and its `APP_HOME=` line of `/etc/default/$2`, if any.
   * Exit 8 without dpkg; 10 when dpkg failed (its output on stdout).
   */
  dpkgInstall: `command -v dpkg >/dev/null 2>&1 || exit 8
DEBIAN_FRONTEND=noninteractive
LC_ALL=C
export DEBIAN_FRONTEND LC_ALL
out=$(mktemp)
trap 'rm -f -- "$out"' 0 1 2 13 15
tries=0
until dpkg --install --force-confdef --force-confold "$1" > "$out" 2>&1; do
  cat -- "$out" >> "$3"
  grep -q -e 'locked by another process' -e 'unable to acquire the dpkg' "$out" || { cat -- "$out"; exit 10; }
  tries=$((tries + 1))
  [ "$tries" -lt "$4" ] || { cat -- "$out"; exit 10; }
  sleep 1
done
cat -- "$out" >> "$3"
cat -- "$out"
echo @@deploykit
dpkg-query -s "$2" || true
grep -E '^APP_HOME=' "/etc/default/$2" 2>/dev/null || true`,

  /**
   * Unpacks gzip tar `$1` (verified, scanned) as release `$3` under releases dir `$2`: into a
   * staging dir next to it, owners not restored, setuid/setgid/sticky bits cleared, each shared
   * dir replaced by a symlink (pairs after `$4` = shared root: `<dir> <relative target>`), then
   * renamed into place (an existing dir of that version is moved aside and removed first), so
   * `releases/<version>` is complete or absent.
   */
  unpackRelease: `set -e
staging="$2/.staging-$3-$$"
trap 'rm -rf -- "$staging"' 0 1 2 13 15
mkdir -p -- "$staging"
tar -x -z --no-same-owner --no-same-permissions -f "$1" -C "$staging"
chmod -R u-s,g-s,o-t -- "$staging"
release="$2/$3"
shared=$4
shift 4
while [ $# -gt 1 ]; do
  mkdir -p -- "$shared/$1"
  rm -rf -- "$staging/$1"
  mkdir -p -- "$(dirname -- "$staging/$1")"
  ln -s -- "$2" "$staging/$1"
  shift 2
done
if [ -e "$release" ] || [ -L "$release" ]; then
  mv -T -- "$release" "$(dirname -- "$release")/.trash-$$"
  rm -rf -- "$(dirname -- "$release")/.trash-$$"
fi
mv -T -- "$staging" "$release"
trap - 0`,

  /**
   * The process runner over SSH: runs argv `$2...` in dir `$1` (exit 97 when it cannot cd).
   * `env` does the exec, so `NAME=value` words before the program set its environment.
   */
  run: `cd -- "$1" || exit 97
shift
exec env "$@"`,

  /**
   * Starts argv `$3...` detached in dir `$1`, stdout and stderr appended to log `$2`, stdin
   * from /dev/null, in a session of its own (\`setsid\`: no fork, as the background child is not
   * a group leader, so \`$!\` is its pid and group); prints the pid. The ssh channel closes at once.
   */
  spawnDetached: `cd -- "$1" || exit 97
log=$2
shift 2
setsid env "$@" >> "$log" 2>&1 < /dev/null &
echo $!`,

  /**
   * Sends signal `$1` (a name: TERM, or 0 for a liveness check) to pid `$2` (negative: its
   * process group). Exit 0 sent; 3 no such process; a process of another user counts as alive.
   */
  signal: `kill -s "$1" -- "$2" 2>/dev/null && exit 0
[ "$1" = 0 ] && [ -d "/proc/$2" ] && exit 0
exit 3`,

  /**
   * Facts to check a pid read from pid file `$2` of the app rooted at `$3`: lines `uptime`,
   * `now` (host clock, s), the pid file's mtime (s), the root's real path, the process's cwd,
   * its \`/proc/<pid>/stat\` line, then its NUL-separated command line. Empty line when unknown.
   */
  processFacts: `cat /proc/uptime 2>/dev/null || echo
date +%s.%N
stat -c %Y -- "$2" 2>/dev/null || echo
readlink -f -- "$3" 2>/dev/null || echo
readlink -- "/proc/$1/cwd" 2>/dev/null || echo
head -n 1 "/proc/$1/stat" 2>/dev/null || echo
cat "/proc/$1/cmdline" 2>/dev/null || true`,

  /** Every process's \`/proc/<pid>/stat\` line (children are found by their ppid on this side). */
  processStats: `cat /proc/[0-9]*/stat 2>/dev/null || true`,

  /**
   * The listening sockets and who holds them: \`/proc/net/tcp\` and \`tcp6\`, a line \`--\`,
   * then \`ls -l\` of every process's fd dir (links to \`socket:[inode]\`).
   */
  socketTable: `cat /proc/net/tcp /proc/net/tcp6 2>/dev/null
echo --
ls -l /proc/[0-9]*/fd 2>/dev/null || true`,

  /** For each pid argument, three lines: the pid, its cwd, its \`/proc/<pid>/stat\` line (empty when gone). */
  holderFacts: `for pid in "$@"; do
echo "$pid"
readlink -- "/proc/$pid/cwd" 2>/dev/null || echo
head -n 1 "/proc/$pid/stat" 2>/dev/null || echo
done`,

  /** Size in bytes of file `$1` (0 when absent): a log's end, to read only what follows. */
  fileSize: `stat -c %s -- "$1" 2>/dev/null || echo 0`,

  /** Bytes of file `$2` from byte `$1` (1-based) on, at most the last `$3`; nothing when absent. */
  readFrom: `tail -c "+$1" -- "$2" 2>/dev/null | tail -c "$3"`,

  /** The change time of `$1` (ns precision, as text), exit 3 when absent: a rename moves it. */
  changeTime: `stat -c %z -- "$1" 2>/dev/null || exit 3`,
} as const;

/** Names of the scripts in {@link REMOTE_COMMANDS}. */
export type RemoteCommand = keyof typeof REMOTE_COMMANDS;

/** One catalogue command of a {@link sequence} and its positional parameters. */
export type SequenceStep = readonly [command: RemoteCommand, args: readonly string[]];

/**
 * Several catalogue commands as ONE script (one round trip instead of one each), run in order,
 * each in a subshell of its own with its own `$@` (quoted words, never interpolated) and its own
 * `set -e`, traps and `exit`s. The first non-zero exit stops it: the script exits with that code
 * after printing `deploykit-step <index> <command>` as stderr's last line (see
 * {@link failedStep}). Steps share stdin: only `writeFile` steps (each reading its byte count)
 * may come before another step that reads it.
 */
export function sequence(steps: readonly SequenceStep[]): string {
  return steps
    .map(
      ([command, args], index) => `(set -- ${args.map(shQuote).join(" ")}
${REMOTE_COMMANDS[command]}
)
rc=$?
if [ "$rc" -ne 0 ]; then echo "deploykit-step ${index} ${command}" >&2; exit "$rc"; fi`,
    )
    .join("\n");
}

/** Which step of a {@link sequence} failed, from its stderr; the message without that line. */
export function failedStep(stderr: string): { index: number; command?: RemoteCommand; message: string } {
  const match = /(?:^|\n)deploykit-step (\d+) (\w+)\n?$/.exec(stderr);
  if (!match) return { index: -1, message: stderr };
  return {
    index: Number(match[1]),
    command: match[2] as RemoteCommand,
    message: stderr.slice(0, match.index),
  };
}

/** Quotes one word for a POSIX shell: `'...'` with each `'` written as `'\''`. */
export function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
