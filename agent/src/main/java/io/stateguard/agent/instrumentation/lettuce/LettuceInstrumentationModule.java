package io.stateguard.agent.instrumentation.lettuce;

import io.stateguard.agent.instrumentation.ClassLoaderMatchers;
import io.stateguard.agent.instrumentation.InstrumentationModule;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import net.bytebuddy.matcher.ElementMatcher;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Per-key primary routing for Lettuce 6.x and 7.x: Master/Replica (package {@code masterreplica},
 * present from 6.0) and Cluster. Lettuce 5.x keeps its Master/Replica classes in
 * {@code masterslave} and is not matched here.
 */
public final class LettuceInstrumentationModule implements InstrumentationModule {

    static final String MASTER_REPLICA_WRITER = "io.lettuce.core.masterreplica.MasterReplicaChannelWriter";
    static final String MASTER_REPLICA_PROVIDER = "io.lettuce.core.masterreplica.MasterReplicaConnectionProvider";
    static final String CLUSTER_WRITER = "io.lettuce.core.cluster.ClusterDistributionChannelWriter";
    static final String CLUSTER_PROVIDER = "io.lettuce.core.cluster.PooledClusterConnectionProvider";

    /** Classes of the supported range, as named by the class-loader matcher. */
    public static final List<String> SUPPORTED_MARKERS = Collections.unmodifiableList(
            Arrays.asList(MASTER_REPLICA_WRITER, MASTER_REPLICA_PROVIDER));

    private final boolean versionChecks;

    /**
     * @param versionChecks whether replies are checked: only then is {@code CommandHandler}
     *     instrumented, so that routing alone costs nothing on completion.
     */
    public LettuceInstrumentationModule(boolean versionChecks) {
        this.versionChecks = versionChecks;
    }

    @Override
    public String name() {
        return "lettuce-6.1+";
    }

    @Override
    public ElementMatcher<ClassLoader> classLoaderMatcher() {
        return ClassLoaderMatchers.hasClassesNamed(MASTER_REPLICA_WRITER, MASTER_REPLICA_PROVIDER);
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        List<TypeInstrumentation> types = new ArrayList<>(Arrays.<TypeInstrumentation>asList(
                new ChannelWriterInstrumentation(MASTER_REPLICA_WRITER),
                new ConnectionProviderInstrumentation(MASTER_REPLICA_PROVIDER, 1),
                new ChannelWriterInstrumentation(CLUSTER_WRITER),
                new ConnectionProviderInstrumentation(CLUSTER_PROVIDER, 2)));
        if (versionChecks) {
            types.add(new CommandHandlerInstrumentation());
        }
        return types;
    }
}
