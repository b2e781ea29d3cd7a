package dev.pidlock.cli;

import dev.pidlock.PidLock;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Which pidfile a subcommand acts on: {@code --pidfile PATH} or {@code --name NAME [--dir DIR]}. */
final class Target {

    static final class Choice {
        @Option(names = "--pidfile", paramLabel = "PATH", required = true, converter = PathConverter.class,
                description = "The pidfile.")
        Path pidfile;

        @Option(names = "--name", paramLabel = "NAME", required = true,
                description = "A lock name: NAME.pid in --dir or the default runtime directory, every byte of"
                        + " NAME outside printable ASCII, and / \\ %%, written %%XX.")
        String name;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    @Option(names = "--dir", paramLabel = "DIR", converter = PathConverter.class,
            description = "Directory of a named pidfile.")
    Path dir;

    /** @return a builder for the pidfile */
    PidLock.Builder builder() {
        if (choice.pidfile != null) {
            if (dir != null) {
                throw new UsageException("--dir applies to --name, not to --pidfile");
            }
            if (choice.pidfile.toAbsolutePath().normalize().getFileName() == null) {
                throw new UsageException("--pidfile " + Printable.of(choice.pidfile.toString())
                        + " names no file (a pidfile path ends with a file name)");
            }
            return PidLock.at(choice.pidfile);
        }
        if (choice.name.isBlank()) {
            // an unset $NAME in a script: it must not quietly become the default name, shared with others
            throw new UsageException("--name is empty");
        }
        PidLock.Builder b = PidLock.named(choice.name);
        if (dir != null) {
            b.directory(dir);
        }
        return b;
    }

    /** @return the name shown in status lines and messages, control characters escaped ({@link Printable}) */
    String displayName(Path resolved) {
        return Printable.of(name(resolved));
    }

    /** @return the name as given, or the pidfile's name without {@code .pid} */
    String name(Path resolved) {
        if (choice.name != null) {
            return choice.name;
        }
        Path file = resolved.getFileName();
        String f = file == null ? resolved.toString() : file.toString();
        return f.endsWith(".pid") ? f.substring(0, f.length() - 4) : f;
    }

    /** Bad usage that picocli could not catch. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
