package io.stateguard.agent.bootstrap;

import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.InternalErrors;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The class file transformer {@code premain} registers, so that the instrumentation proper (Byte
 * Buddy: about a thousand classes to load and run, most of the agent's start-up cost) can be built
 * on a background thread while the application starts.
 *
 * <p>Until the real transformer is {@linkplain #ready ready}, a class the real transformer may change
 * (the few Lettuce classes the agent instruments, named up front) waits for it, bounded by a timeout,
 * on the thread that loads it; every other class, the rest of Lettuce included, passes at the cost of
 * one hash lookup. So an application that touches Lettuce early is held up only when it connects. Delegating from here, instead of registering
 * the real transformer later, matters: the JVM calls the transformers registered when a class
 * <em>starts</em> loading, so a later registration would miss the classes loading meanwhile. A class
 * that still missed it (the wait timed out) is retransformed once the real transformer is there.
 *
 * <p>Plain Java: it knows nothing of Byte Buddy, only of {@link ClassFileTransformer}.
 */
final class DeferredTransformer implements ClassFileTransformer {

    private final String packagePrefix;
    private final Set<String> instrumented;
    private final long waitMillis;
    private final CountDownLatch settled = new CountDownLatch(1);
    private final Set<String> missed = ConcurrentHashMap.newKeySet();
    /** Class loaders that loaded classes of the package before the real transformer was ready. */
    private final Map<ClassLoader, Boolean> earlyLoaders = new WeakHashMap<ClassLoader, Boolean>();
    /** The real transformer once ready; {@code null} before, and for ever if it could not be built. */
    private volatile ClassFileTransformer delegate;
    private volatile boolean failed;

    /**
     * @param packagePrefix internal name prefix ({@code io/lettuce/core/}) of the classes the real
     *     transformer sees once ready (the rest never reach it).
     * @param instrumented internal names ({@code io/lettuce/core/protocol/CommandHandler}) of the
     *     classes the real transformer may change: those wait for it.
     * @param waitMillis how long such a class waits for the real transformer.
     */
    DeferredTransformer(String packagePrefix, String[] instrumented, long waitMillis) {
        this.packagePrefix = packagePrefix;
        this.instrumented = new HashSet<String>(Arrays.asList(instrumented));
        this.waitMillis = waitMillis;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
            ProtectionDomain protectionDomain, byte[] classfileBuffer) throws IllegalClassFormatException {
        if (className == null || !className.startsWith(packagePrefix)) {
            return null;
        }
        ClassFileTransformer real = delegate;
        if (real == null && !failed) {
            synchronized (earlyLoaders) {
                earlyLoaders.put(loader, Boolean.TRUE);
            }
        }
        if (real == null && !failed && instrumented.contains(className)) {
            try {
                settled.await(waitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            real = delegate;
            if (real == null && !failed) {
                missed.add(className.replace('/', '.'));
                AgentLog.once(AgentLog.Level.WARN, "deferred-timeout",
                        "instrumentation not ready after " + waitMillis + " ms; " + className.replace('/', '.')
                                + " and later classes load as they are and are instrumented when it is ready", null);
                return null;
            }
        }
        if (real == null) {
            return null;
        }
        try {
            return real.transform(loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
        } catch (Throwable t) {
            InternalErrors.record("instrumentation", t);
            return null;
        }
    }

    /**
     * Hands over to the real transformer, tells {@code seen} about every class loader that loaded
     * classes of the package before (so that decisions made per class loader, such as which module
     * applies and its log line, do not depend on whether the application loads more of them), then
     * retransforms the classes that loaded before it was there (only after a timed-out wait).
     */
    void ready(ClassFileTransformer real, Instrumentation instrumentation, Consumer<ClassLoader> seen) {
        delegate = real;
        settled.countDown();
        List<ClassLoader> early;
        synchronized (earlyLoaders) {
            early = new ArrayList<ClassLoader>(earlyLoaders.keySet());
            earlyLoaders.clear();
        }
        for (ClassLoader loader : early) {
            try {
                seen.accept(loader);
            } catch (Throwable t) {
                InternalErrors.record("instrumentation", t);
            }
        }
        if (missed.isEmpty()) {
            return;
        }
        List<Class<?>> late = new ArrayList<Class<?>>();
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (missed.contains(type.getName()) && instrumentation.isModifiableClass(type)) {
                late.add(type);
            }
        }
        if (late.isEmpty()) {
            return;
        }
        try {
            instrumentation.retransformClasses(late.toArray(new Class<?>[0]));
            AgentLog.info("instrumented " + late.size() + " classes that loaded before the instrumentation was ready");
        } catch (Throwable t) {
            InternalErrors.record("instrumentation", t);
            AgentLog.warn("could not instrument " + late.size() + " classes that loaded before the instrumentation"
                    + " was ready; they keep their own behaviour (" + t + ")");
        }
    }

    /** The real transformer could not be built: everything passes through unchanged from now on. */
    void failed() {
        failed = true;
        settled.countDown();
    }

    /** Classes that loaded without instrumentation because the wait timed out (tests). */
    Set<String> missed() {
        return missed;
    }
}
