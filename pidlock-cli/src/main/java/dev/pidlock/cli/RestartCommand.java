package dev.pidlock.cli;

import dev.pidlock.fcntl.spawn.HolderStop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code pidlock restart}: a verified stop, then a start. */
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = {"Stop the running instance as stop does (every holder of the lock, verified, waiting until"
                + " the lock is free), then start CMD. If it was not running, say so and start. CMD is started only"
                + " once the lock is free: when it is still held after --timeout (or taken again meanwhile),"
                + " restart says so and starts nothing.",
                "Exit: as start; 1 when the lock is still held (the old instance would not stop) or was taken"
                        + " again; 77 as stop."})
final class RestartCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Mixin
    StopCommand.Options stop;

    @Mixin
    StartCommand.Options start;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "The command and its arguments, after --.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (command.isEmpty()) {
            throw new Target.UsageException("missing command after --");
        }
        HolderStop.Outcome outcome = StopCommand.stop(target, stop, false);
        if (outcome == HolderStop.Outcome.STILL_RUNNING) {
            System.err.println("pidlock: not starting " + target.displayName(target.builder().path())
                    + ": its lock is still held");
            return ExitCodes.CONFLICT;
        }
        if (outcome == HolderStop.Outcome.NOT_RUNNING) {
            System.err.println("pidlock: " + target.displayName(target.builder().path())
                    + " was not running; starting it");
        }
        return StartCommand.start(target, start, command, outcome == HolderStop.Outcome.STOPPED);
    }
}
