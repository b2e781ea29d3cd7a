/**
 * The {@code pidlock} command: run, start, stop, restart, status and backends, over the pidlock API and
 * every backend, packaged as a jlink image. Exports nothing; picocli reads its commands reflectively.
 *
 * @since 0.1
 */
module dev.pidlock.cli {
    requires dev.pidlock.api;
    requires info.picocli;
    requires com.fasterxml.jackson.core;
    requires com.sun.jna;
    requires jdk.unsupported;
    requires java.logging;

    opens dev.pidlock.cli to info.picocli;
    exports dev.pidlock.cli.spawn to com.sun.jna;

    uses dev.pidlock.spi.LockBackend;
}
