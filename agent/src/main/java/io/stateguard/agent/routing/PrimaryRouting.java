package io.stateguard.agent.routing;

import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.lettuce.CommandKeys;

import java.lang.reflect.Method;
import java.util.Collection;

/**
 * Per-key primary routing for Lettuce, called from advice.
 *
 * <p>Lettuce decides where a command goes in two steps, both on the calling thread: the channel
 * writer ({@code MasterReplicaChannelWriter.write}, {@code ClusterDistributionChannelWriter.write})
 * computes a connection intent ({@code READ} or {@code WRITE}) from the command type, then asks
 * its connection provider for a connection with that intent; only {@code READ} consults the
 * application's {@code ReadFrom}. The provider never sees the command, so the writer advice
 * records the command being dispatched ({@link #enter}) and the provider advice asks
 * {@link #routeIntent} whether a {@code READ} should become a {@code WRITE}, which means "the
 * primary" (Master/Replica) or "the slot's master" (Cluster). Writes never pay for key matching.
 *
 * <p>Every method fails open: on any internal error the intent stays what Lettuce computed, the
 * error is counted and logged once.
 */
public final class PrimaryRouting {

    private static volatile RoutingPolicy policy;

    private static volatile RoutingStats stats = new RoutingStats(0);

    /** The command (or batch) the current thread is dispatching through an instrumented writer. */
    private static final ThreadLocal<Dispatch> CURRENT = new ThreadLocal<Dispatch>() {
        @Override
        protected Dispatch initialValue() {
            return new Dispatch();
        }
    };

    private PrimaryRouting() {
    }

    /** Activates routing with the given policy; before this call every entry point is a no-op. */
    public static void install(RoutingPolicy routingPolicy) {
        stats = new RoutingStats(routingPolicy.rules().size());
        policy = routingPolicy;
    }

    /** Deactivates routing (the agent's state before {@link #install}). */
    public static void uninstall() {
        policy = null;
    }

    public static RoutingStats stats() {
        return stats;
    }

    /**
     * Writer advice, on entry to {@code write(RedisCommand)}: remembers the command's type and
     * arguments for the provider call that follows on this thread.
     */
    public static void enter(Object commandType, Object commandArgs) {
        if (policy == null) {
            return;
        }
        Dispatch dispatch = CURRENT.get();
        dispatch.type = commandType;
        dispatch.args = commandArgs;
        dispatch.batch = null;
        dispatch.active = true;
    }

    /** Writer advice, on entry to {@code write(Collection)}: remembers the batch. */
    public static void enterBatch(Collection<?> commands) {
        if (policy == null) {
            return;
        }
        Dispatch dispatch = CURRENT.get();
        dispatch.type = null;
        dispatch.args = null;
        dispatch.batch = commands;
        dispatch.active = true;
    }

    /** Writer advice, on exit from either {@code write} (also when it threw). */
    public static void exit() {
        if (policy == null) {
            return;
        }
        Dispatch dispatch = CURRENT.get();
        dispatch.active = false;
        dispatch.type = null;
        dispatch.args = null;
        dispatch.batch = null;
    }

    /**
     * Provider advice: the intent to use for the command being dispatched on this thread.
     *
     * @param intent Lettuce's {@code ConnectionIntent} (or the older nested {@code Intent}) constant.
     * @return the {@code WRITE} constant of the same enum when the command reads a key of a rule
     *     that routes to the primary, otherwise {@code intent} itself.
     */
    public static Object routeIntent(Object intent) {
        RoutingPolicy current = policy;
        if (current == null || !(intent instanceof Enum)) {
            return intent;
        }
        try {
            Enum<?>[] readWrite = Intents.readWrite((Enum<?>) intent);
            if (readWrite == null || intent != readWrite[0]) {
                return intent;
            }
            Dispatch dispatch = CURRENT.get();
            if (dispatch.forcePrimary) {
                return readWrite[1];
            }
            if (!dispatch.active || !current.routesAnything()) {
                return intent;
            }
            int rule = dispatch.batch == null
                    ? CommandKeys.firstAcceptedRule(dispatch.type, dispatch.args, current.matcher(),
                            current.forcePrimaryByRule())
                    : firstAcceptedRule(dispatch.batch, current);
            if (rule < 0) {
                return intent;
            }
            stats.increment(rule);
            return readWrite[1];
        } catch (Throwable t) {
            InternalErrors.record("routing.decide", t);
            return intent;
        }
    }

    /** A batch goes to the primary if any of its commands reads a key of a primary rule. */
    private static int firstAcceptedRule(Collection<?> batch, RoutingPolicy current) throws ReflectiveOperationException {
        for (Object command : batch) {
            if (command == null) {
                continue;
            }
            Method[] accessors = CommandAccessors.of(command.getClass());
            int rule = CommandKeys.firstAcceptedRule(accessors[0].invoke(command), accessors[1].invoke(command),
                    current.matcher(), current.forcePrimaryByRule());
            if (rule >= 0) {
                return rule;
            }
        }
        return -1;
    }

    /**
     * Forces every read dispatched on this thread to the primary until called with {@code false};
     * used by the version guard's re-read.
     */
    public static void forcePrimary(boolean force) {
        CURRENT.get().forcePrimary = force;
    }

    private static final class Dispatch {
        boolean forcePrimary;
        boolean active;
        Object type;
        Object args;
        Collection<?> batch;
    }

    /** The {@code READ} and {@code WRITE} constants of each intent enum, looked up once per enum class. */
    static final class Intents extends ClassValue<Enum<?>[]> {

        private static final Intents INSTANCE = new Intents();

        /** One-entry cache: {intent enum class, its READ/WRITE pair}; Lettuce has one intent enum. */
        private static volatile Object[] last = {null, null};

        static Enum<?>[] readWrite(Enum<?> intent) {
            Class<?> type = intent.getDeclaringClass();
            Object[] cached = last;
            if (cached[0] == type) {
                return (Enum<?>[]) cached[1];
            }
            Enum<?>[] readWrite = INSTANCE.get(type);
            last = new Object[] {type, readWrite};
            return readWrite;
        }

        @Override
        protected Enum<?>[] computeValue(Class<?> type) {
            Enum<?> read = null;
            Enum<?> write = null;
            for (Object constant : type.getEnumConstants()) {
                Enum<?> value = (Enum<?>) constant;
                if (value.name().equals("READ")) {
                    read = value;
                } else if (value.name().equals("WRITE")) {
                    write = value;
                }
            }
            return read != null && write != null ? new Enum<?>[] {read, write} : null;
        }
    }

    /** {@code RedisCommand.getType()} and {@code getArgs()}, taken from the public interface. */
    static final class CommandAccessors extends ClassValue<Method[]> {

        private static final CommandAccessors INSTANCE = new CommandAccessors();

        static Method[] of(Class<?> commandClass) {
            return INSTANCE.get(commandClass);
        }

        @Override
        protected Method[] computeValue(Class<?> type) {
            try {
                Class<?> redisCommand = Class.forName("io.lettuce.core.protocol.RedisCommand", false,
                        type.getClassLoader());
                return new Method[] {redisCommand.getMethod("getType"), redisCommand.getMethod("getArgs")};
            } catch (ClassNotFoundException | NoSuchMethodException e) {
                throw new IllegalStateException("not a Lettuce RedisCommand: " + type.getName(), e);
            }
        }
    }
}
