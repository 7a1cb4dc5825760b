package io.stateguard.agent.instrumentation.redisson;

import io.stateguard.agent.instrumentation.AdviceErrors;
import io.stateguard.agent.instrumentation.ClassLoaderMatcher;
import io.stateguard.agent.instrumentation.ClassLoaderMatchers;
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
 * Redisson 3.16.8 and later (4.x included): per-key routing ({@code CommandAsyncService}, {@code CommandBatchService})
 * and, when a rule checks versions or is {@code causal}, the reply path ({@code RedisExecutor}; {@code CommandDecoder}
 * for the version guard).
 * From 3.16.8 on, {@code CommandAsyncService.async} returns its future instead of completing an {@code RPromise} it
 * is given, and its descriptor has stayed the same since; the release removed {@code org.redisson.misc.PromiseDelegator},
 * which every earlier 3.x has. The range is chosen by that class's absence, never by version strings, and only
 * if every instrumented method is found (see {@link io.stateguard.agent.instrumentation.Shapes}).
 */
public final class RedissonInstrumentationModule implements InstrumentationModule {

    static final String COMMAND_ASYNC_SERVICE = "org.redisson.command.CommandAsyncService";
    static final String COMMAND_BATCH_SERVICE = "org.redisson.command.CommandBatchService";
    /** In every Redisson 3.x before 3.16.8, whose {@code async} completes a promise it is handed. */
    static final String PROMISE_DELEGATOR = "org.redisson.misc.PromiseDelegator";

    /** The package of every Redisson class the module looks at, as an internal name prefix. */
    public static final String PACKAGE_PREFIX = "org/redisson/";

    /** A class every Redisson 3+ has, to name the jar in log lines. */
    public static final String REDISSON_PROBE_CLASS = "org.redisson.Redisson";

    /** The supported range in words, for the unsupported-version warning. */
    public static final String SUPPORTED_VERSIONS = "3.16.8 and later";

    /**
     * The classes that link against Redisson and must be defined beside it: the Redisson adapter,
     * {@code io.stateguard.agent.redisson}. Every class of that package is listed (a unit test checks it).
     */
    public static final List<String> HELPER_CLASSES = Collections.unmodifiableList(Arrays.asList(
            "io.stateguard.agent.redisson.RedissonArguments",
            "io.stateguard.agent.redisson.RedissonArguments$1",
            "io.stateguard.agent.redisson.RedissonCompletion",
            "io.stateguard.agent.redisson.RedissonCompletion$1",
            "io.stateguard.agent.redisson.RedissonCompletion$2",
            "io.stateguard.agent.redisson.RedissonCompletion$3",
            "io.stateguard.agent.redisson.RedissonCompletion$4",
            "io.stateguard.agent.redisson.RedissonCompletion$5",
            "io.stateguard.agent.redisson.RedissonCompletion$CodecNotice",
            "io.stateguard.agent.redisson.RedissonCompletion$CodecNotice$1",
            "io.stateguard.agent.redisson.RedissonCompletion$Executors",
            "io.stateguard.agent.redisson.RedissonDispatch",
            "io.stateguard.agent.redisson.RedissonFollowing",
            "io.stateguard.agent.redisson.RedissonFollowing$1",
            "io.stateguard.agent.redisson.RedissonFollowing$Followed",
            "io.stateguard.agent.redisson.RedissonKeys",
            "io.stateguard.agent.redisson.RedissonKeys$Read",
            "io.stateguard.agent.redisson.RedissonReply",
            "io.stateguard.agent.redisson.RedissonReply$1",
            "io.stateguard.agent.redisson.RedissonReply$Shape",
            "io.stateguard.agent.redisson.RedissonReplicationIds",
            "io.stateguard.agent.redisson.RedissonReplicationIds$1",
            "io.stateguard.agent.redisson.RedissonRouting",
            "io.stateguard.agent.redisson.RedissonRouting$1",
            "io.stateguard.agent.redisson.RedissonTopologies",
            "io.stateguard.agent.redisson.RedissonTopologies$1",
            "io.stateguard.agent.redisson.RedissonTopologies$2",
            "io.stateguard.agent.redisson.RedissonTopologies$ManagerProperty",
            "io.stateguard.agent.redisson.RedissonTopologies$SlotList",
            "io.stateguard.agent.redisson.RedissonTopologies$Topology"));

    private final boolean seesReplies;

    private final boolean versionChecks;

    /**
     * @param seesReplies whether command completions are seen ({@code RedisExecutor.handleSuccess}): to check
     *     versions and to time causal writes' acknowledgements; routing alone costs nothing on replies.
     * @param versionChecks whether replies are read ({@code CommandDecoder}): only for version checks.
     */
    public RedissonInstrumentationModule(boolean seesReplies, boolean versionChecks) {
        this.seesReplies = seesReplies || versionChecks;
        this.versionChecks = versionChecks;
    }

    private final ClassLoaderMatcher classLoaderMatcher = both(
            ClassLoaderMatchers.hasClassesNamed(COMMAND_ASYNC_SERVICE, COMMAND_BATCH_SERVICE),
            not(ClassLoaderMatchers.hasClassesNamed(PROMISE_DELEGATOR)));

    /** Every Redisson module, most recent range first. */
    public static List<InstrumentationModule> all(boolean seesReplies, boolean versionChecks) {
        return Collections.<InstrumentationModule>singletonList(
                new RedissonInstrumentationModule(seesReplies, versionChecks));
    }

    /**
     * Chooses among {@link #all} per class loader, in class loaders through which the advice reaches the
     * agent's classes; the choice (or why there is none) is logged once per class loader.
     */
    public static ModuleSelector selector(boolean seesReplies, boolean versionChecks) {
        return new ModuleSelector("Redisson", REDISSON_PROBE_CLASS, SUPPORTED_VERSIONS, all(seesReplies, versionChecks),
                ClassLoaderMatchers.seesClass(AdviceErrors.class));
    }

    @Override
    public String name() {
        return "redisson-3.16.8+";
    }

    @Override
    public ClassLoaderMatcher classLoaderMatcher() {
        return classLoaderMatcher;
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        List<TypeInstrumentation> types = new ArrayList<>(Arrays.<TypeInstrumentation>asList(
                new CommandServiceInstrumentation(COMMAND_ASYNC_SERVICE, true),
                new CommandServiceInstrumentation(COMMAND_BATCH_SERVICE, false)));
        if (versionChecks) {
            types.add(new CommandDecoderInstrumentation());
        }
        if (seesReplies) {
            types.add(new RedisExecutorInstrumentation());
        }
        return types;
    }

    @Override
    public List<String> helperClassNames() {
        return HELPER_CLASSES;
    }

    @Override
    public String toString() {
        return name();
    }
}
