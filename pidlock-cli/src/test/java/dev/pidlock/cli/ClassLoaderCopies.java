package dev.pidlock.cli;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The program {@link ClassLoaderCopiesTest} runs in a JVM of its own, whose class path holds this class only: two
 * copies of pidlock, each loaded by its own {@link URLClassLoader} (parent: the platform loader) over the built
 * jars, as two web applications in one server. (In the test JVM itself pidlock is a named module of the boot
 * layer, and the platform loader would hand every copy that one.)
 *
 * <pre>
 * ClassLoaderCopies BACKEND DIR JAR...
 * </pre>
 *
 * Prints {@code OK BACKEND} and exits 0, or prints what failed and exits 1.
 */
public final class ClassLoaderCopies {

    /** Exit 0 when the lock of the family named by argv[2] is free (taken and dropped at once), 3 when refused. */
    private static final String PROBE = String.join("\n",
            "import errno, fcntl, os, sys",
            "fd = os.open(sys.argv[1], os.O_RDWR)",
            "try:",
            "    if sys.argv[2] == 'flock':",
            "        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)",
            "    else:",
            "        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)",
            "except OSError as e:",
            "    sys.exit(3 if e.errno in (errno.EAGAIN, errno.EACCES) else 2)",
            "sys.exit(0)");

    private static URL[] jars;

    private ClassLoaderCopies() {
    }

    /**
     * @param args the backend, a directory for the pidfile, the jars
     * @throws Exception on a failure of the harness
     */
    public static void main(String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            urls.add(Path.of(args[i]).toUri().toURL());
        }
        jars = urls.toArray(URL[]::new);
        try {
            aSecondCopyNeitherAcquiresNorDropsTheFirstCopysLock(args[0], Path.of(args[1]));
        } catch (AssertionError e) {
            System.out.println("FAIL " + args[0] + ": " + e.getMessage());
            System.exit(1);
        }
        System.out.println("OK " + args[0]);
        System.exit(0);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** One copy of pidlock: its own class loader, driven through reflection. */
    static final class Copy implements AutoCloseable {
        final URLClassLoader loader;
        final Class<?> pidLock;

        Copy(String name) throws ClassNotFoundException {
            loader = new URLClassLoader(name, jars, ClassLoader.getPlatformClassLoader());
            pidLock = Class.forName("dev.pidlock.PidLock", true, loader);
        }

        Object builder(Path path, String backend) throws ReflectiveOperationException {
            Object builder = pidLock.getMethod("at", Path.class).invoke(null, path);
            return builder.getClass().getMethod("backend", String.class).invoke(builder, backend);
        }

        Object acquire(Path path, String backend) throws Exception {
            Object builder = builder(path, backend);
            return call(builder, "acquire");
        }

        Optional<?> tryAcquire(Path path, String backend) throws Exception {
            return (Optional<?>) call(builder(path, backend), "tryAcquire");
        }

        Object inspect(Path path, String backend) throws Exception {
            return call(builder(path, backend), "inspect");
        }

        static Object call(Object target, String method) throws Exception {
            Method m = target.getClass().getMethod(method);
            try {
                return m.invoke(target);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception x ? x : e;
            }
        }

        @Override
        public void close() throws IOException {
            loader.close();
        }
    }

    static void aSecondCopyNeitherAcquiresNorDropsTheFirstCopysLock(String backend, Path dir) throws Exception {
        Path pidfile = dir.resolve(backend.replace('+', '-') + ".pid");
        try (Copy a = new Copy("copy-a"); Copy b = new Copy("copy-b")) {
            check(a.pidLock != b.pidLock, "two copies of the classes");
            Object held = a.acquire(pidfile, backend);
            try {
                check(lockedForOthers(pidfile, backend), "copy A holds " + pidfile + ", another process must find it locked");

                Optional<?> second = b.tryAcquire(pidfile, backend);
                check(second.isEmpty(), "copy B acquired " + pidfile + " that copy A holds");
                Exception refused = null;
                try {
                    Copy.call(Copy.call(b.builder(pidfile, backend), "acquire"), "close");
                } catch (Exception e) {
                    refused = e;
                }
                check(refused != null, "copy B's acquire succeeded");
                check(refused.getClass().getSimpleName().equals("AlreadyLockedException")
                        && refused.getMessage().contains("held by this process"), "copy B's acquire failed with "
                        + refused + ", not as held by this process");

                Object status = b.inspect(pidfile, backend);
                check(Copy.call(status, "state").toString().equals("RUNNING")
                        && Copy.call(status, "lock").toString().equals("LOCKED"), "copy B's inspection: " + status);

                check(lockedForOthers(pidfile, backend), "after copy B's attempts and inspection, another"
                        + " process finds " + pidfile + " unlocked: copy B dropped copy A's lock");
            } finally {
                Copy.call(held, "close");
            }
            check(!lockedForOthers(pidfile, backend), "copy A released, yet another process finds it locked");

            Optional<?> again = b.tryAcquire(pidfile, backend);
            check(again.isPresent(), "copy B did not acquire once copy A released");
            try {
                check(a.tryAcquire(pidfile, backend).isEmpty(), "copy A acquired what copy B holds");
                check(lockedForOthers(pidfile, backend), "copy B holds " + pidfile + ", another process must find it locked");
            } finally {
                Copy.call(again.get(), "close");
            }
        }
    }

    /**
     * @return whether another process is refused the lock of every family the backend takes (when the pidfile
     *         exists; a missing file is not locked)
     */
    static boolean lockedForOthers(Path pidfile, String backend) throws IOException, InterruptedException {
        if (!pidfile.toFile().exists()) {
            return false;
        }
        List<String> families = switch (backend) {
            case "flock" -> List.of("flock");
            case "ofd+flock" -> List.of("flock", "lockf");
            default -> List.of("lockf");
        };
        boolean locked = true;
        for (String family : families) {
            Process p = new ProcessBuilder("python3", "-c", PROBE, pidfile.toString(), family)
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            check(p.waitFor(60, TimeUnit.SECONDS), "python3 probe hung");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = p.exitValue();
            check(status == 0 || status == 3, "python3 probe failed (" + status + "): " + out);
            locked &= status == 3;
        }
        return locked;
    }
}
