package dev.pidlock.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The plain form of {@code pidlock run}, read without picocli: building picocli's model of a command (reading its
 * annotations by reflection) costs more than the rest of a short run. Plain means options that picocli would
 * read the same way without doubt, then {@code --} and the command:
 * {@code run (--name N | --pidfile P) [--dir D] [--backend ID] [--wait DURATION] [--conflict-exit-code N]
 * [--owner U[:G]] [--lost-signal SIG] [--keep-file] [--no-fork] [--supervise] -- CMD…}, each option once, a value given as the next
 * argument or after {@code =}, never empty and never starting with {@code -}, and every value that picocli
 * converts converting. Anything else (help, a repeated or unknown option, a value that looks like an option, a
 * bad value, a command without {@code --}, no command) is left to picocli, which reads it or reports the
 * error, so that both read every command line the same way and every error is picocli's own.
 */
final class PlainRun {
    private PlainRun() {
    }

    /**
     * @param args the arguments after {@code run} ({@code --debug} taken out)
     * @return the command with its options set as picocli would set them, or null when the arguments are not
     *         of the plain form
     */
    static RunCommand parse(List<String> args) {
        int end = args.indexOf("--");
        if (end < 0 || end == args.size() - 1) {
            return null;
        }
        RunCommand run = new RunCommand();
        run.conflictExitCode = Integer.parseInt(RunCommand.DEFAULT_CONFLICT_EXIT_CODE);
        run.lostSignal = RunCommand.DEFAULT_LOST_SIGNAL;
        Target target = new Target();
        Target.Choice choice = new Target.Choice();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < end; i++) {
            String arg = args.get(i);
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (!seen.add(name)) {
                return null;
            }
            switch (name) {
                case "--keep-file", "--no-fork", "--supervise" -> {
                    if (value != null) {
                        return null;
                    }
                    switch (name) {
                        case "--keep-file" -> run.keepFile = true;
                        case "--no-fork" -> run.noFork = true;
                        default -> run.supervise = true;
                    }
                    continue;
                }
                case "--pidfile", "--name", "--dir", "--backend", "--wait", "--conflict-exit-code", "--owner",
                        "--lost-signal" -> {
                    if (value == null) {
                        if (i + 1 >= end) {
                            return null;
                        }
                        value = args.get(++i);
                    }
                }
                default -> {
                    return null;
                }
            }
            if (value.isEmpty() || value.startsWith("-")) {
                return null;
            }
            try {
                switch (name) {
                    case "--pidfile" -> choice.pidfile = path(value);
                    case "--name" -> choice.name = value;
                    case "--dir" -> target.dir = path(value);
                    case "--backend" -> run.backend = value;
                    case "--wait" -> run.wait = duration(value);
                    case "--conflict-exit-code" -> run.conflictExitCode = Integer.valueOf(value);
                    case "--lost-signal" -> run.lostSignal = value;
                    default -> run.owner = value;
                }
            } catch (RuntimeException e) {
                // picocli reports it
                return null;
            }
        }
        if ((choice.pidfile == null) == (choice.name == null)) {
            return null;
        }
        target.choice = choice;
        run.target = target;
        run.command = new ArrayList<>(args.subList(end + 1, args.size()));
        return run;
    }

    private static Path path(String value) {
        return new PathConverter().convert(value);
    }

    private static Duration duration(String value) {
        return DurationConverter.parse(value);
    }
}
