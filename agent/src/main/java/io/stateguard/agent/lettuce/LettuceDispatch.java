package io.stateguard.agent.lettuce;

import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.DecoratedCommand;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.protocol.TransactionalCommand;
import io.stateguard.agent.guard.CommandClassifier;
import io.stateguard.agent.guard.CommandKind;
import io.stateguard.agent.guard.GuardRuntime;
import io.stateguard.agent.guard.TrackedCommand;
import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.routing.PrimaryRouting;
import io.stateguard.agent.telemetry.Telemetry;

import java.util.Collection;
import java.util.function.BiConsumer;

/**
 * Lettuce's dispatch of a command, on the application's thread: the channel writer's advice records
 * the command for the routing decision ({@link PrimaryRouting}) and registers it with the guard
 * ({@link GuardRuntime}) when it reads or writes a versioned key; the connection provider's advice
 * turns a {@code READ} intent into {@code WRITE} when routing says "primary". Every method fails
 * open: an internal error leaves the command as Lettuce would have sent it.
 */
public final class LettuceDispatch {

    /** Per {@link CommandType} ordinal: the guard's kind of that command, or {@code null}. */
    private static final CommandKind[] KINDS;

    static {
        PrimaryReplicationIds.register();
        LettuceTopologies.register();
        CommandType[] types = CommandType.values();
        KINDS = new CommandKind[types.length];
        for (CommandType type : types) {
            KINDS[type.ordinal()] = CommandKind.of(type.name());
        }
    }

    private LettuceDispatch() {
    }

    /** {@code write(RedisCommand)} of a Master/Replica or Cluster channel writer. */
    public static void onWrite(Object writer, RedisCommand<?, ?, ?> command) {
        if (isOwnReread(command)) {
            // The guard's re-read written again by Lettuce (a MOVED/ASK redirect, on an event-loop thread):
            // to the primary, and not tracked, so that a command is re-read at most once.
            PrimaryRouting.enterToPrimary(CommandKeys.READER, command);
            return;
        }
        PrimaryRouting.enter(CommandKeys.READER, writer, command);
        GuardRuntime guard = GuardRuntime.current();
        if (guard != null && command != null) {
            try {
                track(guard, writer, command);
            } catch (Throwable t) {
                InternalErrors.record("guard.dispatch", t);
            }
        }
    }

    /** {@code write(Collection)}: a batch is routed as a whole (its replies are not checked). */
    public static void onWriteBatch(Object writer, Collection<?> commands) {
        PrimaryRouting.enterBatch(CommandKeys.READER, writer, commands);
    }

    /** On exit from either {@code write} (also when it threw). */
    public static void onWriteExit() {
        PrimaryRouting.exit();
    }

    /** {@link #routeIntent(Object, int)} without a slot (Master/Replica). */
    public static Object routeIntent(Object intent) {
        return routeIntent(intent, -1);
    }

    /**
     * {@code getConnectionAsync(intent, ...)} of a connection provider.
     *
     * @param intent Lettuce's {@code ConnectionIntent} (or the older nested {@code Intent}) constant.
     * @param slot the hash slot (Cluster), or -1
     * @return the {@code WRITE} constant of the same enum when the command being dispatched goes to
     *     the primary, otherwise {@code intent} itself.
     */
    public static Object routeIntent(Object intent, int slot) {
        if (!(intent instanceof Enum)) {
            return intent;
        }
        Enum<?>[] readWrite = Intents.readWrite((Enum<?>) intent);
        if (readWrite == null) {
            return intent;
        }
        if (intent == readWrite[1]) {
            PrimaryRouting.onWriteIntent(); // a causal write is remembered until its reply
            return intent;
        }
        if (intent != readWrite[0] || !PrimaryRouting.routeToPrimary(slot)) {
            return intent;
        }
        // Telemetry finds its backend lazily; a routing-only agent (no version checks) has no other
        // occasion. One volatile read once found, a throttled look-up before.
        Telemetry.touch();
        return readWrite[1];
    }

