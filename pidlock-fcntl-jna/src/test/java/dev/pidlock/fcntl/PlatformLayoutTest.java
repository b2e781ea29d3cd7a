package dev.pidlock.fcntl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.fcntl.libc.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc is not installed");
        Platform p = Platform.current().orElseThrow();
        Path c = dir.resolve("layout.c");
        Files.writeString(c, String.join("\n",
                "#define _GNU_SOURCE",
                "#include <stdio.h>",
                "#include <stddef.h>",
                "#include <fcntl.h>",
                "#include <errno.h>",
                "#include <sys/stat.h>",
                "int main(void) {",
                "  printf(\"O_RDWR %d\\nO_CREAT %d\\nO_EXCL %d\\nO_NOFOLLOW %d\\nO_CLOEXEC %d\\nO_NONBLOCK %d\\n\",",
                "    O_RDWR, O_CREAT, O_EXCL, O_NOFOLLOW, O_CLOEXEC, O_NONBLOCK);",
                "  printf(\"F_GETLK %d\\nF_SETLK %d\\nF_SETLKW %d\\nF_OFD_GETLK %d\\nF_OFD_SETLK %d\\nF_OFD_SETLKW %d\\n\",",
                "    F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW);",
                "  printf(\"F_RDLCK %d\\nF_WRLCK %d\\nF_UNLCK %d\\n\", F_RDLCK, F_WRLCK, F_UNLCK);",
                "  printf(\"flock.size %zu\\nflock.type %zu\\nflock.whence %zu\\nflock.start %zu\\nflock.len %zu\\nflock.pid %zu\\n\",",
                "    sizeof(struct flock), offsetof(struct flock, l_type), offsetof(struct flock, l_whence),",
                "    offsetof(struct flock, l_start), offsetof(struct flock, l_len), offsetof(struct flock, l_pid));",
                "  printf(\"stat.size %zu\\nstat.dev %zu\\nstat.ino %zu\\nstat.mode %zu\\nstat.nlink %zu\\nstat.uid %zu\\nstat.mtime %zu\\n\",",
                "    sizeof(struct stat), offsetof(struct stat, st_dev), offsetof(struct stat, st_ino),",
                "    offsetof(struct stat, st_mode), offsetof(struct stat, st_nlink), offsetof(struct stat, st_uid),",
                "    offsetof(struct stat, st_mtim));",
                "  printf(\"EAGAIN %d\\nEACCES %d\\nELOOP %d\\nEEXIST %d\\nENOENT %d\\nEISDIR %d\\n\",",
                "    EAGAIN, EACCES, ELOOP, EEXIST, ENOENT, EISDIR);",
                "  return 0;",
                "}", ""), StandardCharsets.US_ASCII);
        Path exe = dir.resolve("layout");
        Process gcc = new ProcessBuilder("gcc", "-o", exe.toString(), c.toString()).inheritIO().start();
        assertEquals(0, gcc.waitFor(), "gcc failed");
        Process run = new ProcessBuilder(exe.toString()).start();
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : new String(run.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
            String[] kv = line.split(" ");
            actual.put(kv[0], Long.parseLong(kv[1]));
        }
        assertEquals(0, run.waitFor());

        Map<String, Long> declared = new LinkedHashMap<>();
        Platform.OpenFlags o = p.openFlags();
        put(declared, List.of("O_RDWR", "O_CREAT", "O_EXCL", "O_NOFOLLOW", "O_CLOEXEC", "O_NONBLOCK"),
                o.rdwr(), o.creat(), o.excl(), o.nofollow(), o.cloexec(), o.nonblock());
        Platform.FcntlCommands f = p.fcntl();
        put(declared, List.of("F_GETLK", "F_SETLK", "F_SETLKW", "F_OFD_GETLK", "F_OFD_SETLK", "F_OFD_SETLKW",
                "F_RDLCK", "F_WRLCK", "F_UNLCK"), f.getlk(), f.setlk(), f.setlkw(), f.ofdGetlk(), f.ofdSetlk(),
                f.ofdSetlkw(), f.rdlck(), f.wrlck(), f.unlck());
        Platform.FlockLayout fl = p.flock();
        put(declared, List.of("flock.size", "flock.type", "flock.whence", "flock.start", "flock.len", "flock.pid"),
                fl.size(), fl.type(), fl.whence(), fl.start(), fl.len(), fl.pid());
        Platform.StatLayout st = p.stat();
        put(declared, List.of("stat.size", "stat.dev", "stat.ino", "stat.mode", "stat.nlink", "stat.uid",
                "stat.mtime"), st.size(), st.dev(), st.ino(), st.mode(), st.nlink(), st.uid(), st.mtimeSec());
        Platform.Errno e = p.errno();
        put(declared, List.of("EAGAIN", "EACCES", "ELOOP", "EEXIST", "ENOENT", "EISDIR"), e.eagain(), e.eacces(),
                e.eloop(), e.eexist(), e.enoent(), e.eisdir());
        assertEquals(actual, declared, "platform " + p.name());
    }

    private static void put(Map<String, Long> m, List<String> keys, long... values) {
        for (int i = 0; i < keys.size(); i++) {
            m.put(keys.get(i), values[i]);
        }
    }
}
