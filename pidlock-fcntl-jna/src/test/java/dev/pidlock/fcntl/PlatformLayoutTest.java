package dev.pidlock.fcntl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.fcntl.libc.GccProbe;
import dev.pidlock.fcntl.libc.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The declared constants and struct layouts of this platform equal what the C compiler says, and platforms
 * without a declaration have none (the backends then say they are unavailable instead of guessing).
 */
class PlatformLayoutTest {

    @TempDir
    Path dir;

    @Test
    void undeclaredPlatformsHaveNoBinding() {
        assertTrue(Platform.of("FreeBSD", "amd64").isEmpty());
        assertTrue(Platform.of("Linux", "riscv64").isEmpty());
        assertTrue(Platform.of("Mac OS X", "x86_64").isEmpty());
        assertTrue(Platform.of("Linux", "amd64").isPresent());
        assertTrue(Platform.of("Linux", "aarch64").isPresent());
        Platform mac = Platform.of("Mac OS X", "aarch64").orElseThrow();
        assertFalse(mac.fcntl().hasOfd(), "macOS has no OFD locks");
    }

    @Test
    void declaredLayoutEqualsTheCompilersOnThisMachine() throws IOException, InterruptedException {
        Platform p = Platform.current().orElseThrow();
        Map<String, String> c = GccProbe.run(dir, String.join("\n",
                "  printf(\"O_RDONLY %d\\nO_WRONLY %d\\nO_RDWR %d\\nO_CREAT %d\\nO_EXCL %d\\nO_APPEND %d\\n\",",
                "    O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_APPEND);",
                "  printf(\"O_NOFOLLOW %d\\nO_CLOEXEC %d\\nO_NONBLOCK %d\\n\", O_NOFOLLOW, O_CLOEXEC, O_NONBLOCK);",
                "  printf(\"F_GETFD %d\\nF_SETFD %d\\nFD_CLOEXEC %d\\nF_DUPFD_CLOEXEC %d\\n\",",
                "    F_GETFD, F_SETFD, FD_CLOEXEC, F_DUPFD_CLOEXEC);",
                "  printf(\"F_GETLK %d\\nF_SETLK %d\\nF_OFD_GETLK %d\\nF_OFD_SETLK %d\\n\",",
                "    F_GETLK, F_SETLK, F_OFD_GETLK, F_OFD_SETLK);",
                "  printf(\"F_WRLCK %d\\nF_UNLCK %d\\n\", F_WRLCK, F_UNLCK);",
                "  printf(\"LOCK_EX %d\\nLOCK_NB %d\\nLOCK_UN %d\\n\", LOCK_EX, LOCK_NB, LOCK_UN);",
                "  printf(\"F_ULOCK %d\\nF_TLOCK %d\\nSEEK_SET %d\\n\", F_ULOCK, F_TLOCK, SEEK_SET);",
                "  struct flock fl; struct stat st;",
                "  printf(\"flock.size %zu\\nflock.type %zu\\nflock.whence %zu\\nflock.start %zu\\nflock.len %zu\\nflock.pid %zu\\n\",",
                "    sizeof(struct flock), offsetof(struct flock, l_type), offsetof(struct flock, l_whence),",
                "    offsetof(struct flock, l_start), offsetof(struct flock, l_len), offsetof(struct flock, l_pid));",
                "  printf(\"sizeof(l_type) %zu\\nsizeof(l_whence) %zu\\nsizeof(l_start) %zu\\nsizeof(l_len) %zu\\nsizeof(l_pid) %zu\\n\",",
                "    sizeof(fl.l_type), sizeof(fl.l_whence), sizeof(fl.l_start), sizeof(fl.l_len), sizeof(fl.l_pid));",
                "  printf(\"stat.size %zu\\nstat.dev %zu\\nstat.ino %zu\\nstat.mode %zu\\nstat.uid %zu\\n\",",
                "    sizeof(struct stat), offsetof(struct stat, st_dev), offsetof(struct stat, st_ino),",
                "    offsetof(struct stat, st_mode), offsetof(struct stat, st_uid));",
                "  printf(\"stat.mtime %zu\\nstat.mtimeNsec %zu\\n\", offsetof(struct stat, st_mtim.tv_sec),",
                "    offsetof(struct stat, st_mtim.tv_nsec));",
                "  printf(\"sizeof(st_dev) %zu\\nsizeof(st_ino) %zu\\nsizeof(st_mode) %zu\\nsizeof(st_uid) %zu\\n\",",
                "    sizeof(st.st_dev), sizeof(st.st_ino), sizeof(st.st_mode), sizeof(st.st_uid));",
                "  printf(\"sizeof(tv_sec) %zu\\nsizeof(tv_nsec) %zu\\n\", sizeof(st.st_mtim.tv_sec), sizeof(st.st_mtim.tv_nsec));",
                "  printf(\"EAGAIN %d\\nEACCES %d\\nELOOP %d\\nEEXIST %d\\nENOENT %d\\nEISDIR %d\\nESRCH %d\\nEINTR %d\\n\",",
                "    EAGAIN, EACCES, ELOOP, EEXIST, ENOENT, EISDIR, ESRCH, EINTR);",
                "  for (int e = 1; e < 134; e++) { const char *n = strerrorname_np(e);"
                        + " if (n) printf(\"errno%d %s\\n\", e, n); }"));

        Map<String, Long> declared = new LinkedHashMap<>();
        Platform.OpenFlags o = p.openFlags();
        put(declared, List.of("O_RDONLY", "O_WRONLY", "O_RDWR", "O_CREAT", "O_EXCL", "O_APPEND", "O_NOFOLLOW",
                "O_CLOEXEC", "O_NONBLOCK"), o.rdonly(), o.wronly(), o.rdwr(), o.creat(), o.excl(), o.append(),
                o.nofollow(), o.cloexec(), o.nonblock());
        Platform.FcntlCommands f = p.fcntl();
        put(declared, List.of("F_GETFD", "F_SETFD", "FD_CLOEXEC", "F_DUPFD_CLOEXEC", "F_GETLK", "F_SETLK",
                "F_OFD_GETLK", "F_OFD_SETLK", "F_WRLCK", "F_UNLCK"), f.getfd(), f.setfd(), f.fdCloexec(),
                f.dupfdCloexec(), f.getlk(), f.setlk(), f.ofdGetlk(), f.ofdSetlk(), f.wrlck(), f.unlck());
        put(declared, List.of("LOCK_EX", "LOCK_NB", "LOCK_UN", "F_ULOCK", "F_TLOCK", "SEEK_SET"), Platform.LOCK_EX,
                Platform.LOCK_NB, Platform.LOCK_UN, Platform.F_ULOCK, Platform.F_TLOCK, Platform.SEEK_SET);
        Platform.FlockLayout fl = p.flock();
        put(declared, List.of("flock.size", "flock.type", "flock.whence", "flock.start", "flock.len", "flock.pid"),
                fl.size(), fl.type(), fl.whence(), fl.start(), fl.len(), fl.pid());
        // NativeFile writes l_type and l_whence as shorts, l_start and l_len as longs, l_pid as an int
        put(declared, List.of("sizeof(l_type)", "sizeof(l_whence)", "sizeof(l_start)", "sizeof(l_len)",
                "sizeof(l_pid)"), Short.BYTES, Short.BYTES, Long.BYTES, Long.BYTES, Integer.BYTES);
        Platform.StatLayout st = p.stat();
        put(declared, List.of("stat.size", "stat.dev", "stat.ino", "stat.mode", "stat.uid", "stat.mtime",
                "stat.mtimeNsec"), st.size(), st.dev(), st.ino(), st.mode(), st.uid(), st.mtimeSec(), st.mtimeNsec());
        put(declared, List.of("sizeof(st_dev)", "sizeof(st_ino)", "sizeof(st_mode)", "sizeof(st_uid)",
                "sizeof(tv_sec)", "sizeof(tv_nsec)"), st.dev64() ? Long.BYTES : Integer.BYTES, Long.BYTES,
                st.mode32() ? Integer.BYTES : Short.BYTES, Integer.BYTES, Long.BYTES, Long.BYTES);
        Platform.Errno e = p.errno();
        put(declared, List.of("EAGAIN", "EACCES", "ELOOP", "EEXIST", "ENOENT", "EISDIR", "ESRCH", "EINTR"),
                e.eagain(), e.eacces(), e.eloop(), e.eexist(), e.enoent(), e.eisdir(), e.esrch(), e.eintr());
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String name : declared.keySet()) {
            actual.put(name, c.containsKey(name) ? Long.parseLong(c.get(name)) : null);
        }
        assertEquals(actual, declared, "platform " + p.name());

        for (Map.Entry<Integer, String> n : e.names().entrySet()) {
            assertEquals(c.get("errno" + n.getKey()), n.getValue(), "errno " + n.getKey());
        }
        assertEquals("errno 99999", e.name(99999));
    }

    private static void put(Map<String, Long> m, List<String> keys, long... values) {
        for (int i = 0; i < keys.size(); i++) {
            m.put(keys.get(i), values[i]);
        }
    }
}
