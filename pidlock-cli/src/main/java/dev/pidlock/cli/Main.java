package dev.pidlock.cli;

import dev.pidlock.BackendUnavailableException;
import dev.pidlock.NoBackendException;
import dev.pidlock.PidFileAccessException;
import dev.pidlock.PidLockConflictException;
import dev.pidlock.UnsafePidFileException;
import dev.pidlock.fcntl.spawn.Spawn;
import dev.pidlock.fcntl.spawn.SpawnException;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Entry point of the {@code pidlock} command. */
public final class Main {
    private Main() {
    }

    /**
     * @param args the command line, as the JVM decoded it; the bytes are read again from
     *             {@code /proc/self/cmdline} ({@link RawCommandLine})
     */
    public static void main(String[] args) {
        // the JVM's arguments name the subcommand as /proc/self/cmdline does (ASCII): start at once
        startWarmUp(args);
        System.exit(run(RawCommandLine.arguments(args)));
    }

    /**
     * @param args the command line
     * @return the exit code
     */
    static int run(String... args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                rest.addAll(List.of(args).subList(i, args.length));
                break;
            }
            if (args[i].equals("--debug")) {
                debug = true;
                PidlockCommand.enableDebugLogging();
            } else {
                rest.add(args[i]);
            }
        }
        String first = rest.isEmpty() ? null : rest.get(0);
        startWarmUp(rest.toArray(String[]::new));
        if ("run".equals(first)) {
            RunCommand plain = PlainRun.parse(rest.subList(1, rest.size()));
            if (plain != null) {
                return execute(plain);
            }
        }
        CommandLine cli = commandLine(first);
        if (cli.getCommandSpec().userObject() instanceof PidlockCommand) {
            return execute(cli, rest.toArray(String[]::new));
        }
        return execute(cli, rest.subList(1, rest.size()).toArray(String[]::new));
    }

    private static boolean warming;

    /**
     * Loads JNA, the C library bindings and the default backend (with its probe) on a second thread while
     * the command line is read on this one: the two are most of a run's start-up. Once per JVM, for a subcommand
     * that locks or looks at a pidfile.
     *
     * @param args the command line ({@code --debug} may be in it)
     */
    private static synchronized void startWarmUp(String[] args) {
        String first = null;
        for (String a : args) {
            if (!a.equals("--debug")) {
                first = a;
                break;
            }
        }
        if (warming || first == null || first.equals("backends") || first.startsWith("-")) {
            return;
        }
        warming = true;
        Thread t = new Thread(() -> {
            try {
                // the backend first: the command waits for it to take the lock, and spawns only after
                dev.pidlock.PidLock.at(java.nio.file.Path.of("/")).selectedBackend();
            } catch (Throwable ignored) {
                // the command meets the same problem itself, and reports it
            }
            try {
                Spawn.bind();
            } catch (Throwable ignored) {
                // the command meets the same problem itself, and reports it
            }
            // while the command runs: the first read of /proc costs more than the rest of the holder search
            // that follows it (RunCommand, StartCommand)
            dev.pidlock.internal.proc.ProcFs.locks();
            dev.pidlock.internal.proc.ProcFs.stat(ProcessHandle.current().pid());
        }, "pidlock-warm-up");
        t.setDaemon(true);
        warmUp = t;
        t.start();
    }

    private static volatile Thread warmUp;

    /**
     * Waits for the warm-up thread to end: before this JVM is replaced by {@code exec}, a file it has open for
     * a moment (it reads {@code /proc/locks}) would otherwise reach the command, opened after the descriptors were
     * marked close-on-exec.
     */
    static void awaitWarmUp() {
        Thread t = warmUp;
        if (t == null) {
            return;
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether {@code --debug} was given: stack traces and log messages. */
    static boolean debug;

    /**
     * Builds only the subcommand that runs: picocli reads a command's annotations when it is built, and
     * building all six costs more than the rest of a {@code pidlock run}.
     */
    private static CommandLine commandLine(String first) {
        Object sub = first == null ? null : switch (first) {
            case "run" -> new RunCommand();
            case "start" -> new StartCommand();
            case "stop" -> new StopCommand();
            case "restart" -> new RestartCommand();
            case "status" -> new StatusCommand();
            case "backends" -> new BackendsCommand();
            default -> null;
        };
        if (sub == null) {
            return new CommandLine(new PidlockCommand());
        }
        CommandLine cli = new CommandLine(sub);
        cli.setCommandName("pidlock " + first);
        return cli;
    }

    private static int execute(CommandLine cli, String[] args) {
        // an argument that starts with @ is an argument (a curl -d @body, a javac @options), never a file of more
        cli.setExpandAtFiles(false);
        cli.setExecutionExceptionHandler((e, line, parsed) -> report(line, e));
        cli.setParameterExceptionHandler((e, args1) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("pidlock: " + Printable.of(String.valueOf(e.getMessage())) + " (see '" + e.getCommandLine().getCommandName()
                    + " --help')");
            return ExitCodes.USAGE;
        });
        return cli.execute(args);
    }

    /**
     * Runs a {@code run} read by {@link PlainRun} as picocli's {@code execute} runs one it read: its status, or a
     * failure reported as {@link #execute(CommandLine, String[])} reports it, on the same kind of writer.
     */
    private static int execute(RunCommand plain) {
        try {
            return plain.call();
        } catch (Exception e) {
            return report(new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.err, stderrCharset()))
                    , true), e);
        }
    }

    /** @return the character set picocli writes standard error with */
    private static Charset stderrCharset() {
        String name = System.getProperty("sun.stderr.encoding");
        if (name != null) {
            try {
                return Charset.forName("cp65001".equalsIgnoreCase(name) ? "UTF-8" : name);
            } catch (RuntimeException e) {
                return Charset.defaultCharset();
            }
        }
        return Charset.defaultCharset();
    }

    private static int report(CommandLine line, Exception e) {
        return report(line.getErr(), e);
    }

    private static int report(PrintWriter err, Exception e) {
        err.println("pidlock: " + message(e));
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return exitCode(e);
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : Printable.of(m);
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
