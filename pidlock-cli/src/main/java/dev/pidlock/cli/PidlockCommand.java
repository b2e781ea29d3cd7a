package dev.pidlock.cli;

import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;

/** The {@code pidlock} command and its subcommands. */
@Command(name = "pidlock", mixinStandardHelpOptions = true, versionProvider = PidlockCommand.Version.class,
        description = {"Run a program at most once at a time on this host, and tell who is running.",
                "--debug (anywhere before --) prints stack traces and pidlock's log messages."},
        footer = ExitCodes.TABLE,
        subcommands = {RunCommand.class, StartCommand.class, StopCommand.class, RestartCommand.class,
                StatusCommand.class, BackendsCommand.class})
final class PidlockCommand implements Runnable {

    static void enableDebugLogging() {
        Logger root = Logger.getLogger("");
        root.setLevel(Level.FINE);
        for (var h : root.getHandlers()) {
            h.setLevel(Level.FINE);
        }
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "a subcommand is required: run, start, stop, restart, status or backends");
    }

    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PidlockCommand.class.getModule().getDescriptor() != null
                    ? PidlockCommand.class.getModule().getDescriptor().toNameAndVersion() : "pidlock";
            return new String[] {v + " on Java " + Runtime.version()};
        }
    }
}
