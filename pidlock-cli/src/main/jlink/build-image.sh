#!/bin/sh
# Builds the pidlock jlink image: JAVA_HOME CLI_JAR MODULES_DIR IMAGE_DIR [NEWER_JDK [PICOCLI_SOURCES VERSION]]
# The image is linked by the newer of JAVA_HOME (the JDK Maven runs on) and NEWER_JDK (when it is installed; a
# JDK without jmods links from its own run-time image, JEP 493); the modules stay --release 17. On JDK 25 and
# later the image gets an AOT cache (JEP 483/514), on older ones a class-data sharing archive, both trained on
# typical runs. With PICOCLI_SOURCES (picocli's unpacked sources jar) picocli is compiled at --release 17 and
# replaces its jar from MODULES_DIR.
set -eu
java_home=$1; cli_jar=$2; modules=$3; image=$4; newer=${5:-}; picocli_src=${6:-}; picocli_version=${7:-}
here=$(cd "$(dirname "$0")" && pwd)
feature() { sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null; }
jdk=$java_home
if [ -n "$newer" ] && [ -x "$newer/bin/jlink" ] && [ "$(feature "$newer")" -gt "$(feature "$java_home")" ] 2>/dev/null; then
  jdk=$newer
fi
version=$(feature "$jdk")
echo "pidlock image: linked by $jdk (Java $version)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# picocli compiled from its sources jar (picocli supports inclusion as source): its published jar is Java 5
# bytecode, which class-data sharing and the AOT cache skip, with every class that implements its interfaces.
module_path=$cli_jar
for m in "$modules"/*.jar; do
  case ${m##*/} in picocli-*.jar) [ -n "$picocli_src" ] && continue ;; esac
  module_path="$module_path:$m"
