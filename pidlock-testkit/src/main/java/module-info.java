/**
 * The conformance kit of pidlock: abstract JUnit 5 test classes that a backend module subclasses by naming
 * its backend id, and the child-process helpers they use. Open, so that JUnit can run the kit's
 * package-private test methods and nested classes when the kit is on the module path.
 *
 * @since 0.1
 */
open module dev.pidlock.testkit {
    requires transitive dev.pidlock.api;
    requires transitive org.junit.jupiter.api;
    requires quicktheories;

    exports dev.pidlock.testkit;
}
