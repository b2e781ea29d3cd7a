package dev.pidlock.daemon.picocli;

import dev.pidlock.daemon.Daemon;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A {@link Daemon}'s actions as picocli subcommands: {@code start [--foreground]}, {@code stop [--force]},
 * {@code restart}, {@code status [--json]}, {@code reload} and one per {@link Daemon#actions() custom action}, each
 * with its description in the help. Each subcommand runs {@link Daemon#execute(String[])} with its name and the
 * options it was given, and its exit code is the action's (picocli's own, 2, for a usage error).
 *
 * <p>The main use adds them to the program's own command, next to its own subcommands:
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     Daemon daemon = Daemon.builder("feeder")
 *                           .pidFile(Path.of("/run/feeder.pid"))
 *                           .worker(Feeder::run)
 *                           .action("flush", "Write the queue to disk", (d, rest) -> Feeder.flush(rest))
 *                           .build();
 *     CommandLine feeder = new CommandLine(new FeederCommand());
 *     DaemonCommands.addTo(feeder, daemon);
 *     System.exit(feeder.execute(args));
 * }
 * }</pre>
 *
 * <p>A program without a command of its own takes {@link #commandLine(Daemon)}. A custom action's subcommand
 * passes every argument after its name on as they are, options included; {@code -h} or {@code --help} first shows
 * its help, and a {@code --} first passes on what follows it (without the {@code --}).
 *
 * <p>picocli is an optional dependency of this module ({@code requires static info.picocli}): a program that uses
 * this class needs it on its class or module path ({@code requires info.picocli} in its own module); {@link Daemon}
 * itself never loads it. The commands are built with picocli's programmatic API, without reflection on this
 * module, so no {@code opens} is needed.
 *
 * @since 0.2
 */
// picocli's types in this API are not exported transitively: picocli is optional, and a program that calls this
// class requires info.picocli itself
@SuppressWarnings("exports")
public final class DaemonCommands {
    private static final String HELP = "Show this help message and exit.";

    private DaemonCommands() {
    }

    /**
     * A command named after the daemon whose subcommands are its actions. Without a subcommand it reports a usage
     * error (exit code 2), as {@link Daemon#execute(String[])} does without an action.
     *
     * @param daemon the daemon
     * @return the command, ready for {@link CommandLine#execute(String...)}
     * @since 0.2
     */
    public static CommandLine commandLine(Daemon daemon) {
        return new CommandLine(spec(daemon));
    }

    /**
     * The model of {@link #commandLine(Daemon)}, for a program that assembles its own.
     *
     * @param daemon the daemon
     * @return a command named after the daemon, with {@code -h}/{@code --help} and one subcommand per action
     * @since 0.2
     */
    public static CommandSpec spec(Daemon daemon) {
        Objects.requireNonNull(daemon, "daemon");
        MissingAction missing = new MissingAction();
        CommandSpec top = CommandSpec.wrapWithoutInspection(missing);
        missing.spec = top;
        top.name(daemon.name());
        top.usageMessage().description("Runs " + daemon.name() + " as a daemon guarded by a pidfile.");
        top.addOption(help());
        subcommands(daemon).forEach(top::addSubcommand);
        return top;
    }

    /**
     * Adds the daemon's actions as subcommands of the program's own command, after the subcommands it has.
     *
     * @param program the program's command
     * @param daemon  the daemon
     * @return {@code program}
     * @throws CommandLine.DuplicateNameException when {@code program} already has a subcommand (or an alias)
     *                                            named as one of the actions
     * @since 0.2
     */
    public static CommandLine addTo(CommandLine program, Daemon daemon) {
        Objects.requireNonNull(program, "program");
        subcommands(Objects.requireNonNull(daemon, "daemon")).forEach(program::addSubcommand);
        return program;
    }

    /** @return the actions' subcommands, by name: the built-in ones, then the custom ones sorted by name */
    private static Map<String, CommandSpec> subcommands(Daemon daemon) {
        Map<String, CommandSpec> subs = new LinkedHashMap<>();
        subs.put("start", builtIn(daemon, "start", "Start the daemon.",
                flag("--foreground", "Run in this process, without detaching.")));
        subs.put("stop", builtIn(daemon, "stop", "Stop the daemon: SIGTERM, then wait for its lock to be free.",
                flag("--force", "Kill the daemon when it does not end within the stop timeout.")));
        subs.put("restart", builtIn(daemon, "restart", "Stop the daemon if it runs, then start it.",
                flag("--force", "Kill the daemon when it does not end within the stop timeout."),
                flag("--foreground", "Start it in this process, without detaching.")));
        subs.put("status", builtIn(daemon, "status", "Show whether the daemon runs (LSB exit codes).",
                flag("--json", "Print the status as JSON.")));
        subs.put("reload", builtIn(daemon, "reload",
                "Replace the daemon with a fresh start, keeping its pid and lock."));
        daemon.actions().forEach((name, description) -> subs.put(name, custom(daemon, name, description)));
        return subs;
    }

    private static CommandSpec builtIn(Daemon daemon, String action, String description, OptionSpec... flags) {
        Delegate delegate = new Delegate(daemon, action);
        CommandSpec spec = CommandSpec.wrapWithoutInspection(delegate);
        delegate.spec = spec;
        spec.usageMessage().description(description);
        for (OptionSpec f : flags) {
            spec.addOption(f);
            delegate.flags.add(f.longestName());
        }
        spec.addOption(help());
        return spec;
    }

    private static CommandSpec custom(Daemon daemon, String action, String description) {
        Delegate delegate = new Delegate(daemon, action);
        CommandSpec spec = CommandSpec.wrapWithoutInspection(delegate);
        delegate.spec = spec;
        spec.usageMessage().description(description);
        spec.addOption(help());
        PositionalParamSpec rest = PositionalParamSpec.builder()
                .index("0..*")
                .arity("0..*")
                .paramLabel("ARG")
                .type(String[].class)
                .description("Passed on to the action as they are.")
                .build();
        spec.addPositional(rest);
        delegate.rest = rest;
        spec.parser().unmatchedOptionsArePositionalParams(true).stopAtPositional(true);
        return spec;
    }

    private static OptionSpec flag(String name, String description) {
        return OptionSpec.builder(name).arity("0").type(boolean.class).description(description).build();
    }

    private static OptionSpec help() {
        return OptionSpec.builder("-h", "--help").usageHelp(true).arity("0").type(boolean.class)
                .description(HELP).build();
    }

    /** Runs one action through {@link Daemon#execute(String[])}. */
    private static final class Delegate implements Callable<Integer> {
        private final Daemon daemon;
        private final String action;
        private final List<String> flags = new ArrayList<>();
        private CommandSpec spec;
        private PositionalParamSpec rest;

        Delegate(Daemon daemon, String action) {
            this.daemon = daemon;
            this.action = action;
        }

        @Override
        public Integer call() {
            ParseResult parsed = spec.commandLine().getParseResult();
            List<String> args = new ArrayList<>();
            args.add(action);
            for (String f : flags) {
                if (parsed.hasMatchedOption(f)) {
                    args.add(f);
                }
            }
            if (rest != null) {
                args.addAll(rest.stringValues());
            }
            return daemon.execute(args.toArray(String[]::new));
        }
    }

    /** The daemon's own command without an action: a usage error, as {@link Daemon#execute(String[])}. */
    private static final class MissingAction implements Callable<Integer> {
        private CommandSpec spec;

        @Override
        public Integer call() {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
        }
    }
}