done
if [ -n "$picocli_src" ]; then
  mkdir -p "$work/picocli/classes/META-INF"
  "$jdk/bin/javac" --release 17 -encoding UTF-8 -nowarn -Xlint:none -d "$work/picocli/classes" \
    "$here/../picocli/module-info.java" "$picocli_src"/picocli/*.java >"$work/picocli/javac.log" 2>&1 \
    || { cat "$work/picocli/javac.log" >&2; echo "picocli did not compile from $picocli_src" >&2; exit 1; }
  cp "$here/../picocli/LICENSE" "$work/picocli/classes/META-INF/LICENSE"
  sed "s/\${version}/$picocli_version/g" "$here/../picocli/NOTICE" > "$work/picocli/classes/META-INF/NOTICE"
  "$jdk/bin/jar" --create --file "$work/picocli/info.picocli.jar" --module-version "$picocli_version" \
    -C "$work/picocli/classes" .
  module_path="$module_path:$work/picocli/info.picocli.jar"
fi
rm -rf "$image"
"$jdk/bin/jlink" \
  --module-path "$module_path" \
  --add-modules dev.pidlock.cli,dev.pidlock.nio,dev.pidlock.fcntl,dev.pidlock.lockf,dev.pidlock.etcd,jdk.unsupported \
  --strip-debug --no-header-files --no-man-pages \
  --output "$image" 2>&1 | grep -v "is deprecated" || true
[ -x "$image/bin/java" ] || { echo "jlink failed" >&2; exit 1; }
if [ -n "$picocli_src" ]; then
  mkdir -p "$image/legal/info.picocli"
  cp "$work/picocli/classes/META-INF/LICENSE" "$work/picocli/classes/META-INF/NOTICE" "$image/legal/info.picocli/"
fi
# JNA's native library, unpacked once into the image instead of at every start.
arch=$(uname -m); case "$arch" in x86_64) jna=linux-x86-64;; aarch64) jna=linux-aarch64;; *) jna="";; esac
if [ -n "$jna" ]; then
  jar=$(ls "$modules"/jna-jpms-*.jar | head -n 1)
  (cd "$image/lib" && "$jdk/bin/jar" xf "$jar" "com/sun/jna/$jna/libjnidispatch.so" \
     && mv "com/sun/jna/$jna/libjnidispatch.so" . && rm -rf com)
fi
native_access=""
[ "$version" -ge 24 ] 2>/dev/null && native_access="--enable-native-access=com.sun.jna"
# jna.platform.library.path set: JNA would otherwise run `ldconfig -p` (a process) to learn the library
# directories; pidlock loads only the C library, by its soname, which needs no search.
opts="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:-UsePerfData -Djna.nosys=true -Djna.nounpack=true -Djna.platform.library.path=/usr/lib:/lib"
printf '%s\n' '# pidlock logs warnings only; --debug turns on more.' '.level=WARNING' \
  'handlers=java.util.logging.ConsoleHandler' 'java.util.logging.ConsoleHandler.level=ALL' \
  'java.util.logging.SimpleFormatter.format=pidlock: %4$s: %5$s%6$s%n' > "$image/conf/pidlock-logging.properties"
# The classes typical runs load and link, recorded in ONE JVM that runs each command line in turn (the class
# lists of several runs cannot be merged), the main module the launcher's (the archive records it).
java_opts() {
  echo "$opts $native_access -Djna.boot.library.path=$image/lib -Djava.util.logging.config.file=$image/conf/pidlock-logging.properties"
}
# With "etcd" first, the etcd backend is trained too, against an endpoint nothing listens on (port 1): its HTTP
# client, TLS set-up and JSON reading are most of an etcd run's start-up, and the build needs no etcd server.
train() {
  kind=$1
  shift
  # shellcheck disable=SC2046
  "$image/bin/java" "$@" $(java_opts) $([ "$kind" = etcd ] && echo -Ddev.pidlock.etcd.endpoints=http://127.0.0.1:1) \
    -m dev.pidlock.cli/dev.pidlock.cli.Training \
    run --pidfile "$work/a.pid" -- true ';;' \
    run --name train --dir "$work" -- true ';;' \
    run --name train --dir "$work" --wait 1s -- true ';;' \
    run --pidfile "$work/a.pid" --backend nio -- true ';;' \
    run --pidfile "$work/a.pid" --backend nio --supervise -- true ';;' \
    run --name train --dir "$work" --backend "$([ "$kind" = etcd ] && echo etcd || echo ofd+flock)" -- true ';;' \
    run --name train -- true ';;' \
    run --pidfile "$work/a.pid" -- "$work/missing" ';;' \
    run -- true ';;' \
    run --name train --dir "$work" --bad-option -- true ';;' \
    status --pidfile "$work/a.pid" ';;' \
    status --json --name train --dir "$work" ';;' \
    stop --pidfile "$work/a.pid" ';;' \
    backends ';;' \
    --help ';;' \
    run --help ';;' >"$work/train-$kind.log" 2>&1
}
# The launcher's way of using the archive; checked once built, and left out when unusable (no class sharing).
if [ "$version" -ge 25 ] 2>/dev/null; then
  # JDK 25: an AOT cache (JEP 483/514), written by the training run itself. A missing or unusable cache
  # must cost nothing more than time: the launcher turns the JVM's messages about it off.
  share='"$aot" "-Xlog:aot*=off" "-Xlog:cds*=off"'
  share_setup='# The AOT cache (JDK 25). The JVM loads and links every class of the cache as it starts: a run of the etcd
# backend (its HTTP client, TLS, JSON) has a cache of its own, so that the others do not pay for its classes.
aot=-XX:AOTCache=$dir/lib/pidlock.aot
[ $etcd = yes ] && aot=-XX:AOTCache=$dir/lib/pidlock-etcd.aot
# None when the caller'"'"'s JVM options may choose class sharing themselves: the JVM refuses to start with both
# (exit 1, which a caller takes for "already running"), where it ignores a missing or unusable cache. Every
# variable the JVM reads, and the files they may name (an argument file, a VM options file), whose content is
# not looked at here.
case "${JAVA_TOOL_OPTIONS-} ${JDK_JAVA_OPTIONS-} ${_JAVA_OPTIONS-}" in
  *-Xshare*|*-XX:*AOT*|*-XX:SharedArchiveFile*|*-XX:SharedClassListFile*|*-XX:DumpLoadedClassList*|*-XX:VMOptionsFile*|*-XX:Flags=*) aot=-Xshare:auto ;;
esac
case "${JDK_JAVA_OPTIONS-}" in *@*) aot=-Xshare:auto ;; esac'
  for cache in pidlock pidlock-etcd; do
    trained=plain
    [ $cache = pidlock-etcd ] && trained=etcd
    train $trained -XX:AOTCacheOutput="$image/lib/$cache.aot" || true
    # shellcheck disable=SC2046
    "$image/bin/java" -XX:AOTCache="$image/lib/$cache.aot" -XX:AOTMode=on $(java_opts) \
      -m dev.pidlock.cli/dev.pidlock.cli.Main --version >/dev/null 2>&1 \
      || { echo "warning: no usable AOT cache (see $image/lib/$cache.aot.log)" >&2; \
           cp "$work/train-$trained.log" "$image/lib/$cache.aot.log"; rm -f "$image/lib/$cache.aot"; }
  done
else
  # Before JDK 25: a class-data sharing archive as the image's default one (lib/server/classes.jsa, used
  # without any flag).
  share=-Xshare:auto
  share_setup=
  train etcd -XX:DumpLoadedClassList="$work/classlist" || true
  # shellcheck disable=SC2046
  "$image/bin/java" -Xshare:dump --add-modules dev.pidlock.cli -Djdk.module.main=dev.pidlock.cli \
    -XX:SharedClassListFile="$work/classlist" -XX:SharedArchiveFile="$image/lib/server/classes.jsa" \
    $(java_opts) >"$work/dump.log" 2>&1 || true
  # shellcheck disable=SC2046
  "$image/bin/java" -Xshare:on $(java_opts) -m dev.pidlock.cli/dev.pidlock.cli.Main --version >/dev/null 2>&1 \
    || { echo "warning: no usable class-data sharing archive" >&2; cat "$work/dump.log" >&2; }
fi
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
# A run of the etcd backend (its HTTP client and TLS for as long as it holds the lock), guessed from the
# arguments; a wrong guess only costs time.
etcd=no
case " \$* " in *" --backend etcd "*|*" --backend=etcd "*) etcd=yes ;; esac
# The JIT: a short run ends before most of what it would compile is used, and compiling takes the cores the
# run needs. It compiles only code that stays hot (100 times the usual thresholds), but as usual in an etcd run.
jit=-XX:CompileThresholdScaling=100
[ \$etcd = yes ] && jit=-XX:CompileThresholdScaling=1
$share_setup
exec "\$dir/bin/java" $share "\$jit" $opts $native_access -Djna.boot.library.path="\$dir/lib" \\
  -Djava.util.logging.config.file="\$dir/conf/pidlock-logging.properties" \\
  -Dpidlock.startup.ignored="\$ign" \\
  -Dpidlock.javaSrSignum=$sr_signal \${caller_sr:+"\$caller_sr"} \\
  -m dev.pidlock.cli/dev.pidlock.cli.Main "\$@"
LAUNCHER
chmod 755 "$image/bin/pidlock"
echo "pidlock image: $image/bin/pidlock"
