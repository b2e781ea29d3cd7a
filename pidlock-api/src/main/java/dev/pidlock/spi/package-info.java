/**
 * The service provider interfaces of pidlock: {@link dev.pidlock.spi.LockBackend} (a lock primitive),
 * {@link dev.pidlock.spi.StaleDetector} (is the pidfile's process the holder?) and
 * {@link dev.pidlock.spi.OwnershipPolicy} (what an acquirer may do with the file). Implementations are
 * found with {@link java.util.ServiceLoader} on the module path ({@code provides}) and on the class path
 * ({@code META-INF/services}).
 *
 * <p>Start at {@link dev.pidlock.spi.LockBackend} to plug in a lock primitive.
 *
 * @since 0.1
 */
package dev.pidlock.spi;
