package dev.pidlock.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One etcd member on loopback for the launcher tests (pidlock-etcd's test fixtures are not visible here): random
 * free ports, a data directory under the test's, the binary from {@code -Dpidlock.etcd.binary} or
 * {@code build/fetch-etcd.sh} (which fetches Debian's etcd-server when there is none). Waits only keep a broken
 * test from hanging.
 */
final class EtcdServer implements AutoCloseable {
    private final Process process;
    private final String endpoint;
    private final Path log;

    private EtcdServer(Process process, String endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    /** @param dir a directory of the test's for the data and the log */
    static EtcdServer start(Path dir) throws IOException, InterruptedException {
        int client = freePort();
        int peer = freePort();
        String endpoint = "http://127.0.0.1:" + client;
        String peerUrl = "http://127.0.0.1:" + peer;
        Path log = dir.resolve("etcd.log");
        Process p = new ProcessBuilder(List.of(binary(), "--name", "m0", "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "m0=" + peerUrl))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        EtcdServer server = new EtcdServer(p, endpoint, log);
        long deadline = System.nanoTime() + Launcher.GUARD.toNanos();
        while (!server.healthy()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                server.close();
                throw new IOException("etcd did not become healthy at " + endpoint + "; log:\n"
                        + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return server;
    }

    /** @return the client URL, for PIDLOCK_ETCD_ENDPOINTS */
    String endpoint() {
        return endpoint;
    }

    /**
     * @param key a key
     * @return whether it exists, asked over etcd's JSON gateway
     */
    boolean hasKey(String key) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(endpoint + "/v3/kv/range").toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        c.setDoOutput(true);
        String body = "{\"key\":\"" + java.util.Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8))
                + "\",\"count_only\":true}";
        c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        try (InputStream in = c.getInputStream()) {
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return answer.matches("(?s).*\"count\":\"?[1-9].*");
        }
    }

    private boolean healthy() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(endpoint + "/health").toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            try (InputStream in = c.getInputStream()) {
                return c.getResponseCode() == 200
                        && new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("\"true\"");
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static String binary() throws IOException, InterruptedException {
        String configured = System.getProperty("pidlock.etcd.binary");
        if (configured != null && Files.isExecutable(Path.of(configured))) {
            return configured;
        }
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.exists(root.resolve("build/fetch-etcd.sh"))) {
            root = root.getParent();
        }
        if (root == null) {
            throw new IOException("no build/fetch-etcd.sh above " + Path.of("").toAbsolutePath());
        }
        Process p = new ProcessBuilder("bash", root.resolve("build/fetch-etcd.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0 || out.isEmpty()) {
            throw new IOException("no etcd binary: build/fetch-etcd.sh failed (exit " + p.exitValue() + ")");
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
