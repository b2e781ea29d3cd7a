#!/bin/sh
# Builds the pidlock jlink image: JAVA_HOME CLI_JAR MODULES_DIR IMAGE_DIR
set -eu
java_home=$1; cli_jar=$2; modules=$3; image=$4
rm -rf "$image"
"$java_home/bin/jlink" \
  --module-path "$cli_jar:$modules" \
  --add-modules dev.pidlock.cli,dev.pidlock.nio,dev.pidlock.fcntl,dev.pidlock.lockf,jdk.unsupported \
  --strip-debug --no-header-files --no-man-pages \
  --output "$image" 2>&1 | grep -v "is deprecated" || true
[ -x "$image/bin/java" ] || { echo "jlink failed" >&2; exit 1; }
# JNA's native library, unpacked once into the image instead of at every start.
arch=$(uname -m); case "$arch" in x86_64) jna=linux-x86-64;; aarch64) jna=linux-aarch64;; *) jna="";; esac
if [ -n "$jna" ]; then
  jar=$(ls "$modules"/jna-jpms-*.jar | head -n 1)
  (cd "$image/lib" && "$java_home/bin/jar" xf "$jar" "com/sun/jna/$jna/libjnidispatch.so" \
     && mv "com/sun/jna/$jna/libjnidispatch.so" . && rm -rf com)
fi
native_access=""
version=$("$image/bin/java" -version 2>&1 | head -n 1 | sed -E 's/[^"]*"([0-9]+).*/\1/')
[ "$version" -ge 24 ] 2>/dev/null && native_access="--enable-native-access=com.sun.jna"
# jna.platform.library.path set: JNA would otherwise run `ldconfig -p` (a process) to learn the library
# directories; pidlock loads only the C library, by its soname, which needs no search.
opts="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:-UsePerfData -Djna.nosys=true -Djna.nounpack=true -Djna.platform.library.path=/usr/lib:/lib"
# Class-data sharing: the classes typical runs load, archived once at build time as the image's default
# archive (lib/server/classes.jsa, used without any flag).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
train() {
  n=$((n + 1))
  "$image/bin/java" -XX:DumpLoadedClassList="$work/classes.$n" $opts $native_access \
    -Djna.boot.library.path="$image/lib" -Djava.util.logging.config.file=/dev/null \
    -m dev.pidlock.cli/dev.pidlock.cli.Main "$@" >/dev/null 2>&1 || true
}
train backends
train status --pidfile "$work/train.pid"
train run --pidfile "$work/train.pid" -- true
train run --pidfile "$work/train.pid" --backend nio -- true
cat "$work"/classes.* | sort -u > "$work/classlist"
"$image/bin/java" -Xshare:dump --add-modules dev.pidlock.cli -XX:SharedClassListFile="$work/classlist" \
  -XX:SharedArchiveFile="$image/lib/server/classes.jsa" $opts $native_access >/dev/null 2>&1 \
  || echo "warning: no class-data sharing archive" >&2
# The JVM's suspend/resume signal (see the launcher): a real-time signal nothing sends by accident (glibc keeps
# 32 and 33; SIGRTMIN is 34; the JDK's NIO uses SIGRTMAX - 2).
sr_signal=40
cat > "$image/bin/pidlock" <<LAUNCHER
#!/bin/sh
# The pidlock command (jlink image launcher).
# The image directory without starting a process when the launcher is called by its path (the common case).
case \$0 in
  */*) [ -L "\$0" ] && dir=\$(cd "\$(dirname "\$(readlink -f "\$0")")/.." && pwd -P) || dir=\${0%/*}/.. ;;
  *) dir=\$(cd "\$(dirname "\$(command -v "\$0")")/.." && pwd -P) ;;
esac
# The JVM decodes its arguments and encodes file names with the locale's character set, which cannot be
# set otherwise (sun.jnu.encoding): under LANG=C a non-ASCII name would be U+FFFD and a non-ASCII path
# would not open. So it runs under C.UTF-8 (file names UTF-8), reads its arguments' bytes again from
# /proc/self/cmdline, and gives the command the caller's LC_ALL back from PIDLOCK_LAUNCHER_LC_ALL
# ("-" unset, "=VALUE" set).
if [ "\${LC_ALL+set}" = set ]; then PIDLOCK_LAUNCHER_LC_ALL="=\$LC_ALL"; else PIDLOCK_LAUNCHER_LC_ALL=-; fi
export PIDLOCK_LAUNCHER_LC_ALL LC_ALL=C.UTF-8
# The signals ignored when pidlock starts (nohup, trap '' HUP), read before the JVM changes any: they stay
# ignored in the command pidlock runs, as across exec (a shell builtin loop: no process).
ign=
while read -r key value; do [ "\$key" = SigIgn: ] && { ign=\$value; break; }; done < /proc/\$\$/status
# HotSpot suspends and resumes threads with SIGUSR2, which kills it when sent from outside (a crash report on
# stdout and an hs_err file in the working directory): it uses signal $sr_signal instead, so that SIGUSR2 can be
# passed on to the command. The caller's own _JAVA_SR_SIGNUM, if any, is given back to the command.
caller_sr=\${_JAVA_SR_SIGNUM+"-Dpidlock.caller.javaSrSignum=\$_JAVA_SR_SIGNUM"}
export _JAVA_SR_SIGNUM=$sr_signal
exec "\$dir/bin/java" -Xshare:auto $opts $native_access -Djna.boot.library.path="\$dir/lib" \\
  -Djava.util.logging.config.file="\$dir/conf/pidlock-logging.properties" \\
  -Dpidlock.startup.ignored="\$ign" \\
  -Dpidlock.javaSrSignum=$sr_signal \${caller_sr:+"\$caller_sr"} \\
  -m dev.pidlock.cli/dev.pidlock.cli.Main "\$@"
LAUNCHER
chmod 755 "$image/bin/pidlock"
printf '%s\n' '# pidlock logs warnings only; --debug turns on more.' '.level=WARNING' \
  'handlers=java.util.logging.ConsoleHandler' 'java.util.logging.ConsoleHandler.level=ALL' \
  'java.util.logging.SimpleFormatter.format=pidlock: %4$s: %5$s%6$s%n' > "$image/conf/pidlock-logging.properties"
echo "pidlock image: $image/bin/pidlock"
