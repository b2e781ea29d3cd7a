package dev.pidlock.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.IntConsumer;

/**
 * Catches a signal in the JVM instead of letting it run the shutdown hooks, through {@code sun.misc.Signal}
 * of module {@code jdk.unsupported} — the supported way to do so, reached reflectively to keep the build free
 * of the compiler's internal-API warning.
 */
final class SignalHandling {
    private SignalHandling() {
    }

    /**
     * Defines the handler class {@link #handle} makes instances of (a proxy class, defined at run time), without
     * catching any signal: work done ahead, while another thread loads the backend.
     */
    static void prepare() {
        try {
            Proxy.newProxyInstance(SignalHandling.class.getClassLoader(),
                    new Class<?>[] {Class.forName("sun.misc.SignalHandler")}, (proxy, method, args) -> null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // handle() meets the same problem, and reports it
        }
    }

    /**
     * @param name    the signal's name without {@code SIG}, for example {@code TERM}
     * @param handler called with the signal's number, on a JVM thread, each time it arrives
     */
    static void handle(String name, IntConsumer handler) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object sig = signal.getConstructor(String.class).newInstance(name);
            Method number = signal.getMethod("getNumber");
            InvocationHandler h = (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                    handler.accept((Integer) number.invoke(args[0]));
                    return null;
                }
                if (method.getName().equals("toString")) {
                    return "pidlock handler of SIG" + name;
                }
                if (method.getName().equals("hashCode")) {
                    return System.identityHashCode(proxy);
                }
                if (method.getName().equals("equals")) {
                    return proxy == args[0];
                }
                return null;
            };
            Object proxy = Proxy.newProxyInstance(SignalHandling.class.getClassLoader(), new Class<?>[] {handlerType}, h);
            signal.getMethod("handle", signal, handlerType).invoke(null, sig, proxy);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot catch SIG" + name + ": " + e, e);
        }
    }
}
