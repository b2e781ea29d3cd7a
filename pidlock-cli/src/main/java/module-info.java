/**
 * The {@code pidlock} command: run, start, stop, restart, status and backends, over the pidlock API and
 * every backend, packaged as a jlink image. Exports nothing; picocli reads its commands reflectively.
 *
 * @since 0.1
 */
module dev.pidlock.cli {
    requires dev.pidlock.api;
    requires dev.pidlock.fcntl;
    requires info.picocli;
    requires com.fasterxml.jackson.core;
    requires jdk.unsupported;
    requires java.logging;

    opens dev.pidlock.cli to info.picocli;

    uses dev.pidlock.spi.LockBackend;
}
