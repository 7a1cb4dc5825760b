package io.stateguard.agent.redisson;

import io.netty.buffer.ByteBuf;
import io.stateguard.agent.guard.CommandClassifier;
import io.stateguard.agent.guard.CommandKind;
import io.stateguard.agent.guard.GuardRuntime;
import io.stateguard.agent.guard.TrackedCommand;
import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.internal.WeakIdentityMap;
import io.stateguard.agent.telemetry.Telemetry;
import io.stateguard.agent.versions.VersionSpec;

import org.redisson.client.protocol.CommandData;
import org.redisson.client.protocol.RedisCommand;
import org.redisson.command.CommandAsyncService;
import org.redisson.command.CommandBatchService;
import org.redisson.connection.ConnectionManager;
import org.redisson.connection.MasterSlaveEntry;

import java.util.Arrays;
import java.util.List;

/**
 * The Redisson commands the version guard follows, from dispatch to reply. A command is known by its parameter
 * array: the one object that Redisson's {@code CommandAsyncService.async} is handed, that its
 * {@code RedisExecutor} keeps for every attempt, and that each attempt's {@code CommandData} carries to the
 * decoder. Held weakly by identity (a "virtual field"), so a command that never completes does not leak.
 *
 * <ul>
 * <li>{@link #onAsync}: on dispatch (the application's thread, or the subscriber's for Reactive and RxJava), the
 * guard's {@link CommandClassifier} decides whether the command reads or writes a versioned key;</li>
 * <li>{@link #onDecode}: on the connection's event loop, each element of the reply of a followed command is read
 * raw, before the command's codec decodes it ({@link RedissonReply});</li>
 * <li>{@link RedissonCompletion}: before the application's future completes, the guard judges the reply.</li>
 * </ul>
 *
 * Batches ({@code CommandBatchService}: {@code RBatch}, transactions, a cluster's {@code RBuckets}) and scripts are
 * routed but not followed: their replies are not checked, and their writes raise no marks.
 */
public final class RedissonFollowing {

    static final WeakIdentityMap<Followed> FOLLOWED = new WeakIdentityMap<>();

    /** Per connection manager (one per Redisson client): the database its connections select. */
    private static final WeakIdentityMap<Integer> DATABASES = new WeakIdentityMap<>();

    static {
        RedissonReplicationIds.register();
    }

    private RedissonFollowing() {
    }

    /** One followed command: what the guard tracks, how its reply is read, and how to re-read it on the master. */
    static final class Followed {

        /** {@code null} for the guard's own re-read. */
        final TrackedCommand tracked;

        /** The raw reply, or {@code null} when the command's reply is not read (writes, deletes). */
        final RedissonReply reply;

        /** Per tracked key, its position in {@link #reply}. */
        final int[] positions;

        final CommandAsyncService executor;
        final Object source;
        final Object codec;
        final RedisCommand<?> command;
        final Object[] rereadParams;

        Followed(TrackedCommand tracked, RedissonReply reply, int[] positions, CommandAsyncService executor,
                Object source, Object codec, RedisCommand<?> command, Object[] rereadParams) {
            this.tracked = tracked;
            this.reply = reply;
            this.positions = positions;
            this.executor = executor;
            this.source = source;
            this.codec = codec;
            this.command = command;
            this.rereadParams = rereadParams;
        }

        /** The same command once more, as the guard's re-read: its reply is read the same way, into a fresh record. */
        Followed reread(RedissonReply fresh) {
            return new Followed(null, fresh, positions, executor, source, codec, command, rereadParams);
        }
    }

    /**
     * {@code async(readOnlyMode, source, codec, command, params, ...)} of a command executor, after the routing
     * decision: follows the command when it reads or writes a key of a versioned rule.
     */
    static void onAsync(Object executor, Object source, Object codec, Object command, Object[] params) {
        GuardRuntime guard = GuardRuntime.current();
        if (guard == null || params == null || params.length == 0 || !(command instanceof RedisCommand)
                || !(executor instanceof CommandAsyncService) || executor instanceof CommandBatchService
                || GuardRuntime.isRereading()) {
            return;
        }
        try {
            follow(guard, (CommandAsyncService) executor, source, codec, (RedisCommand<?>) command, params);
        } catch (Throwable t) {
            InternalErrors.record("guard.dispatch", t);
        }
    }

