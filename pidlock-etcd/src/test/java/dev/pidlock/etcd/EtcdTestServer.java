package dev.pidlock.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A single etcd member on loopback for the tests: random free ports, a temporary data directory, the binary at
 * binary of {@link EtcdCluster#binary()}. The single-member starter; {@link EtcdCluster} starts several.
 * Timeouts here only keep a broken test from hanging.
 */
final class EtcdTestServer implements AutoCloseable {


    private final Process process;
    private final Path dir;
    private final String endpoint;

    private EtcdTestServer(Process process, Path dir, String endpoint) {
        this.process = process;
        this.dir = dir;
        this.endpoint = endpoint;
    }

    static EtcdTestServer start() throws IOException, InterruptedException {
        Path binary = Path.of(EtcdCluster.binary()); // -Dpidlock.etcd.binary, else fetched by build/fetch-etcd.sh
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            Path dir = Files.createTempDirectory("pidlock-etcd-test-");
            int client = freePort();
            int peer = freePort();
            String endpoint = "http://127.0.0.1:" + client;
            String peerUrl = "http://127.0.0.1:" + peer;
            ProcessBuilder pb = new ProcessBuilder(List.of(binary.toString(), "--name", "m0",
                    "--data-dir", dir.resolve("data").toString(),
                    "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint,
                    "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                    "--initial-cluster", "m0=" + peerUrl, "--logger", "zap", "--log-outputs", "stderr"));
            pb.redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile());
            Process p = pb.start();
            EtcdTestServer server = new EtcdTestServer(p, dir, endpoint);
            if (server.awaitHealthy(Duration.ofSeconds(30))) {
                return server;
            }
            last = new IOException("etcd did not become healthy at " + endpoint + "; log:\n" + server.log());
            server.close();
        }
        throw last;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private boolean awaitHealthy(Duration patience) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"true\"")) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** @return the client URL */
    String endpoint() {
        return endpoint;
    }

    /** @return the member's pid */
    long pid() {
        return process.pid();
    }

    String log() {
        try {
            return Files.readString(dir.resolve("etcd.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a leftover in the temporary directory is harmless
        }
    }
}
