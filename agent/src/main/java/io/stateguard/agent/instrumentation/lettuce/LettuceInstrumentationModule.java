package io.stateguard.agent.instrumentation.lettuce;

import io.stateguard.agent.instrumentation.AdviceErrors;
import io.stateguard.agent.instrumentation.ClassLoaderMatcher;
import io.stateguard.agent.instrumentation.ClassLoaderMatchers;
import io.stateguard.agent.instrumentation.EarlyHelpers;
import io.stateguard.agent.instrumentation.InstrumentationModule;
import io.stateguard.agent.instrumentation.ModuleSelector;
import io.stateguard.agent.instrumentation.TypeInstrumentation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static io.stateguard.agent.instrumentation.ClassLoaderMatchers.both;
import static io.stateguard.agent.instrumentation.ClassLoaderMatchers.not;

/**
 * Per-key primary routing for one range of Lettuce versions. The ranges differ only in the names of
 * the Master/Replica classes; the instrumentation classes and their advice are shared:
 *
 * <ul>
 *   <li>{@link #lettuce6Plus lettuce-6+} (6.0 to 7.x): {@code io.lettuce.core.masterreplica.MasterReplicaChannelWriter}
 *       and {@code MasterReplicaConnectionProvider}, with a nested {@code Intent} enum up to 6.1 and
 *       {@code io.lettuce.core.protocol.ConnectionIntent} from 6.2;</li>
 *   <li>{@link #lettuce5 lettuce-5} (5.1 to 5.3): {@code io.lettuce.core.masterslave.MasterSlaveChannelWriter}
 *       and {@code MasterSlaveConnectionProvider} with its nested {@code Intent};
 *       {@code MasterReplica.connect} of 5.2+ delegates to them.</li>
 * </ul>
 *
 * Both share the Cluster classes ({@code ClusterDistributionChannelWriter},
 * {@code PooledClusterConnectionProvider}) and {@code CommandHandler}. A range is chosen by the
 * classes a class loader has ({@link ClassLoaderMatchers#hasClassesNamed}), never by version
 * strings, and only if every instrumented method is found (see
 * {@link io.stateguard.agent.instrumentation.Shapes}).
 */
public final class LettuceInstrumentationModule implements InstrumentationModule {

    static final String MASTER_REPLICA_WRITER = "io.lettuce.core.masterreplica.MasterReplicaChannelWriter";
    static final String MASTER_REPLICA_PROVIDER = "io.lettuce.core.masterreplica.MasterReplicaConnectionProvider";
    static final String MASTER_SLAVE_WRITER = "io.lettuce.core.masterslave.MasterSlaveChannelWriter";
    static final String MASTER_SLAVE_PROVIDER = "io.lettuce.core.masterslave.MasterSlaveConnectionProvider";
    static final String CLUSTER_WRITER = "io.lettuce.core.cluster.ClusterDistributionChannelWriter";
    static final String CLUSTER_PROVIDER = "io.lettuce.core.cluster.PooledClusterConnectionProvider";
    static final String COMMAND_HANDLER = "io.lettuce.core.protocol.CommandHandler";
    /** The exception of {@code on-regression=fail}, which extends Lettuce's {@code RedisException}. */
    static final String STALE_STATE_EXCEPTION = "io.stateguard.agent.api.StaleStateException";
    /** The command type the writers and {@code CommandHandler} take; not instrumented itself. */
    static final String REDIS_COMMAND = "io.lettuce.core.protocol.RedisCommand";

    /** The package of every Lettuce class the modules look at, as an internal name prefix. */
    public static final String PACKAGE_PREFIX = "io/lettuce/core/";

    /** A class every Lettuce 5+ has, to name the jar in log lines. */
    public static final String LETTUCE_PROBE_CLASS = "io.lettuce.core.AbstractRedisClient";

    /** The supported range in words, for the unsupported-version warning. */
    public static final String SUPPORTED_VERSIONS = "5.1 to 5.3, 6.x and 7.x";

    private final String name;

    private final String writer;

    private final String provider;

    private final ClassLoaderMatcher classLoaderMatcher;

    private final boolean versionChecks;

    /** Lettuce 6.x and 7.x. */
    public LettuceInstrumentationModule(boolean versionChecks) {
        this("lettuce-6+", MASTER_REPLICA_WRITER, MASTER_REPLICA_PROVIDER,
                ClassLoaderMatchers.hasClassesNamed(MASTER_REPLICA_WRITER, MASTER_REPLICA_PROVIDER), versionChecks);
    }

    private LettuceInstrumentationModule(String name, String writer, String provider,
            ClassLoaderMatcher classLoaderMatcher, boolean versionChecks) {
        this.name = name;
        this.writer = writer;
        this.provider = provider;
        this.classLoaderMatcher = classLoaderMatcher;
        this.versionChecks = versionChecks;
    }

    /**
     * Every Lettuce module, most recent range first.
     *
     * @param versionChecks whether replies are checked: only then is {@code CommandHandler}
     *     instrumented, so that routing alone costs nothing on completion.
     */
    public static List<InstrumentationModule> all(boolean versionChecks) {
        return Collections.unmodifiableList(Arrays.<InstrumentationModule>asList(
                lettuce6Plus(versionChecks), lettuce5(versionChecks)));
    }

