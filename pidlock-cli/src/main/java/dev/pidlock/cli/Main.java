package dev.pidlock.cli;

import dev.pidlock.BackendUnavailableException;
import dev.pidlock.NoBackendException;
import dev.pidlock.PidFileAccessException;
import dev.pidlock.PidLockConflictException;
import dev.pidlock.UnsafePidFileException;
import dev.pidlock.cli.spawn.SpawnException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the {@code pidlock} command. */
public final class Main {
    private Main() {
    }

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * @param args the command line
     * @return the exit code
     */
    static int run(String... args) {
        CommandLine cli = new CommandLine(new PidlockCommand());
        cli.setExecutionExceptionHandler((e, line, parsed) -> report(line, e));
        cli.setParameterExceptionHandler((e, args1) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("pidlock: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.USAGE;
        });
        return cli.execute(args);
    }

    private static int report(CommandLine line, Exception e) {
        PrintWriter err = line.getErr();
        Object root = line.getCommandSpec().root().userObject();
        boolean debug = root instanceof PidlockCommand p && p.debug;
        err.println("pidlock: " + message(e));
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return exitCode(e);
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    static int exitCode(Throwable e) {
        if (e instanceof PidLockConflictException) {
            return ExitCodes.CONFLICT;
        }
        if (e instanceof Target.UsageException || e instanceof IllegalArgumentException) {
            return ExitCodes.USAGE;
        }
        if (e instanceof NoBackendException || e instanceof BackendUnavailableException) {
            return ExitCodes.UNAVAILABLE;
        }
        if (e instanceof UnsafePidFileException) {
            return ExitCodes.CANT_CREATE;
        }
        if (e instanceof PidFileAccessException a) {
            String errno = a.errno().orElse("");
            return switch (errno) {
                case "ENOENT", "ENOTDIR", "ELOOP", "EISDIR", "EROFS" -> ExitCodes.CANT_CREATE;
                case "EACCES", "EPERM" -> ExitCodes.NO_PERMISSION;
                default -> ExitCodes.IO_ERROR;
            };
        }
        if (e instanceof SpawnException s) {
            return switch (s.errnoName()) {
                case "ENOENT" -> ExitCodes.NOT_FOUND;
                case "EACCES", "ENOEXEC", "EPERM" -> ExitCodes.NOT_EXECUTABLE;
                default -> ExitCodes.SOFTWARE;
            };
        }
        if (e instanceof CommandFailure f) {
            return f.exitCode;
        }
        return ExitCodes.SOFTWARE;
    }

    /** A failure a subcommand reports with its own exit code and one line. */
    static final class CommandFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        CommandFailure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }
}
