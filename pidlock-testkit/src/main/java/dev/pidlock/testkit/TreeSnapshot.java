package dev.pidlock.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything a directory tree shows: for each entry its type, inode, permission bits, owner, size, and for
 * regular files the modification time and a hash of the content, for symlinks the target. Walked without
 * following symlinks and without opening anything but regular files (a FIFO is never opened). Directories'
 * modification times are left out: creating and removing the pidfile changes its directory's.
 *
 * <p>Hashing opens a file, and closing any descriptor of a file this JVM holds a POSIX lock on drops the
 * lock: files named in {@code unopened} are described without their content.
 */
final class TreeSnapshot {

    /** Files larger than this are hashed over their first MiB only (a sparse 1 TiB pidfile is not read). */
    private static final long HASHED_BYTES = 1 << 20;

    private final Path root;
    private final Map<Path, String> entries;

    private TreeSnapshot(Path root, Map<Path, String> entries) {
        this.root = root;
        this.entries = entries;
    }

    /**
     * @param root     the tree
     * @param unopened files never to open (described without their content)
     * @return its snapshot
     * @throws IOException when the tree cannot be walked
     */
    static TreeSnapshot take(Path root, Path... unopened) throws IOException {
        Set<Path> closed = new TreeSet<>();
        for (Path p : unopened) {
            closed.add(p.toAbsolutePath().normalize());
        }
        Map<Path, String> entries = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                entries.put(root.relativize(dir), describe(dir, attrs, false));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                entries.put(root.relativize(file), describe(file, attrs,
                        !closed.contains(file.toAbsolutePath().normalize())));
                return FileVisitResult.CONTINUE;
            }
        });
        return new TreeSnapshot(root, entries);
    }

    private static String describe(Path p, BasicFileAttributes basic, boolean open) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,ino,size,lastModifiedTime",
                LinkOption.NOFOLLOW_LINKS);
        int mode = ((Number) a.get("mode")).intValue();
        StringBuilder sb = new StringBuilder()
                .append(type(mode))
                .append(" ino=").append(a.get("ino"))
                .append(" mode=").append(Integer.toOctalString(mode & 07777))
                .append(" owner=").append(a.get("uid")).append(':').append(a.get("gid"));
        if (basic.isSymbolicLink()) {
            sb.append(" -> ").append(Files.readSymbolicLink(p));
        } else if (basic.isRegularFile()) {
            sb.append(" size=").append(a.get("size"))
                    .append(" mtime=").append(((FileTime) a.get("lastModifiedTime")).toInstant());
            if (open) {
                sb.append(" sha256=").append(hash(p));
            }
        }
        return sb.toString();
    }

    private static String type(int mode) {
        return switch (mode & 0170000) {
            case 0100000 -> "file";
            case 0040000 -> "dir";
            case 0120000 -> "symlink";
            case 0010000 -> "fifo";
            case 0140000 -> "socket";
            case 0020000 -> "chardev";
            case 0060000 -> "blockdev";
            default -> "type" + Integer.toOctalString(mode & 0170000);
        };
    }

    private static String hash(Path p) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[64 * 1024];
        long left = HASHED_BYTES;
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                md.update(buf, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * @param before  an earlier snapshot of the same tree
     * @param allowed paths that may differ (absolute, or relative to the root); none for "nothing"
     * @return every difference, one line each; empty when the tree is as it was
     */
    List<String> changesSince(TreeSnapshot before, Path... allowed) {
        Set<Path> free = new TreeSet<>();
        for (Path p : allowed) {
            free.add(p.isAbsolute() ? root.relativize(p.normalize()) : p.normalize());
        }
        Set<Path> all = new TreeSet<>(before.entries.keySet());
        all.addAll(entries.keySet());
        List<String> changes = new ArrayList<>();
        for (Path p : all) {
            if (free.contains(p)) {
                continue;
            }
            String was = before.entries.get(p);
            String now = entries.get(p);
            if (!Objects.equals(was, now)) {
                changes.add(root.resolve(p) + ": " + (was == null ? "(absent)" : was) + " => "
                        + (now == null ? "(absent)" : now));
            }
        }
        return changes;
    }

    /** @return the entries' relative paths, for messages */
    Set<Path> paths() {
        return entries.keySet();
    }
}
