package dev.pidlock.example.mkdir;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What tells this process's pids apart from pids elsewhere: the host name, the kernel's boot id and the pid
 * namespace. Read once, from {@code /proc} where there is one; {@code -} for what cannot be read. Read through
 * {@link FileInputStream}, which a pending interrupt does not close (a {@code FileChannel} would be).
 *
 * @param host         the host name, sanitised for an entry name
 * @param boot         the boot id without dashes, or {@code -}
 * @param pidNamespace the pid namespace's inode number, or {@code -}
 */
record ThisHost(String host, String boot, String pidNamespace) {

    private static final Pattern NAMESPACE = Pattern.compile("pid:\\[([0-9]{1,20})]");

    private static final class Holder {
        static final ThisHost INSTANCE = read();
    }

    /** @return this process's host facts */
    static ThisHost get() {
        return Holder.INSTANCE;
    }

    private static ThisHost read() {
        String host = firstLine("/proc/sys/kernel/hostname");
        if (host.isEmpty()) {
            host = System.getenv().getOrDefault("HOSTNAME", "");
        }
        String boot = firstLine("/proc/sys/kernel/random/boot_id").replace("-", "").toLowerCase(Locale.ROOT);
        if (!boot.matches("[0-9a-f]{32}")) {
            boot = OwnerRecord.UNKNOWN;
        }
        String namespace = OwnerRecord.UNKNOWN;
        try {
            Matcher m = NAMESPACE.matcher(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString());
            if (m.matches()) {
                namespace = m.group(1);
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // no /proc, or not allowed to look: unknown
        }
        return new ThisHost(OwnerRecord.sanitiseHost(host), boot, namespace);
    }

    private static String firstLine(String file) {
        try (InputStream in = new FileInputStream(file)) {
            String text = new String(in.readNBytes(256), StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return (nl >= 0 ? text.substring(0, nl) : text).strip();
        } catch (IOException | SecurityException e) {
            return "";
        }
    }
}
