/**
 * The service provider interfaces of pidlock, entered at {@link dev.pidlock.spi.LockBackend}, the SPI of a
 * lock primitive; beside it {@link dev.pidlock.spi.StaleDetector} (is the pidfile's process the holder?) and
 * {@link dev.pidlock.spi.OwnershipPolicy} (what an acquirer may do with the file). Implementations are
 * found with {@link java.util.ServiceLoader} on the module path ({@code provides}) and on the class path
 * ({@code META-INF/services}).
 *
 * @since 0.1
 */
package dev.pidlock.spi;
