package dev.pidlock;

/** This process, and the logger pidlock's algorithm reports through. */
final class Self {
    /** The pid of this JVM. */
    static final long PID = ProcessHandle.current().pid();
    /** Acquired, released, stale taken over (INFO); what a probe found (DEBUG). */
    static final System.Logger LOG = System.getLogger("dev.pidlock");

    private Self() {
    }
}
