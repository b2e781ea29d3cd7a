package dev.pidlock.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Real etcd members on loopback for the tests: random free ports, a temporary data directory each, started as
 * child processes of the test JVM. The binary comes from {@code build/fetch-etcd.sh} (the system property
 * {@code pidlock.etcd.binary} or {@code PIDLOCK_ETCD_BINARY} first; else {@code etcd} on the PATH; else Debian's
 * {@code etcd-server} package, downloaded and unpacked into {@code ~/.cache/pidlock}).
 */
public final class EtcdCluster implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static volatile String binary;

    private final Path dataRoot;
    private final List<Member> members = new ArrayList<>();
    private final String initialCluster;

    private static final class Member {
        final String name;
        final int clientPort;
        final int peerPort;
        final Path dataDir;
        final Path log;
        Process process;

        Member(String name, int clientPort, int peerPort, Path dataDir, Path log) {
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
            this.dataDir = dataDir;
            this.log = log;
        }

        String clientUrl() {
            return "http://127.0.0.1:" + clientPort;
        }
    }

    private EtcdCluster(Path dataRoot, int size) throws IOException {
        this.dataRoot = dataRoot;
        List<Integer> ports = freePorts(2 * size);
        for (int i = 0; i < size; i++) {
            String name = "m" + i;
            members.add(new Member(name, ports.get(2 * i), ports.get(2 * i + 1), dataRoot.resolve(name),
                    dataRoot.resolve(name + ".log")));
        }
        initialCluster = members.stream().map(m -> m.name + "=http://127.0.0.1:" + m.peerPort)
                .collect(Collectors.joining(","));
    }

    /**
     * Starts a cluster and waits until every member answers.
     *
     * @param size the number of members (1 or 3)
     * @return the running cluster
     */
    public static EtcdCluster start(int size) throws IOException, InterruptedException {
        EtcdCluster c = new EtcdCluster(Files.createTempDirectory("pidlock-etcd-"), size);
        try {
            for (int i = 0; i < size; i++) {
                c.launch(i, "new");
            }
            for (int i = 0; i < size; i++) {
                c.awaitReady(i);
            }
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** @return the path of the etcd binary, fetched when missing */
    public static synchronized String binary() throws IOException, InterruptedException {
        if (binary != null) {
            return binary;
        }
        String configured = System.getProperty("pidlock.etcd.binary");
        if (configured != null && !configured.isBlank() && Files.isExecutable(Path.of(configured))) {
            return binary = configured;
        }
        Path script = repositoryRoot().resolve("build").resolve("fetch-etcd.sh");
        Process p = new ProcessBuilder("bash", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0 || out.isEmpty()) {
            throw new IOException("no etcd binary: " + script + " failed (exit " + p.exitValue() + ")");
        }
        return binary = out;
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("build").resolve("fetch-etcd.sh"))) {
                return d;
            }
        }
        throw new IllegalStateException("no build/fetch-etcd.sh above " + dir);
    }

    private void launch(int i, String state) throws IOException, InterruptedException {
        Member m = members.get(i);
        List<String> cmd = List.of(binary(), "--name", m.name, "--data-dir", m.dataDir.toString(),
                "--listen-client-urls", m.clientUrl(), "--advertise-client-urls", m.clientUrl(),
                "--listen-peer-urls", "http://127.0.0.1:" + m.peerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + m.peerPort,
                "--initial-cluster", initialCluster, "--initial-cluster-state", state,
                "--initial-cluster-token", dataRoot.getFileName().toString(),
                "--heartbeat-interval", "100", "--election-timeout", "1000");
        m.process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(m.log.toFile())).start();
    }

    private void awaitReady(int i) throws IOException, InterruptedException {
        Member m = members.get(i);
        long deadline = System.nanoTime() + READY.toNanos();
        while (true) {
            if (!m.process.isAlive()) {
                throw new IOException("etcd member " + m.name + " exited (" + m.process.exitValue() + "): "
                        + tail(m.log));
            }
            Optional<String> status = post(m, "/v3/maintenance/status", "{}");
            if (status.isPresent() && status.get().contains("\"leader\"")) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("etcd member " + m.name + " not ready within " + READY.toSeconds() + " s: "
                        + tail(m.log));
            }
            Thread.sleep(50);
        }
    }

    private static Optional<String> post(Member m, String path, String body) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(m.clientUrl() + path))
                    .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** @return the client URLs of every member, comma-separated (for {@code dev.pidlock.etcd.endpoints}) */
    public String endpoints() {
        return members.stream().map(Member::clientUrl).collect(Collectors.joining(","));
    }

    /** @return the client URL of member {@code i} */
    public String endpoint(int i) {
        return members.get(i).clientUrl();
    }

    /** @return the number of members */
    public int size() {
        return members.size();
    }

    /** @return the index of the member that leads now, as a running member reports it; -1 when none knows */
    public int leader() {
        Pattern memberId = Pattern.compile("\"member_id\":\"(\\d+)\"");
        Pattern leader = Pattern.compile("\"leader\":\"(\\d+)\"");
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            if (m.process == null || !m.process.isAlive()) {
                continue;
            }
            Optional<String> s = post(m, "/v3/maintenance/status", "{}");
            if (s.isEmpty()) {
                continue;
            }
            Matcher l = leader.matcher(s.get());
            if (!l.find()) {
                continue;
            }
            for (int j = 0; j < members.size(); j++) {
                Member other = members.get(j);
                if (other.process == null || !other.process.isAlive()) {
                    continue;
                }
                Optional<String> os = post(other, "/v3/maintenance/status", "{}");
                Matcher id = os.map(memberId::matcher).orElse(null);
                if (id != null && id.find() && id.group(1).equals(l.group(1))) {
                    return j;
                }
            }
        }
        return -1;
    }

    /** SIGKILLs member {@code i}. */
    public void kill(int i) throws InterruptedException {
        Process p = members.get(i).process;
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts member {@code i} again, on its data directory, and waits until it answers. */
    public void restart(int i) throws IOException, InterruptedException {
        launch(i, "existing");
        awaitReady(i);
    }

    /** @return whether member {@code i} runs */
    public boolean isRunning(int i) {
        Process p = members.get(i).process;
        return p != null && p.isAlive();
    }

    @Override
    public void close() {
        for (Member m : members) {
            if (m.process != null) {
                m.process.destroyForcibly();
                try {
                    m.process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try (Stream<Path> all = Files.walk(dataRoot)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory left behind
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
