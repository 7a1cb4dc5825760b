package io.stateguard.agent.lettuce;

import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.CommandArgs;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;

/**
 * The only reflection of the Lettuce adapter: the fields Lettuce does not expose, read through
 * {@code static final} method handles that the JIT compiles to plain loads. Everything else of
 * Lettuce is called with its types. This class is defined beside the Lettuce it reads (in Lettuce's
 * class loader, or loaded with it from the class path), so its handles belong to that Lettuce and go
 * away with it. A field missing in some version leaves its handle {@code null}: callers then fall
 * back to a public API or skip the check.
 *
 * <ul>
 *   <li>{@code CommandArgs.singularArguments} and {@code CommandArgs.KeyArgument/ValueArgument}'s
 *       {@code key}, {@code val} and {@code codec}: a command's keys without encoding them into a buffer;</li>
 *   <li>{@code CommandArgs.StringArgument/BytesArgument}'s {@code val}: the words of a command's options
 *       ({@code NX}, {@code XX}, {@code GET} of {@code SET}; keywords are bytes arguments);</li>
 *   <li>{@code StringCodec.utf8}: whether a string codec sends UTF-8 (then keys are matched as strings);</li>
 *   <li>{@code CommandOutput.codec} (protected) and {@code KeyValueListOutput.keys}: building a fresh
 *       output of the same kind for a re-read;</li>
 *   <li>the Master/Replica channel writer's connection provider and its {@code initialRedisUri}: the
 *       database index of the connection;</li>
 *   <li>{@code CommandHandler.channel}: the address of the node that answered.</li>
 * </ul>
 */
final class LettuceFields {