    private static void track(GuardRuntime guard, Object writer, RedisCommand<?, ?, ?> command) throws Exception {
        ProtocolKeyword type = command.getType();
        CommandKind kind = kindOf(type);
        if (kind == null || GuardRuntime.isRereading()) {
            return;
        }
        if (kind == CommandKind.FLUSH) {
            guard.policy().onFlushed();
            return;
        }
        CommandClassifier classifier = guard.classifier();
        CommandArgs<?, ?> args = command.getArgs();
        if (command instanceof TransactionalCommand) {
            // Commands queued inside MULTI...EXEC are completed twice (QUEUED, then the EXEC result) and
            // run on the primary: not checked. A queued delete (or EXPIRE that deletes) leaves its deleted
            // mark when it is sent: a later nil is what the application expects. Should the transaction be
            // discarded, the primary still has the value, and the first read of it resets the mark.
            if (kind == CommandKind.DELETE || kind == CommandKind.EXPIRE) {
                TrackedCommand deleted = classifier.classify(kind, CommandKeys.nameOf(type), writer, Databases.of(writer),
                        CommandKeys.encodedArguments(args));
                if (deleted != null) {
                    guard.policy().onDeleted(deleted);
                }
            }
            return;
        }
        int rule = classifier.quickLook(kind, CommandKeys.READER, command);
        if (rule == CommandClassifier.NOT_TRACKED) {
            return;
        }
        TrackedCommand tracked;
        if (kind == CommandKind.GET && rule >= 0) {
            tracked = classifier.singleKeyRead(CommandKeys.nameOf(type), writer, Databases.of(writer), rule,
                    CommandKeys.firstKeyBytes(args));
        } else if (kind.isRead() && kind != CommandKind.GET && kind != CommandKind.HGET && isReactive(command)) {
            return; // reactive multi-value replies stream out before completion: only routed
        } else {
            tracked = classifier.classify(kind, CommandKeys.nameOf(type), writer, Databases.of(writer),
                    CommandKeys.encodedArguments(args));
        }
        if (tracked == null) {
            return;
        }
        if (kind.isRead()) {
            // On the application's thread: the reply is checked later, on an event-loop thread.
            tracked.context(Telemetry.captureContext(command));
        }
        guard.remember(command, tracked);
    }

    /**
     * Writes one of the guard's own commands (a re-read, {@code INFO replication}) through the application's
     * channel writer, to the primary: remembered as the guard's until it completes (so that a redirect of it
     * goes to the primary and is never tracked), and routed to the primary while it is written.
     *
     * @return {@code null} when written; what the writer threw when it refused (a closed connection), in which
     *     case the command is forgotten and will not complete through the writer
     */
    static Throwable writeOwn(Object writer, final AsyncCommand<?, ?, ?> command) {
        GuardRuntime.rereadStarted(command);
        command.whenComplete(new BiConsumer<Object, Throwable>() {
            @Override
            public void accept(Object value, Throwable error) {
                GuardRuntime.rereadDone(command);
            }
        });
        GuardRuntime.beginReread();
        try {
            ((RedisChannelWriter) writer).write(command);
            return null;
        } catch (Throwable t) {
            GuardRuntime.rereadDone(command);
            return t;
        } finally {
            GuardRuntime.endReread();
        }
    }

    /** Whether {@code command} is, or wraps, one of the guard's re-reads in flight. */
    static boolean isOwnReread(RedisCommand<?, ?, ?> command) {
        if (!GuardRuntime.rereadsInFlight()) {
            return false;
        }
        RedisCommand<?, ?, ?> found = command;
        for (int depth = 0; depth < 8 && found != null; depth++) {
            if (GuardRuntime.isReread(found)) {
                return true;
            }
            if (!(found instanceof DecoratedCommand)) {
                return false;
            }
            found = ((DecoratedCommand<?, ?, ?>) found).getDelegate();
        }
        return false;
    }

    static CommandKind kindOf(ProtocolKeyword type) {
        if (type instanceof CommandType) {
            return KINDS[((CommandType) type).ordinal()];
        }
        return type == null ? null : CommandKind.of(CommandKeys.nameOf(type));
    }

    /** Commands of the reactive API, whose multi-value replies stream to the subscriber while decoded. */
    static boolean isReactive(Object command) {
        return command.getClass().getName().startsWith("io.lettuce.core.RedisPublisher$");
    }

    /** The database index a channel writer's connection uses (Master/Replica: the URI's; Cluster: 0). */
    static final class Databases {

        /** One-entry cache: {writer, its database}. Racy by design: any published pair is a correct pair. */
        private static volatile Object[] last = {null, 0};

        private Databases() {
        }

        static int of(Object writer) {
            if (writer == null) {
                return 0;
            }
            Object[] cached = last;
            if (cached[0] == writer) {
                return (Integer) cached[1];
            }
            int database = LettuceFields.database(writer);
            last = new Object[] {writer, database};
            return database;
        }
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
}
