package io.stateguard.agent.lettuce;

import io.stateguard.agent.guard.Regression;
import io.stateguard.agent.internal.AgentLog;

import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;

/**
 * Creates {@code io.stateguard.agent.api.StaleStateException} instances that extend the
 * application's own Lettuce {@code RedisException}: the class is defined in the class loader of that
 * Lettuce (once per loader), from its bytes in the agent jar. Where that is not possible a plain
 * {@code RedisException} with the same message is used.
 */
final class StaleStates {

    static final String CLASS_NAME = "io.stateguard.agent.api.StaleStateException";

    private static final ClassValue<Object> TYPE = new ClassValue<Object>() {
        @Override
        protected Object computeValue(Class<?> redisException) {
            ClassLoader loader = redisException.getClassLoader();
            try {
                Class<?> existing = Class.forName(CLASS_NAME, false, loader);
                if (existing.getSuperclass() == redisException) {
                    return existing;
                }
            } catch (ClassNotFoundException | LinkageError e) {
                // not visible or not linkable from there: define it below
            }
            try {
                byte[] bytes = classBytes();
                Method define = ClassLoader.class.getDeclaredMethod("defineClass", String.class, byte[].class,
                        int.class, int.class);
                define.setAccessible(true);
                return define.invoke(loader, CLASS_NAME, bytes, 0, bytes.length);
            } catch (Throwable t) {
                AgentLog.once(AgentLog.Level.WARN, "stale-state-exception",
                        "cannot define StaleStateException beside Lettuce; stale reads fail with RedisException", t);
                return redisException;
            }
        }
    };

    private StaleStates() {
    }

    static Throwable create(LettuceApi api, Regression regression, String operation)
            throws ReflectiveOperationException {
        String message = "StateGuard: stale state for key '" + regression.outcome(operation, null, null, -1, false)
                .keyText() + "' (rule " + regression.rule().name() + ", " + operation + "): expected version >= "
                + regression.expected() + ", observed "
                + (regression.observedPresent() ? String.valueOf(regression.observed()) : "a missing value");
        Class<?> type = (Class<?>) TYPE.get(api.redisException);
        return (Throwable) type.getConstructor(String.class).newInstance(message);
    }

    private static byte[] classBytes() throws IOException {
        String resource = CLASS_NAME.replace('.', '/') + ".class";
        ClassLoader own = StaleStates.class.getClassLoader();
        try (InputStream in = own == null ? ClassLoader.getSystemResourceAsStream(resource)
                : own.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing " + resource + " in the agent jar");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }
}
