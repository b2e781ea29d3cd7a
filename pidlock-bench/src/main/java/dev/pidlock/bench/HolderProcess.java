package dev.pidlock.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child JVM running {@link Holder}: started from this JVM's class path (the shaded jar), given a minute to
 * say that it holds, and ended by closing its stdin, or killed when it does not exit within ten seconds.
 */
final class HolderProcess implements AutoCloseable {
    private final Process process;
    private final long pid;

    private HolderProcess(Process process, long pid) {
        this.process = process;
        this.pid = pid;
    }

    /**
     * Starts a holder and waits until it holds {@code pidfile}.
     *
     * @throws IOException           when it cannot start
     * @throws IllegalStateException when it ends without holding
     */
    static HolderProcess start(String backend, Path pidfile) throws IOException {
        Process p = new ProcessBuilder(childJvm(Holder.class, backend, pidfile.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String line;
        try {
            line = first.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            line = "nothing within 60 s";
        } catch (ExecutionException e) {
            line = "nothing readable: " + e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            line = "nothing before an interrupt";
        }
        if (line == null || !line.startsWith("held ")) {
            p.destroyForcibly();
            throw new IllegalStateException("the holder of " + pidfile + " (backend " + backend + ") said " + line);
        }
        return new HolderProcess(p, Long.parseLong(line.substring(5).strip()));
    }

    /** @return the command line of a small child JVM running {@code main} with this JVM's class path */
    static List<String> childJvm(Class<?> main, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-Djava.util.logging.config.file=/dev/null", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** @return the holder's pid */
    long pid() {
        return pid;
    }

    /** Ends the holder: closes its stdin so it releases; kills it after ten seconds. */
    @Override
    public void close() throws IOException {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
