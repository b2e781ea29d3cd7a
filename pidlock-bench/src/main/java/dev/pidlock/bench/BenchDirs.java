package dev.pidlock.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The benchmarks' scratch directories: {@code shm} is tmpfs ({@code /dev/shm}); {@code disk} is the project's
 * disk, the directory that holds the benchmark classes ({@code pidlock-bench/target} for the shaded jar).
 */
final class BenchDirs {
    private BenchDirs() {
    }

    /**
     * @param fs     {@code shm} or {@code disk}
     * @param prefix the new directory's name prefix
     * @return a new, empty directory on that file system
     * @throws IOException when it cannot be made
     */
    static Path create(String fs, String prefix) throws IOException {
        return Files.createTempDirectory(base(fs), prefix);
    }

    /** @return where {@code fs} directories are made */
    static Path base(String fs) {
        switch (fs) {
            case "shm":
                return Path.of("/dev/shm");
            case "disk":
                try {
                    Path code = Path.of(BenchDirs.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                    return code.toAbsolutePath().getParent();
                } catch (URISyntaxException e) {
                    throw new IllegalStateException("cannot locate the benchmark classes", e);
                }
            default:
                throw new IllegalArgumentException("fs must be shm or disk, not " + fs);
        }
    }

    /**
     * Removes {@code dir} and the files in it (it holds no subdirectories).
     *
     * @param dir a directory made by {@link #create}, or null
     * @throws IOException when something cannot be removed
     */
    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.collect(Collectors.toList());
        }
        try {
            files.forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Files.deleteIfExists(dir);
    }
}
