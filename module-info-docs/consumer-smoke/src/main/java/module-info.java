/**
 * A tiny pidlock consumer: needs the API only; the backends are found at run time, through the API's
 * {@code uses dev.pidlock.spi.LockBackend} on the module path and through {@code META-INF/services} on the class
 * path.
 */
module dev.pidlock.smoke {
    requires dev.pidlock.api;
}