    private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);

    static final String KEY_ARGUMENT = "io.lettuce.core.protocol.CommandArgs$KeyArgument";
    static final String VALUE_ARGUMENT = "io.lettuce.core.protocol.CommandArgs$ValueArgument";

    static final Class<?> KEY_ARGUMENT_CLASS = classNamed(KEY_ARGUMENT);
    static final Class<?> VALUE_ARGUMENT_CLASS = classNamed(VALUE_ARGUMENT);
    private static final Class<?> STRING_ARGUMENT_CLASS = classNamed("io.lettuce.core.protocol.CommandArgs$StringArgument");
    private static final Class<?> BYTES_ARGUMENT_CLASS = classNamed("io.lettuce.core.protocol.CommandArgs$BytesArgument");
    private static final Class<?> INTEGER_ARGUMENT_CLASS = classNamed("io.lettuce.core.protocol.CommandArgs$IntegerArgument");

    private static final MethodHandle SINGULAR_ARGUMENTS = getter(CommandArgs.class, "singularArguments", List.class);
    private static final MethodHandle KEY = getter(KEY_ARGUMENT_CLASS, "key", null);
    private static final MethodHandle KEY_CODEC = getter(KEY_ARGUMENT_CLASS, "codec", RedisCodec.class);
    private static final MethodHandle VALUE = getter(VALUE_ARGUMENT_CLASS, "val", null);
    private static final MethodHandle VALUE_CODEC = getter(VALUE_ARGUMENT_CLASS, "codec", RedisCodec.class);
    private static final MethodHandle STRING_WORD = getter(STRING_ARGUMENT_CLASS, "val", String.class);
    private static final MethodHandle BYTES_WORD = getter(BYTES_ARGUMENT_CLASS, "val", byte[].class);
    private static final Field INTEGER_WORD = field(INTEGER_ARGUMENT_CLASS, "val", long.class);
    private static final MethodHandle OUTPUT_CODEC = getter(CommandOutput.class, "codec", RedisCodec.class);
    private static final Field STRING_CODEC_UTF8 = field(StringCodec.class, "utf8", boolean.class);
    private static final MethodHandle CHANNEL = getter(classNamed("io.lettuce.core.protocol.CommandHandler"),
            "channel", null);

    private LettuceFields() {
    }

    /** Whether the argument-list shapes were found (else keys come from {@code getFirstEncodedKey()}). */
    static boolean hasArgumentList() {
        return SINGULAR_ARGUMENTS != null && KEY != null && KEY_CODEC != null;
    }

    static List<?> singularArguments(CommandArgs<?, ?> args) throws Throwable {
        return (List<?>) (Object) SINGULAR_ARGUMENTS.invokeExact((Object) args);
    }

    static Object key(Object keyArgument) throws Throwable {
        return (Object) KEY.invokeExact(keyArgument);
    }

    static RedisCodec<?, ?> keyCodec(Object keyArgument) throws Throwable {
        return (RedisCodec<?, ?>) (Object) KEY_CODEC.invokeExact(keyArgument);
    }

    /** {@code null} when the value-argument shape was not found. */
    static Object value(Object valueArgument) throws Throwable {
        return VALUE == null ? null : (Object) VALUE.invokeExact(valueArgument);
    }

    static RedisCodec<?, ?> valueCodec(Object valueArgument) throws Throwable {
        return VALUE_CODEC == null ? null : (RedisCodec<?, ?>) (Object) VALUE_CODEC.invokeExact(valueArgument);
    }

    static boolean hasValueArguments() {
        return VALUE != null && VALUE_CODEC != null;
    }

    /**
     * The bytes of an argument that is a word ({@code add(String)}, or a keyword or {@code byte[]} added
     * as bytes), or {@code null} for any other argument (keys, values, numbers) or when the shape was
     * not found.
     */
    static byte[] word(Object argument) throws Throwable {
        if (STRING_WORD != null && argument.getClass() == STRING_ARGUMENT_CLASS) {
            String word = (String) (Object) STRING_WORD.invokeExact(argument);
            return word == null ? null : word.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        if (BYTES_WORD != null && BYTES_ARGUMENT_CLASS.isInstance(argument)) {
            return (byte[]) (Object) BYTES_WORD.invokeExact(argument);
        }
        return null;
    }

    /** A number argument (a time to live, for EXPIRE) as the ASCII decimal Redis receives; {@code null} for others. */
    static byte[] number(Object argument) throws IllegalAccessException {
        if (INTEGER_WORD != null && argument.getClass() == INTEGER_ARGUMENT_CLASS) {
            return Long.toString(INTEGER_WORD.getLong(argument)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return null;
    }

    /** The codec an output decodes with; {@code null} if not found. */
    static RedisCodec<?, ?> outputCodec(CommandOutput<?, ?, ?> output) throws Throwable {
        return OUTPUT_CODEC == null ? null : (RedisCodec<?, ?>) (Object) OUTPUT_CODEC.invokeExact((Object) output);
    }

    /** Whether a {@code StringCodec} sends UTF-8; {@code false} when that cannot be read. */
    static boolean isUtf8(StringCodec codec) {
        try {
            return codec == StringCodec.UTF8 || STRING_CODEC_UTF8 != null && STRING_CODEC_UTF8.getBoolean(codec);
        } catch (IllegalAccessException | RuntimeException e) {
            return false;
        }
    }

    /** {@code CommandHandler.channel} (a Netty channel), or {@code null}. */
    static Object channel(Object commandHandler) throws Throwable {
        return CHANNEL == null || commandHandler == null ? null : (Object) CHANNEL.invokeExact(commandHandler);
    }

    /**
     * A fresh, empty output of the same kind as {@code output}, for re-issuing a read: built with the
     * same codec, and with the same keys for outputs that pair replies with the requested keys
     * ({@code KeyValueListOutput} of {@code MGET}/{@code HMGET}).
     */
    static CommandOutput<?, ?, ?> freshOutput(CommandOutput<?, ?, ?> output) throws Throwable {
        RedisCodec<?, ?> codec = outputCodec(output);
        OutputShape shape = OUTPUT_SHAPE.get(output.getClass());
        if (shape.keys != null) {
            Object keys = shape.keys.get(output);
            if (keys != null && shape.withKeys != null) {
                return (CommandOutput<?, ?, ?>) shape.withKeys.newInstance(codec, keys);
            }
        }
        if (shape.withCodec == null) {
            throw new NoSuchMethodException(output.getClass().getName() + "(RedisCodec)");
        }
        return (CommandOutput<?, ?, ?>) shape.withCodec.newInstance(codec);
    }

    /** The database of a Master/Replica channel writer's connections ({@code initialRedisUri}); 0 for others. */
    static int database(Object writer) {
        try {
            Field[] path = DATABASE_PATH.get(writer.getClass());
            if (path.length == 0) {
                return 0;
            }
            Object uri = path[1].get(path[0].get(writer));
            return uri instanceof RedisURI ? ((RedisURI) uri).getDatabase() : 0;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 0;
        }
    }

    /** A Master/Replica channel writer's connection provider field, or {@code null} for other writers. */
    private static Field providerOf(Class<?> writerType) {
        // Lettuce 6+ (masterreplica) and Lettuce 5 (masterslave) name the writer's provider differently.
        Field provider = declared(writerType, "masterReplicaConnectionProvider");
        return provider != null ? provider : declared(writerType, "masterSlaveConnectionProvider");
    }

    private static final ClassValue<Field[]> DATABASE_PATH = new ClassValue<Field[]>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            Field provider = providerOf(type);
            Field uri = provider == null ? null : declared(provider.getType(), "initialRedisUri");
            return uri == null ? new Field[0] : new Field[] {provider, uri};
        }
    };

    /**
     * Whether the guard's own commands (a re-read, {@code INFO replication}) must stay off a Master/Replica
     * channel writer now: the application has a transaction open on it (its {@code MULTI} would capture
     * them: they would be queued into the application's {@code EXEC}), or flushes commands by hand (they
     * would wait for its next flush). Unknown counts as busy. Other writers (Cluster) are never busy here.
     */
    static boolean isBusy(Object writer) {
        try {
            Field[] state = WRITER_STATE.get(writer.getClass());
            if (state == null) {
                return false;
            }
            if (state.length == 0 || state[1].getBoolean(writer)) {
                return true;
            }
            Object provider = state[0].get(writer);
            // A closed writer has let go of its provider: the write itself refuses ("Connection is closed").
            return provider != null && !state[2].getBoolean(provider);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true;
        }
    }

    /** Whether {@code writer} is a Master/Replica channel writer (Lettuce 5's Master/Slave included). */
    static boolean isMasterReplica(Object writer) {
        return writer != null && WRITER_STATE.get(writer.getClass()) != null;
    }

    /**
     * Per writer class: {provider, inTransaction, provider's autoFlushCommands}; an empty array for a
     * Master/Replica writer whose fields are not found; {@code null} for other writers.
     */
    private static final ClassValue<Field[]> WRITER_STATE = new ClassValue<Field[]>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            Field provider = providerOf(type);
            if (provider == null) {
                return null;
            }
            Field inTransaction = declared(type, "inTransaction");
            Field autoFlush = declared(provider.getType(), "autoFlushCommands");
            if (inTransaction == null || inTransaction.getType() != boolean.class || autoFlush == null
                    || autoFlush.getType() != boolean.class) {
                return new Field[0];
            }
            return new Field[] {provider, inTransaction, autoFlush};
        }
    };

    private static final ClassValue<OutputShape> OUTPUT_SHAPE = new ClassValue<OutputShape>() {
        @Override
        protected OutputShape computeValue(Class<?> type) {
            return new OutputShape(type);
        }
    };

    private static final class OutputShape {
        final Constructor<?> withCodec;
        final Constructor<?> withKeys;
        final Field keys;

        OutputShape(Class<?> type) {
            Constructor<?> codecOnly = null;
            Constructor<?> codecAndKeys = null;
            for (Constructor<?> constructor : type.getConstructors()) {
                Class<?>[] parameters = constructor.getParameterTypes();
                if (parameters.length == 1 && parameters[0] == RedisCodec.class) {
                    codecOnly = constructor;
                } else if (parameters.length == 2 && parameters[0] == RedisCodec.class
                        && parameters[1] == Iterable.class) {
                    codecAndKeys = constructor;
                }
            }
            Field keysField = null;
            for (Class<?> c = type; c != null && keysField == null; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (field.getName().equals("keys") && Iterable.class.isAssignableFrom(field.getType())
                            && !Modifier.isStatic(field.getModifiers())) {
                        keysField = accessible(field);
                        break;
                    }
                }
            }
            withCodec = codecOnly;
            withKeys = codecAndKeys;
            keys = keysField;
        }
    }

    // ---- The client's view of its topology, for the replication monitor (read on its thread, not per command) ----

    /** The value of field {@code name} of {@code target} (declared there or in a superclass), or {@code null}. */
    static Object read(Object target, String name) {
        if (target == null) {
            return null;
        }
        Field field = declared(target.getClass(), name);
        try {
            return field == null ? null : field.get(target);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }

    /** A Master/Replica channel writer's connection provider, or {@code null}. */
    static Object masterReplicaProvider(Object writer) {
        Field provider = writer == null ? null : providerOf(writer.getClass());
        try {
            return provider == null ? null : provider.get(writer);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }

    /** Whether a channel writer (Master/Replica or Cluster) was closed by the application. */
    static boolean isClosed(Object writer) {
        Object closed = read(writer, "closed");
        return closed instanceof Boolean && (Boolean) closed;
    }

    /** The client resources of a Lettuce client ({@code getResources()} from 6.0, the field before). */
    static Object resources(Object client) {
        if (client == null) {
            return null;
        }
        try {
            return client.getClass().getMethod("getResources").invoke(client);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return read(client, "clientResources");
        }
    }

    /** The options of one of a Master/Replica provider's open connections ({@code allConnections()}), or {@code null}. */
    static Object anyConnectionOptions(Object provider) {
        if (provider == null) {
            return null;
        }
        for (Class<?> type = provider.getClass(); type != null; type = type.getSuperclass()) {
            try {
                java.lang.reflect.Method all = type.getDeclaredMethod("allConnections");
                all.setAccessible(true);
                Object connections = all.invoke(provider);
                if (connections instanceof java.util.Collection) {
                    for (Object connection : (java.util.Collection<?>) connections) {
                        if (connection instanceof io.lettuce.core.api.StatefulConnection) {
                            return ((io.lettuce.core.api.StatefulConnection<?, ?>) connection).getOptions();
                        }
                    }
                }
                return null;
            } catch (NoSuchMethodException e) {
                // look further up
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    /** {@code RedisURI.builder(RedisURI)} (Lettuce 6+), or {@code null} on Lettuce 5. */
    private static final MethodHandle URI_BUILDER = uriBuilder();

    private static MethodHandle uriBuilder() {
        try {
            Class<?> builder = Class.forName("io.lettuce.core.RedisURI$Builder", false, RedisURI.class.getClassLoader());
            return MethodHandles.publicLookup().findStatic(RedisURI.class, "builder",
                    MethodType.methodType(builder, RedisURI.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The URI of node {@code host:port} with the settings of {@code template} (credentials, TLS, timeout,
     * database), as Lettuce's own Master/Replica connection factory builds it: {@code RedisURI.builder(template)}
     * with the host and port replaced; on Lettuce 5 the same settings copied one by one.
     */
    static RedisURI nodeUri(RedisURI template, String host, int port) throws Throwable {
        if (URI_BUILDER != null) {
            Object builder = URI_BUILDER.invoke(template);
            builder = builder.getClass().getMethod("withHost", String.class).invoke(builder, host);
            builder = builder.getClass().getMethod("withPort", int.class).invoke(builder, port);
            return (RedisURI) builder.getClass().getMethod("build").invoke(builder);
        }
        RedisURI uri = RedisURI.create(host, port);
        Object password = RedisURI.class.getMethod("getPassword").invoke(template);
        if (password instanceof char[]) {
            RedisURI.class.getMethod("setPassword", char[].class).invoke(uri, password);
        }
        uri.setSsl(template.isSsl());
        uri.setStartTls(template.isStartTls());
        uri.setVerifyPeer(template.isVerifyPeer());
        uri.setDatabase(template.getDatabase());
        uri.setTimeout(template.getTimeout());
        return uri;
    }

    private static Class<?> classNamed(String name) {
        try {
            return Class.forName(name, false, LettuceFields.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /** {@code type.name} (declared there or in a superclass) as an {@code (Object)Object} getter, or {@code null}. */
    private static MethodHandle getter(Class<?> type, String name, Class<?> expectedType) {
        Field field = type == null ? null : declared(type, name);
        if (field == null || expectedType != null && !expectedType.isAssignableFrom(field.getType())) {
            return null;
        }
        try {
            return MethodHandles.lookup().unreflectGetter(field).asType(GETTER);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }

    private static Field field(Class<?> type, String name, Class<?> expectedType) {
        Field field = declared(type, name);
        return field != null && field.getType() == expectedType ? field : null;
    }

    private static Field declared(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                return accessible(c.getDeclaredField(name));
            } catch (NoSuchFieldException e) {
                // look further up
            } catch (RuntimeException e) {
                return null; // not accessible (a module that does not open its package)
            }
        }
        return null;
    }

    private static Field accessible(Field field) {
        field.setAccessible(true);
        return field;
    }
}