    private static void follow(GuardRuntime guard, CommandAsyncService executor, Object source, Object codec,
            RedisCommand<?> command, Object[] params) throws Exception {
        String name = command.getName();
        CommandKind kind = name == null ? null : CommandKind.of(name);
        if (kind == null) {
            return;
        }
        if (kind == CommandKind.FLUSH) {
            guard.policy().onFlushed();
            return;
        }
        CommandClassifier classifier = guard.classifier();
        int rule = classifier.quickLook(kind, RedissonKeys.READER, RedissonKeys.Read.command(name, params));
        if (rule == CommandClassifier.NOT_TRACKED) {
            return;
        }
        ConnectionManager topology = executor.getConnectionManager();
        RedissonTopologies.executorOf(topology, executor);
        // The common case, a GET of one key whose rule the quick look found, without argument lists.
        TrackedCommand tracked = kind == CommandKind.GET && rule >= 0
                ? classifier.singleKeyRead(name, topology, database(topology), rule, RedissonArguments.bytes(params[0]))
                : classifier.classify(kind, name, topology, database(topology), RedissonArguments.of(kind, params));
        if (tracked == null) {
            return;
        }
        RedissonReply reply = null;
        int[] positions = null;
        if (kind.isRead() || tracked.returnsPrevious()) {
            positions = new int[tracked.keyCount()];
            reply = replyOf(guard, kind, tracked, params, positions);
            tracked.context(Telemetry.captureContext(command));
        }
        Object[] rereadParams = kind.isRead() ? RedissonArguments.forReread(params) : null;
        FOLLOWED.put(params, new Followed(tracked, reply, positions, executor, source, codec, command, rereadParams));
        guard.follow(tracked);
    }

    /** How the reply of a tracked command is read, and where each tracked key's value is in it. */
    private static RedissonReply replyOf(GuardRuntime guard, CommandKind kind, TrackedCommand tracked,
            Object[] params, int[] positions) {
        VersionSpec spec = guard.versionGuard().rules().get(tracked.rule(0)).version();
        Runnable tooLarge = guard.tooLargeCounter();
        switch (RedissonReply.shapeOf(kind)) {
            case ARRAY: {
                // MGET: position i is params[i]; HMGET: position i is the field params[i + 1].
                int offset = kind == CommandKind.MGET ? 0 : 1;
                boolean[] wanted = new boolean[params.length - offset];
                for (int key = 0; key < tracked.keyCount(); key++) {
                    positions[key] = -1;
                    for (int i = offset; i < params.length; i++) {
                        byte[] bytes = RedissonArguments.bytes(params[i]);
                        boolean found = kind == CommandKind.MGET ? Arrays.equals(bytes, tracked.key(key))
                                : bytes != null && spec.isHashField(bytes, 0, bytes.length);
                        if (found) {
                            wanted[i - offset] = true;
                            positions[key] = i - offset;
                            break;
                        }
                    }
                }
                return RedissonReply.array(wanted, maxValueBytes(guard, tracked), tooLarge);
            }
            case FIELDS:
                return RedissonReply.fields(spec.hashFieldBytes(), spec.maxValueBytes(), tooLarge);
            default:
                return RedissonReply.single(spec.maxValueBytes(), tooLarge);
        }
    }

    /** The largest size cap among the rules of a multi-key read's keys. */
    private static int maxValueBytes(GuardRuntime guard, TrackedCommand tracked) {
        int cap = 0;
        for (int key = 0; key < tracked.keyCount(); key++) {
            cap = Math.max(cap, guard.versionGuard().rules().get(tracked.rule(key)).version().maxValueBytes());
        }
        return cap;
    }

    /**
     * {@code CommandDecoder.decode(ByteBuf in, CommandData data, List parts, ...)} on the connection's event loop:
     * one element of a reply starts at {@code in}'s reader index; read it when its command is followed.
     */
    public static void onDecode(Object in, Object data, List<?> parts) {
        if (FOLLOWED.isEmpty() || !(data instanceof CommandData) || !(in instanceof ByteBuf)) {
            return;
        }
        try {
            Followed followed = FOLLOWED.get(((CommandData<?, ?>) data).getParams());
            if (followed != null && followed.reply != null) {
                followed.reply.element((ByteBuf) in, parts == null, parts == null ? 0 : parts.size());
            }
        } catch (Throwable t) {
            InternalErrors.record("guard.decode", t);
        }
    }

    /**
     * The database the connections of {@code topology} select: the master's configuration of its first shard (a
     * cluster's is 0), looked up once per Redisson client.
     */
    static int database(ConnectionManager topology) {
        Object[] cached = lastDatabase;
        if (cached[0] == topology) {
            return (Integer) cached[1];
        }
        int database = lookUpDatabase(topology);
        lastDatabase = new Object[] {topology, database};
        return database;
    }

    /**
     * One-entry cache of {@link #database}: {connection manager, its database}. Racy by design: any published pair is
     * a correct pair. Holds one connection manager strongly until another client's command replaces it.
     */
    private static volatile Object[] lastDatabase = {null, 0};

    private static int lookUpDatabase(ConnectionManager topology) {
        Integer known = DATABASES.get(topology);
        if (known != null) {
            return known;
        }
        for (MasterSlaveEntry entry : topology.getEntrySet()) {
            if (entry.getClient() != null && entry.getClient().getConfig() != null) {
                int database = entry.getClient().getConfig().getDatabase();
                DATABASES.put(topology, database);
                return database;
            }
        }
        return 0;
    }
}
