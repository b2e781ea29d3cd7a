package dev.pidlock.fcntl.spawn;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.IntConsumer;

/**
 * Catches a signal in the JVM instead of letting it run the shutdown hooks, through {@code sun.misc.Signal} of
 * module {@code jdk.unsupported} (which the caller's module requires) — the supported way to do so, reached by
 * reflection to keep the build free of the compiler's internal-API warning. The handler is a proxy class defined
 * at run time, for the {@code pidlock} command and for pidlock-daemon.
 */
public final class JvmSignals {
    private JvmSignals() {
    }

    /**
     * Defines the handler class {@link #handle} makes instances of, without catching any signal: work done ahead,
     * on a thread that would otherwise wait.
     */
    public static void prepare() {
        try {
            Proxy.newProxyInstance(JvmSignals.class.getClassLoader(),
                    new Class<?>[] {Class.forName("sun.misc.SignalHandler")}, (proxy, method, args) -> null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // handle() meets the same problem, and reports it
        }
    }

    /**
     * @param name    the signal's name without {@code SIG}, for example {@code TERM}
     * @param handler called with the signal's number, on a JVM thread, each time it arrives
     * @throws IllegalStateException when the JVM does not let it be caught
     */
    public static void handle(String name, IntConsumer handler) {
        handle(name, handler, () -> { });
    }

    /**
     * @param name       the signal's name without {@code SIG}
     * @param handler    called with the signal's number, on a JVM thread, each time it arrives
     * @param justBefore run just before the handler is installed, once everything else is ready (the moment
     *                   between the two is as short as it can be)
     * @throws IllegalStateException when the JVM does not let it be caught
     */
    public static void handle(String name, IntConsumer handler, Runnable justBefore) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object sig = signal.getConstructor(String.class).newInstance(name);
            Method number = signal.getMethod("getNumber");
            InvocationHandler h = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    handler.accept((Integer) number.invoke(args[0]));
                    yield null;
                }
                case "toString" -> "pidlock handler of SIG" + name;
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> null;
            };
            Object proxy = Proxy.newProxyInstance(JvmSignals.class.getClassLoader(), new Class<?>[] {handlerType}, h);
            Method handle = signal.getMethod("handle", signal, handlerType);
            proxy.hashCode(); // the proxy's dispatch ready
            justBefore.run();
            handle.invoke(null, sig, proxy);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot catch SIG" + name + ": " + e, e);
        }
    }

    /**
     * {@link #handle(String, IntConsumer, Runnable)}, saying whether it could.
     *
     * @param name       the signal's name without {@code SIG}
     * @param handler    called with the signal's number, on a JVM thread, each time it arrives
     * @param justBefore run just before the handler is installed
     * @return whether the handler is installed
     */
    public static boolean tryHandle(String name, IntConsumer handler, Runnable justBefore) {
        try {
            handle(name, handler, justBefore);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }
}