    /**
     * Chooses among {@link #all} per class loader, in class loaders through which the advice reaches
     * the agent's classes; the choice (or why there is none) is logged once per class loader.
     */
    public static ModuleSelector selector(boolean versionChecks) {
        return new ModuleSelector("Lettuce", LETTUCE_PROBE_CLASS, SUPPORTED_VERSIONS, all(versionChecks),
                ClassLoaderMatchers.seesClass(AdviceErrors.class));
    }

    /** Lettuce 6.x and 7.x: Master/Replica in {@code io.lettuce.core.masterreplica}. */
    public static LettuceInstrumentationModule lettuce6Plus(boolean versionChecks) {
        return new LettuceInstrumentationModule(versionChecks);
    }

    /**
     * Lettuce 5.x: Master/Replica in {@code io.lettuce.core.masterslave}; never chosen where the 6+
     * classes exist too.
     */
    public static LettuceInstrumentationModule lettuce5(boolean versionChecks) {
        return new LettuceInstrumentationModule("lettuce-5", MASTER_SLAVE_WRITER, MASTER_SLAVE_PROVIDER,
                both(ClassLoaderMatchers.hasClassesNamed(MASTER_SLAVE_WRITER, MASTER_SLAVE_PROVIDER),
                        not(ClassLoaderMatchers.hasClassesNamed(MASTER_REPLICA_WRITER))),
                versionChecks);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ClassLoaderMatcher classLoaderMatcher() {
        return classLoaderMatcher;
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        List<TypeInstrumentation> types = new ArrayList<>(Arrays.<TypeInstrumentation>asList(
                new ChannelWriterInstrumentation(writer),
                new ConnectionProviderInstrumentation(provider, 1),
                new ChannelWriterInstrumentation(CLUSTER_WRITER),
                new ConnectionProviderInstrumentation(CLUSTER_PROVIDER, 2)));
        if (versionChecks) {
            types.add(new CommandHandlerInstrumentation());
        }
        return types;
    }

    /**
     * The classes that link against Lettuce and must be defined beside it: {@code StaleStateException}
     * (extends Lettuce's {@code RedisException}) and the Lettuce adapter, {@code io.stateguard.agent.lettuce},
     * which calls Lettuce with its types. Every class of that package is listed (a unit test checks it):
     * one loaded from the agent's class loader instead could not link against a Lettuce elsewhere.
     */
    public static final List<String> HELPER_CLASSES = Collections.unmodifiableList(Arrays.asList(
            STALE_STATE_EXCEPTION,
            "io.stateguard.agent.lettuce.CommandKeys",
            "io.stateguard.agent.lettuce.LettuceFields",
            "io.stateguard.agent.lettuce.LettuceFields$1",
            "io.stateguard.agent.lettuce.LettuceFields$2",
            "io.stateguard.agent.lettuce.LettuceFields$3",
            "io.stateguard.agent.lettuce.LettuceFields$OutputShape",
            "io.stateguard.agent.lettuce.LettuceDispatch",
            "io.stateguard.agent.lettuce.LettuceDispatch$1", // writeOwn's completion
            "io.stateguard.agent.lettuce.LettuceDispatch$Databases",
            "io.stateguard.agent.lettuce.LettuceDispatch$Intents",
            "io.stateguard.agent.lettuce.LettuceReplies",
            "io.stateguard.agent.lettuce.LettuceReplies$1",
            "io.stateguard.agent.lettuce.LettuceReplies$2",
            "io.stateguard.agent.lettuce.LettuceReplies$Scratch",
            "io.stateguard.agent.lettuce.LettuceCompletion",
            "io.stateguard.agent.lettuce.LettuceCompletion$1",
            "io.stateguard.agent.lettuce.LettuceCompletion$2",
            "io.stateguard.agent.lettuce.LettuceCompletion$3", // the switch on the verdict
            "io.stateguard.agent.lettuce.LettuceCompletion$Transactions",
            "io.stateguard.agent.lettuce.LettuceTopologies",
            "io.stateguard.agent.lettuce.LettuceTopologies$1", // access to the private nested classes
            "io.stateguard.agent.lettuce.LettuceTopologies$Nodes",
            "io.stateguard.agent.lettuce.LettuceTopologies$MasterReplica",
            "io.stateguard.agent.lettuce.LettuceTopologies$Cluster",
            "io.stateguard.agent.lettuce.LettuceTopologies$Named",
            "io.stateguard.agent.lettuce.LettuceTopologies$Closer",
            "io.stateguard.agent.lettuce.LettuceTopologies$Asked",
            "io.stateguard.agent.lettuce.LettuceTopologies$Asked$1",
            "io.stateguard.agent.lettuce.PrimaryReplicationIds",
            "io.stateguard.agent.lettuce.PrimaryReplicationIds$1",
            "io.stateguard.agent.lettuce.StaleStates"));

    @Override
    public List<String> helperClassNames() {
        return HELPER_CLASSES;
    }

    /**
     * {@code StaleStateException}, which applications name in their own code: defined beside Lettuce as
     * soon as the class loader holding Lettuce (or one below it) defines any class, and linkable from the
     * agent's class loader where that loader has no Lettuce.
     */
    public static EarlyHelpers earlyHelpers() {
        return new EarlyHelpers("io/lettuce/core/RedisException", "java/lang/RuntimeException",
                Collections.singletonList(STALE_STATE_EXCEPTION));
    }

    @Override
    public String toString() {
        return name;
    }
}
