package io.stateguard.agent.lettuce;

import io.stateguard.agent.config.OnRegression;
import io.stateguard.agent.config.RoutingMode;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.guard.GuardAction;
import io.stateguard.agent.guard.InconsistencyType;
import io.stateguard.agent.guard.Inconsistencies;
import io.stateguard.agent.guard.Regression;
import io.stateguard.agent.guard.VersionGuard;
import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.keys.KeyMatcher;
import io.stateguard.agent.routing.PrimaryRouting;
import io.stateguard.agent.telemetry.Telemetry;
import io.stateguard.agent.versions.VersionSpec;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * Connects the {@link VersionGuard} to Lettuce: remembers checked reads and tracked writes when they
 * are written ({@link #onWrite}), and inspects their replies when Lettuce's {@code CommandHandler}
 * is about to complete them ({@link #onComplete}), on the event-loop thread, before the application
 * can see the value. A regression is handled by the rule's policy; a re-read is dispatched
 * asynchronously through the same channel writer with the primary forced, and the application's
 * command is completed when it answers. Nothing here blocks, and a command is re-read at most once.
 *
 * <p>Checked reads: {@code GET}, {@code GETEX}, {@code MGET} (string values with {@code json:} or
 * {@code regex:} versions); {@code HGET} of the version field, {@code HMGET} including it and
 * {@code HGETALL} ({@code hash:<field>} versions). Tracked writes: {@code SET}, {@code SETEX},
 * {@code PSETEX}, {@code GETSET}, {@code MSET}, {@code HSET}/{@code HMSET} including the version
 * field; {@code DEL}, {@code UNLINK} and {@code GETDEL} forget the key.
 */
public final class LettuceGuard {

    private static volatile Installed installed;

    /** Pending commands, weakly by identity, so commands that never complete do not leak. */
    private static final WeakIdentityMap<Pending> PENDING = new WeakIdentityMap<>();

    /** Set while the guard dispatches its own re-read, which must be neither guarded again nor left on a replica. */
    private static final ThreadLocal<boolean[]> INTERNAL = new ThreadLocal<boolean[]>() {
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };

    private LettuceGuard() {
    }

    public static void install(VersionGuard guard, KeyMatcher matcher) {
        installed = new Installed(guard, matcher);
        reportPendingAtExit();
    }

    private static final AtomicBoolean EXIT_REPORT = new AtomicBoolean();

    /**
     * With {@code log.level=debug}: at JVM exit, one line saying how many commands still await their
     * reply check, whose key object is still reachable. Commands are removed when their reply is
     * checked (also when they were cancelled or timed out before it came); those that never get one
     * (their connection closed first, or cancelled before Lettuce wrote them) are only dropped when the
     * application lets go of them. A number that grows with the commands an application made, or that
     * is not 0 once it holds none, is a leak.
     */
    private static void reportPendingAtExit() {
        if (!AgentLog.isEnabled(AgentLog.Level.DEBUG) || !EXIT_REPORT.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
                @Override
                public void run() {
                    try {
                        AgentLog.debug("guard: " + PENDING.liveSize() + " commands pending a reply check at exit");
                    } catch (Throwable t) {
                        // nothing to fail open to at exit
                    }
                }
            }, "stateguard-pending-at-exit"));
        } catch (Throwable t) {
            InternalErrors.record("guard.exit-report", t);
        }
    }

    public static void uninstall() {
        installed = null;
    }

    public static VersionGuard guard() {
        Installed current = installed;
        return current == null ? null : current.guard;
    }

    /** Number of commands awaiting their reply check; for tests. */
    static int pending() {
        return PENDING.size();
    }

    /** Writer advice: called for every command written through an instrumented channel writer. */
    public static void onWrite(Object writer, Object command, Object type, Object args) {
        Installed current = installed;
        if (current == null || !(type instanceof Enum)) {
            return;
        }
        try {
            Kind kind = Kinds.of((Enum<?>) type);
            if (kind == null || INTERNAL.get()[0]) {
                return;
            }
            if (isTransactional(command)) {
                if (kind == Kind.DELETE) {
                    // Not checked inside MULTI...EXEC, but a queued delete removes the mark when it is sent:
                    // a later nil must not be taken for a lost write (a discarded transaction only loses a check).
                    Pending deleted = current.classify(kind, ((Enum<?>) type).name(), writer, command, args, UNDECIDED);
                    if (deleted != null) {
                        current.forget(deleted);
                    }
                }
                return;
            }
            int rule = current.mayTrack(kind, type, args);
            if (rule == NOT_TRACKED) {
                return;
            }
            Pending pending = current.classify(kind, ((Enum<?>) type).name(), writer, command, args, rule);
            if (pending != null) {
                PENDING.put(command, pending);
                if (pending.kind.isRead()) {
                    current.countChecked(pending);
                }
            }
        } catch (Throwable t) {
            InternalErrors.record("guard.dispatch", t);
        }
    }

    /**
     * {@code CommandHandler.complete} advice, on the event-loop thread.
     *
     * @return {@code true} when the guard took over the completion (the command is completed later,
     *     with the primary's value or an exception), {@code false} to let Lettuce complete it now.
     */
    public static boolean onComplete(Object handler, Object command) {
        Installed current = installed;
        if (current == null || PENDING.isEmpty() || command == null) {
            return false;
        }
        try {
            LettuceApi api = LettuceApi.of(command);
            Object found = command;
            Pending pending = null;
            for (int depth = 0; depth < 8 && found != null; depth++) {
                pending = PENDING.remove(found);
                if (pending != null || !api.decoratedCommand.isInstance(found)) {
                    break;
                }
                found = api.getDelegate.invoke(found);
            }
            if (pending == null) {
                return false;
            }
            Object output = api.getOutput.invoke(command);
            if (output == null || (Boolean) api.outputHasError.invoke(output)) {
                return false; // errors (WRONGTYPE, MOVED, ...) go to the application as they are
            }
            return current.complete(api, handler, command, output, pending);
        } catch (Throwable t) {
            InternalErrors.record("guard.complete", t);
            return false;
        }
    }

    /**
     * Commands queued inside {@code MULTI}...{@code EXEC} are completed twice by Lettuce (first with
     * {@code QUEUED}, then with the {@code EXEC} result) and always run on the primary: they are not
     * checked.
     */
    static boolean isTransactional(Object command) {
        if (command == null) {
            return false;
        }
        Class<?> type = command.getClass();
        if (type == lastPlainCommandClass) {
            return false;
        }
        boolean transactional = type.getName().equals("io.lettuce.core.protocol.TransactionalCommand");
        if (!transactional) {
            lastPlainCommandClass = type;
        }
        return transactional;
    }

    /** One-entry cache for {@link #isTransactional}: the class of the last plain command seen (racy, benign). */
    private static Class<?> lastPlainCommandClass;

    /** {@link Installed#mayTrack} result: the command has no key of a versioned rule. */
    static final int NOT_TRACKED = -1;

    /** {@link Installed#mayTrack} result: tracked or not is decided by {@link Installed#classify}. */
    static final int UNDECIDED = -2;

    /** The {@link Kind} of each constant of Lettuce's command type enum, looked up by ordinal. */
    static final class Kinds extends ClassValue<Kind[]> {

        private static final Kinds INSTANCE = new Kinds();

        /** One-entry cache in front of the {@code ClassValue}: an application has one command enum. */
        private static volatile Object[] last = {null, null};

        static Kind of(Enum<?> type) {
            Object[] cached = last;
            Kind[] table;
            if (cached[0] == type.getDeclaringClass()) {
                table = (Kind[]) cached[1];
            } else {
                table = INSTANCE.get(type.getDeclaringClass());
                last = new Object[] {type.getDeclaringClass(), table};
            }
            int ordinal = type.ordinal();
            return ordinal < table.length ? table[ordinal] : null;
        }

        @Override
        protected Kind[] computeValue(Class<?> type) {
            Object[] constants = type.getEnumConstants();
            Kind[] table = new Kind[constants == null ? 0 : constants.length];
            for (int i = 0; i < table.length; i++) {
                table[i] = Kind.of(((Enum<?>) constants[i]).name());
            }
            return table;
        }
    }

    /** Which commands the guard looks at. */
    enum Kind {
        GET, MGET, HGET, HMGET, HGETALL, SET, MSET, HSET, DELETE;

        static Kind of(String name) {
            switch (name) {
                case "GET":
                case "GETEX":
                    return GET;
                case "MGET":
                    return MGET;
                case "HGET":
                    return HGET;
                case "HMGET":
                    return HMGET;
                case "HGETALL":
                    return HGETALL;
                case "SET":
                case "SETEX":
                case "PSETEX":
                case "GETSET":
                    return SET;
                case "MSET":
                    return MSET;
                case "HSET":
                case "HMSET":
                    return HSET;
                case "DEL":
                case "UNLINK":
                case "GETDEL":
                    return DELETE;
                default:
                    return null;
            }
        }

        boolean isRead() {
            return this == GET || this == MGET || this == HGET || this == HMGET || this == HGETALL;
        }
    }

    /** What a command needs checked: for each tracked key its rule and, for writes, the written value. */
    static final class Pending {
        final Kind kind;
        final String operation;
        final Object writer;
        final int db;
        final int[] rules;
        final byte[][] keys;
        final byte[][] written;
        /** The application's OpenTelemetry context at dispatch (reads only), parent of a span reported later. */
        Object context;

        Pending(Kind kind, String operation, Object writer, int db, int[] rules, byte[][] keys, byte[][] written) {
            this.kind = kind;
            this.operation = operation;
            this.writer = writer;
            this.db = db;
            this.rules = rules;
            this.keys = keys;
            this.written = written;
        }
    }

    private static final class Installed {

        final VersionGuard guard;
        final KeyMatcher matcher;
        final boolean[] versioned;

        Installed(VersionGuard guard, KeyMatcher matcher) {
            this.guard = guard;
            this.matcher = matcher;
            this.versioned = new boolean[guard.rules().size()];
            for (int i = 0; i < versioned.length; i++) {
                versioned[i] = guard.checks(i);
            }
        }

        /**
         * A cheap first look, without allocating: can the command's keys belong to a versioned rule?
         * Commands whose first key decides (and {@code MGET}) are answered exactly; the rarer
         * multi-key writes and deletes always get the full look.
         */
        int mayTrack(Kind kind, Object type, Object args) throws ReflectiveOperationException {
            if (kind == Kind.MSET || kind == Kind.DELETE || kind == Kind.MGET) {
                return kind == Kind.MGET && CommandKeys.firstAcceptedRule(type, args, matcher, versioned) < 0
                        ? NOT_TRACKED : UNDECIDED;
            }
            int rule = CommandKeys.firstAcceptedRule(type, args, matcher, versioned);
            return rule >= 0 ? rule : NOT_TRACKED;
        }

        /** Counts the reads of {@code replica-checked} rules, which stay on the application's routing. */
        void countChecked(Pending pending) {
            for (int rule : pending.rules) {
                if (guard.rules().get(rule).routing() == RoutingMode.REPLICA_CHECKED) {
                    PrimaryRouting.stats().incrementChecked(rule);
                }
            }
        }

        int versionedRule(byte[] key) {
            int rule = key == null ? -1 : matcher.match(key);
            return guard.checks(rule) ? rule : -1;
        }

        Pending classify(Kind kind, String operation, Object writer, Object command, Object args, int knownRule)
                throws ReflectiveOperationException {
            if (kind == Kind.GET && knownRule >= 0) {
                // The common case, without argument lists: the first key decided, and GET has one key.
                if (isHash(knownRule)) {
                    return null;
                }
                byte[] key = CommandKeys.firstKeyBytes(args);
                if (key == null) {
                    return null;
                }
                Pending pending = new Pending(kind, operation, writer, Databases.of(writer), new int[] {knownRule},
                        new byte[][] {key}, null);
                // On the application's thread: detection happens later, on a Netty thread.
                pending.context = Telemetry.captureContext(command);
                return pending;
            }
            List<CommandKeys.EncodedArgument> arguments = CommandKeys.encodedArguments(args);
            if (arguments.isEmpty() || !arguments.get(0).isKey()) {
                return null;
            }
            if (kind.isRead() && kind != Kind.GET && kind != Kind.HGET && isReactive(command)) {
                return null; // reactive multi-value replies stream out before completion: only routed
            }
            List<Integer> rules = new ArrayList<>();
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> written = new ArrayList<>();
            switch (kind) {
                case GET:
                case HGETALL:
                case DELETE: {
                    int limit = kind == Kind.DELETE ? arguments.size() : 1;
                    for (int i = 0; i < limit; i++) {
                        CommandKeys.EncodedArgument argument = arguments.get(i);
                        int rule = argument.isKey() ? versionedRule(argument.bytes()) : -1;
                        if (rule >= 0 && (kind != Kind.HGETALL || isHash(rule)) && (kind != Kind.GET || !isHash(rule))) {
                            rules.add(rule);
                            keys.add(argument.bytes());
                        }
                    }
                    break;
                }
                case MGET:
                    for (CommandKeys.EncodedArgument argument : arguments) {
                        int rule = versionedRule(argument.bytes());
                        // A key named twice has one value in the reply: checked (and reported) once.
                        if (rule >= 0 && !isHash(rule) && !contains(keys, argument.bytes())) {
                            rules.add(rule);
                            keys.add(argument.bytes());
                        }
                    }
                    break;
                case HGET:
                case HMGET: {
                    int rule = versionedRule(arguments.get(0).bytes());
                    if (rule >= 0 && isHash(rule)) {
                        VersionSpec spec = guard.rules().get(rule).version();
                        for (int i = 1; i < arguments.size(); i++) {
                            byte[] field = arguments.get(i).bytes();
                            if (field != null && spec.isHashField(field, 0, field.length)) {
                                rules.add(rule);
                                keys.add(arguments.get(0).bytes());
                                break;
                            }
                        }
                    }
                    break;
                }
                case SET: {
                    int rule = versionedRule(arguments.get(0).bytes());
                    if (rule >= 0 && !isHash(rule)) {
                        for (int i = 1; i < arguments.size(); i++) {
                            if (!arguments.get(i).isKey()) {
                                rules.add(rule);
                                keys.add(arguments.get(0).bytes());
                                written.add(arguments.get(i).bytes());
                                break;
                            }
                        }
                    }
                    break;
                }
                case MSET:
                    for (int i = 0; i + 1 < arguments.size(); i += 2) {
                        int rule = versionedRule(arguments.get(i).bytes());
                        if (rule >= 0 && !isHash(rule)) {
                            rules.add(rule);
                            keys.add(arguments.get(i).bytes());
                            written.add(arguments.get(i + 1).bytes());
                        }
                    }
                    break;
                case HSET: {
                    int rule = versionedRule(arguments.get(0).bytes());
                    if (rule >= 0 && isHash(rule)) {
                        VersionSpec spec = guard.rules().get(rule).version();
                        for (int i = 1; i + 1 < arguments.size(); i += 2) {
                            byte[] field = arguments.get(i).bytes();
                            if (field != null && spec.isHashField(field, 0, field.length)) {
                                rules.add(rule);
                                keys.add(arguments.get(0).bytes());
                                written.add(arguments.get(i + 1).bytes());
                                break;
                            }
                        }
                    }
                    break;
                }
                default:
                    return null;
            }
            if (rules.isEmpty()) {
                return null;
            }
            int[] ruleArray = new int[rules.size()];
            for (int i = 0; i < ruleArray.length; i++) {
                ruleArray[i] = rules.get(i);
            }
            Pending pending = new Pending(kind, operation, writer, Databases.of(writer), ruleArray,
                    keys.toArray(new byte[0][]), written.isEmpty() ? null : written.toArray(new byte[0][]));
            if (kind.isRead()) {
                // On the application's thread: detection happens later, on a Netty thread.
                pending.context = Telemetry.captureContext(command);
            }
            return pending;
        }

        private static boolean contains(List<byte[]> keys, byte[] key) {
            for (byte[] each : keys) {
                if (Arrays.equals(each, key)) {
                    return true;
                }
            }
            return false;
        }

        /** Commands of the reactive API, whose multi-value replies stream to the subscriber while decoded. */
        static boolean isReactive(Object command) {
            return command.getClass().getName().startsWith("io.lettuce.core.RedisPublisher$");
        }

        boolean isHash(int rule) {
            return guard.rules().get(rule).version().kind() == VersionSpec.Kind.HASH;
        }

        /** The application deleted these keys: a later nil is not a regression. */
        void forget(Pending deleted) {
            for (byte[] key : deleted.keys) {
                guard.forget(deleted.db, key);
            }
        }

        boolean complete(LettuceApi api, Object handler, Object command, Object output, Pending pending)
                throws ReflectiveOperationException {
            if (pending.kind == Kind.DELETE) {
                forget(pending);
                return false;
            }
            if (pending.written != null) {
                for (int i = 0; i < pending.keys.length; i++) {
                    guard.observeWrite(pending.rules[i], pending.db, pending.keys[i],
                            pending.written[i] == null ? null : ByteBuffer.wrap(pending.written[i]));
                }
                return false;
            }
            ByteBuffer[] values = replyValues(api, pending, output);
            if (values == null) {
                return false;
            }
            List<Regression> regressions = null;
            for (int i = 0; i < pending.keys.length; i++) {
                Rule rule = guard.rules().get(pending.rules[i]);
                Regression regression;
                if (rule.routing() == RoutingMode.PRIMARY && values[i] != null) {
                    // Served by the primary already: re-reading cannot help.
                    Long version = guard.versionOf(pending.rules[i], values[i]);
                    regression = version == null ? null
                            : guard.primaryAt(pending.rules[i], pending.db, pending.keys[i], version);
                } else {
                    regression = guard.check(pending.rules[i], pending.db, pending.keys[i], values[i]);
                }
                if (regression != null) {
                    if (regressions == null) {
                        regressions = new ArrayList<>(2);
                    }
                    regressions.add(regression);
                }
            }
            if (regressions == null) {
                return false;
            }
            Regression first = regressions.get(0);
            boolean primary = first.rule().routing() == RoutingMode.PRIMARY;
            InetSocketAddress node = Nodes.remoteAddress(handler);
            OnRegression policy = first.rule().onRegression();
            if (policy == OnRegression.FAIL) {
                report(regressions, pending, GuardAction.FAILED, node, primary);
                api.completeExceptionally.invoke(command, StaleStates.create(api,
                        first.failureMessage(pending.operation, guard.keyPrivacy())));
                return true;
            }
            if (policy == OnRegression.REPORT || primary || first.type() == InconsistencyType.PRIMARY_REGRESSION
                    || pending.writer == null) {
                report(regressions, pending, GuardAction.REPORTED, node, primary);
                return false;
            }
            return reread(api, command, output, pending, regressions, node);
        }

        /** Re-issues the read on the primary; completes {@code command} when it answers. */
        private boolean reread(final LettuceApi api, final Object command, final Object staleOutput,
                final Pending pending, final List<Regression> regressions, final InetSocketAddress node)
                throws ReflectiveOperationException {
            Object args = api.getArgs.invoke(command);
            Object type = api.getType.invoke(command);
            final Object freshOutput = api.freshOutput(staleOutput);
            Object reread = api.commandConstructor.newInstance(type, freshOutput, args);
            Object future = api.asyncCommandConstructor.newInstance(reread);
            ((CompletableFuture<?>) future).whenComplete(new BiConsumer<Object, Throwable>() {
                @Override
                public void accept(Object value, Throwable error) {
                    afterReread(api, command, staleOutput, freshOutput, pending, regressions, node, error);
                }
            });
            boolean[] internal = INTERNAL.get();
            internal[0] = true;
            PrimaryRouting.forcePrimary(true);
            try {
                api.writerWrite.invoke(pending.writer, future);
            } catch (InvocationTargetException e) {
                // The writer refused (closed connection): deliver what the replica said, as without the agent.
                InternalErrors.record("guard.reread", e.getCause());
                report(regressions, pending, GuardAction.REPORTED, node, false);
                return false;
            } finally {
                PrimaryRouting.forcePrimary(false);
                internal[0] = false;
            }
            return true;
        }

        private void afterReread(LettuceApi api, Object command, Object staleOutput, Object freshOutput,
                Pending pending, List<Regression> regressions, InetSocketAddress node, Throwable error) {
            try {
                if (error != null || (Boolean) api.outputHasError.invoke(freshOutput)) {
                    // Fail open: the application gets the reply it would have had without the agent.
                    InternalErrors.record("guard.reread", error);
                    report(regressions, pending, GuardAction.REPORTED, node, false);
                    api.complete.invoke(command);
                    return;
                }
                ByteBuffer[] primaryValues = replyValues(api, pending, freshOutput);
                report(regressions, pending, GuardAction.REREAD_PRIMARY, node, false);
                if (primaryValues != null) {
                    for (Regression regression : regressions) {
                        int index = indexOf(pending, regression.key());
                        Regression primary = guard.checkPrimary(regression, index < 0 ? null : primaryValues[index]);
                        if (primary != null) {
                            Inconsistencies.report(primary.outcome(pending.operation, GuardAction.REREAD_PRIMARY,
                                    null, -1, true, pending.context));
                        }
                    }
                }
                if ((Boolean) api.isDone.invoke(command)) {
                    // The application cancelled its command (or it timed out) while the re-read ran: it has
                    // its outcome, and a completed command takes no new output. Not an error of the agent.
                    return;
                }
                api.setOutput.invoke(command, freshOutput);
                api.complete.invoke(command);
            } catch (Throwable t) {
                InternalErrors.record("guard.reread", t);
                try {
                    api.complete.invoke(command);
                } catch (Throwable ignored) {
                    // already completed or cancelled
                }
            }
        }

        private static int indexOf(Pending pending, byte[] key) {
            for (int i = 0; i < pending.keys.length; i++) {
                if (pending.keys[i] == key) {
                    return i;
                }
            }
            return -1;
        }

        private void report(List<Regression> regressions, Pending pending, GuardAction action,
                InetSocketAddress node, boolean primary) {
            for (Regression regression : regressions) {
                Inconsistencies.report(regression.outcome(pending.operation, action,
                        node == null ? null : node.getHostString(), node == null ? -1 : node.getPort(), primary,
                        pending.context));
            }
        }

        /**
         * The value of each pending key in a reply: for string rules the value, for hash rules the
         * version field's value; {@code null} entries are nil. {@code null} when the reply has an
         * unexpected shape (then nothing is checked).
         */
        private ByteBuffer[] replyValues(LettuceApi api, Pending pending, Object output)
                throws ReflectiveOperationException {
            Object reply = api.outputGet.invoke(output);
            Object codec = api.outputCodec.get(output);
            ByteBuffer[] values = new ByteBuffer[pending.keys.length];
            switch (pending.kind) {
                case GET:
                case HGET:
                    values[0] = bytes(reply, codec, false);
                    return values;
                case MGET:
                    if (!(reply instanceof List)) {
                        return null;
                    }
                    for (Object keyValue : (List<?>) reply) {
                        if (!api.keyValue.isInstance(keyValue)) {
                            return null;
                        }
                        byte[] key = CommandKeys.encode(api.keyValueGetKey.invoke(keyValue), codec, true);
                        for (int i = 0; i < pending.keys.length; i++) {
                            if (Arrays.equals(pending.keys[i], key)) {
                                values[i] = (Boolean) api.keyValueHasValue.invoke(keyValue)
                                        ? bytes(api.keyValueGetValue.invoke(keyValue), codec, false) : null;
                            }
                        }
                    }
                    return values;
                case HMGET:
                case HGETALL: {
                    VersionSpec spec = guard.rules().get(pending.rules[0]).version();
                    if (reply instanceof Map) {
                        for (Map.Entry<?, ?> entry : ((Map<?, ?>) reply).entrySet()) {
                            byte[] field = CommandKeys.encode(entry.getKey(), codec, true);
                            if (field != null && spec.isHashField(field, 0, field.length)) {
                                values[0] = bytes(entry.getValue(), codec, false);
                            }
                        }
                        return values;
                    }
                    if (reply instanceof List) {
                        for (Object keyValue : (List<?>) reply) {
                            if (!api.keyValue.isInstance(keyValue)) {
                                continue;
                            }
                            byte[] field = CommandKeys.encode(api.keyValueGetKey.invoke(keyValue), codec,
                                    true);
                            if (field != null && spec.isHashField(field, 0, field.length)
                                    && (Boolean) api.keyValueHasValue.invoke(keyValue)) {
                                values[0] = bytes(api.keyValueGetValue.invoke(keyValue), codec, false);
                            }
                        }
                        return values;
                    }
                    return null;
                }
                default:
                    return null;
            }
        }

        private static ByteBuffer bytes(Object value, Object codec, boolean key) throws ReflectiveOperationException {
            if (value == null) {
                return null;
            }
            byte[] encoded = CommandKeys.encode(value, codec, key);
            return encoded == null ? null : ByteBuffer.wrap(encoded);
        }
    }

    /** The database index a channel writer's connection uses (Master/Replica: the URI's; Cluster: 0). */
    static final class Databases {

        private static final ClassValue<Field[]> PATH = new ClassValue<Field[]>() {
            @Override
            protected Field[] computeValue(Class<?> type) {
                try {
                    // Lettuce 6+ (masterreplica) and Lettuce 5 (masterslave) name the writer's provider differently.
                    Field provider = declared(type, "masterReplicaConnectionProvider");
                    if (provider == null) {
                        provider = declared(type, "masterSlaveConnectionProvider");
                    }
                    if (provider == null) {
                        return new Field[0];
                    }
                    Field uri = declared(provider.getType(), "initialRedisUri");
                    return uri == null ? new Field[0] : new Field[] {provider, uri};
                } catch (RuntimeException e) {
                    return new Field[0];
                }
            }
        };

        /** One-entry cache: {writer, its database}. Racy by design: any published pair is a correct pair. */
        private static volatile Object[] last = {null, 0};

        private static final ClassValue<Method> GET_DATABASE = new ClassValue<Method>() {
            @Override
            protected Method computeValue(Class<?> type) {
                try {
                    return type.getMethod("getDatabase");
                } catch (NoSuchMethodException | RuntimeException e) {
                    return null;
                }
            }
        };

        static int of(Object writer) {
            if (writer == null) {
                return 0;
            }
            Object[] cached = last;
            if (cached[0] == writer) {
                return (Integer) cached[1];
            }
            int database = lookUp(writer);
            last = new Object[] {writer, database};
            return database;
        }

        private static int lookUp(Object writer) {
            try {
                Field[] path = PATH.get(writer.getClass());
                if (path.length == 0) {
                    return 0;
                }
                Object uri = path[1].get(path[0].get(writer));
                Method getDatabase = uri == null ? null : GET_DATABASE.get(uri.getClass());
                return getDatabase == null ? 0 : (Integer) getDatabase.invoke(uri);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return 0;
            }
        }

        static Field declared(Class<?> type, String name) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                try {
                    Field field = c.getDeclaredField(name);
                    field.setAccessible(true);
                    return field;
                } catch (NoSuchFieldException e) {
                    // look further up
                }
            }
            return null;
        }
    }

    /** The remote address of the connection a {@code CommandHandler} serves. */
    static final class Nodes {

        private static final ClassValue<Field> CHANNEL = new ClassValue<Field>() {
            @Override
            protected Field computeValue(Class<?> type) {
                return Databases.declared(type, "channel");
            }
        };

        static InetSocketAddress remoteAddress(Object handler) {
            try {
                Field channel = handler == null ? null : CHANNEL.get(handler.getClass());
                Object value = channel == null ? null : channel.get(handler);
                if (value == null) {
                    return null;
                }
                Object address = value.getClass().getMethod("remoteAddress").invoke(value);
                return address instanceof InetSocketAddress ? (InetSocketAddress) address : null;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    }
}
