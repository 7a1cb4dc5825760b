package io.stateguard.benchmarks.startup;

import io.stateguard.agent.instrumentation.HelperInjector;
import io.stateguard.agent.instrumentation.InstrumentationTransformer;
import io.stateguard.agent.instrumentation.ModuleSelector;
import io.stateguard.agent.instrumentation.lettuce.LettuceInstrumentationModule;

import java.io.IOException;
import java.io.InputStream;

/**
 * The instrumentation's share of start-up, cold, in a fresh JVM: the agent's transformer (as {@code premain}
 * creates it, version checks on) deciding the Lettuce module for the class loader and weaving the three classes a
 * Master/Replica application loads, from their class files on the class path, as the JVM would hand them over.
 * Nothing is defined or loaded from Lettuce. Prints {@code result.weaveMillis}.
 */
public final class WeaveCost {

    private static final String[] CLASSES = {"io/lettuce/core/masterreplica/MasterReplicaChannelWriter",
            "io/lettuce/core/masterreplica/MasterReplicaConnectionProvider", "io/lettuce/core/protocol/CommandHandler"};

    public static void main(String[] args) throws Exception {
        byte[][] classFiles = new byte[CLASSES.length][];
        for (int i = 0; i < CLASSES.length; i++) {
            classFiles[i] = read(CLASSES[i] + ".class");
        }
        long start = System.nanoTime();
        ModuleSelector selector = LettuceInstrumentationModule.selector(true);
        final int[] woven = {0};
        InstrumentationTransformer transformer = new InstrumentationTransformer(LettuceInstrumentationModule.PACKAGE_PREFIX, selector,
                new HelperInjector(null), new InstrumentationTransformer.Listener() {
                    @Override
                    public void instrumented(String className, boolean retransformed) {
                        woven[0]++;
                    }

                    @Override
                    public void failed(String className, Throwable error) {
                        throw new IllegalStateException("could not weave " + className, error);
                    }

                    @Override
                    public void uninstrumentedClient(String client, String location) {
                        // only Lettuce classes are woven here
                    }
                });
        ClassLoader loader = WeaveCost.class.getClassLoader();
        for (int i = 0; i < CLASSES.length; i++) {
            transformer.transform(loader, CLASSES[i], null, WeaveCost.class.getProtectionDomain(), classFiles[i]);
        }
        long nanos = System.nanoTime() - start;
        if (woven[0] != CLASSES.length) {
            throw new IllegalStateException("woven " + woven[0] + " of " + CLASSES.length + " classes");
        }
        System.out.println("result.weaveMillis=" + nanos / 1e6);
    }

    private static byte[] read(String resource) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no " + resource + " on the class path");
            }
            return in.readAllBytes();
        }
    }
}
