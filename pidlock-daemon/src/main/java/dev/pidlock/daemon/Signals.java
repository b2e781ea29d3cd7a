package dev.pidlock.daemon;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.IntConsumer;

/** Catches a signal through {@code sun.misc.Signal}, reached by reflection (module jdk.unsupported). */
final class Signals {
    private Signals() {
    }

    /**
     * @param name    the signal's name without {@code SIG}
     * @param handler called with the signal's number on a JVM thread
     * @return whether the handler is installed
     */
    static boolean handle(String name, IntConsumer handler) {
        return handle(name, handler, () -> { });
    }

    /**
     * @param name    the signal's name without {@code SIG}
     * @param handler called with the signal's number on a JVM thread
     * @param justBefore run just before the handler is installed, once everything else is ready (the moment
     *                   between the two is as short as it can be)
     * @return whether the handler is installed
     */
    static boolean handle(String name, IntConsumer handler, Runnable justBefore) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object sig = signal.getConstructor(String.class).newInstance(name);
            Method number = signal.getMethod("getNumber");
            InvocationHandler h = (proxy, method, args) -> {
                switch (method.getName()) {
                    case "handle" -> {
                        handler.accept((Integer) number.invoke(args[0]));
                        return null;
                    }
                    case "toString" -> {
                        return "pidlock-daemon handler of SIG" + name;
                    }
                    case "hashCode" -> {
                        return System.identityHashCode(proxy);
                    }
                    case "equals" -> {
                        return proxy == args[0];
                    }
                    default -> {
                        return null;
                    }
                }
            };
            Object proxy = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerType}, h);
            Method handle = signal.getMethod("handle", signal, handlerType);
            proxy.hashCode(); // the proxy's dispatch ready
            justBefore.run();
            handle.invoke(null, sig, proxy);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
