package io.stateguard.agent.lettuce;

import io.stateguard.agent.keys.KeyMatcher;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Finds the keys of a Lettuce command and matches them against a {@link KeyMatcher}, without
 * decoding and, for Lettuce's own {@code StringCodec} (UTF-8) and {@code ByteArrayCodec}, without
 * allocating.
 *
 * <p>This class is loaded by the agent, not by the application, so it cannot link against Lettuce:
 * it reads Lettuce's package-private {@code CommandArgs.singularArguments} list and the
 * {@code KeyArgument} fields reflectively. Those shapes have been stable from Lettuce 5.3 to 7.x;
 * where they are not found, it falls back to the public {@code CommandArgs.getFirstEncodedKey()}.
 *
 * <p>Only the first key argument is a key for most commands: Lettuce adds hash fields
 * ({@code HGET}, {@code HMGET}) as key arguments too. Commands whose key arguments are all keys
 * ({@code MGET}, {@code EXISTS}, set algebra, scripts, ...) are listed in {@link #isMultiKey(String)}.
 */
public final class CommandKeys {

    private static final String KEY_ARGUMENT = "io.lettuce.core.protocol.CommandArgs$KeyArgument";
    private static final String VALUE_ARGUMENT = "io.lettuce.core.protocol.CommandArgs$ValueArgument";
    private static final String BYTE_ARRAY_CODEC = "io.lettuce.core.codec.ByteArrayCodec";
    private static final String STRING_CODEC = "io.lettuce.core.codec.StringCodec";
    private static final String UTF8_STRING_CODEC = "io.lettuce.core.codec.Utf8StringCodec";

    private CommandKeys() {
    }

    /**
     * Matches the keys of one command.
     *
     * @param type the command's {@code ProtocolKeyword} (usually a {@code CommandType} constant).
     * @param args the command's {@code CommandArgs}, may be {@code null}.
     * @param matcher the compiled key patterns.
     * @param accepted which rule indexes count; a key matching another rule is skipped.
     * @return the rule index of the first key (in argument order) whose rule is accepted, or -1.
     * @throws ReflectiveOperationException when Lettuce's shapes cannot be read; the caller fails open.
     */
    public static int firstAcceptedRule(Object type, Object args, KeyMatcher matcher, boolean[] accepted)
            throws ReflectiveOperationException {
        if (args == null) {
            return -1;
        }
        Field list = argumentList(args.getClass());
        if (list == null) {
            return fallbackFirstKey(args, matcher, accepted);
        }
        List<?> arguments = (List<?>) ConstantGetters.argumentList(list, args);
        boolean allKeys = false;
        boolean allKeysKnown = false;
        for (int i = 0, n = arguments.size(); i < n; i++) {
            Object argument = arguments.get(i);
            KeyArgumentShape shape = keyArgument(argument.getClass());
            if (shape == null) {
                continue;
            }
            int rule = matchKey(ConstantGetters.key(shape, argument), ConstantGetters.codec(shape, argument), matcher);
            if (rule >= 0 && accepted[rule]) {
                return rule;
            }
            if (!allKeysKnown) {
                // Looked up only when the first key did not decide: most commands stop here.
                allKeys = MULTI_KEY.isMultiKey(type);
                allKeysKnown = true;
            }
            if (!allKeys) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * The bytes the codec sends for the command's first key argument, or {@code null} when there is
     * none. Allocates only what {@link #encode} allocates.
     */
    public static byte[] firstKeyBytes(Object args) throws ReflectiveOperationException {
        Field list = args == null ? null : argumentList(args.getClass());
        if (list == null) {
            return null;
        }
        for (Object argument : (List<?>) list.get(args)) {
            KeyArgumentShape shape = keyArgument(argument.getClass());
            if (shape != null) {
                return encode(shape.key.get(argument), shape.codec.get(argument), true);
            }
            if (valueArgument(argument.getClass()) != null) {
                return null; // a value before any key: not a key command
            }
        }
        return null;
    }

    /*
     * One-entry caches in front of the ClassValues below. An application uses one CommandArgs class,
     * one KeyArgument class and usually one codec, so the hot path is a field read and a class
     * comparison instead of a ClassValue lookup. Each cache holds one immutable object whose class
     * is compared, so racing updates are harmless.
     */
    private static volatile ArgumentListShape lastArgumentList;
    private static volatile KeyArgumentShape lastKeyArgument;
    private static volatile CodecShape lastCodec;

    private static Field argumentList(Class<?> argsClass) {
        ArgumentListShape cached = lastArgumentList;
        if (cached != null && cached.type == argsClass) {
            return cached.list;
        }
        Field list = ARGUMENT_LIST.get(argsClass);
        lastArgumentList = new ArgumentListShape(argsClass, list);
        if (list != null) {
            ConstantGetters.bindArgumentList(argsClass, list);
        }
        return list;
    }

    private static KeyArgumentShape keyArgument(Class<?> argumentClass) {
        KeyArgumentShape cached = lastKeyArgument;
        if (cached != null && cached.type == argumentClass) {
            return cached;
        }
        KeyArgumentShape shape = KEY_ARGUMENT_SHAPE.get(argumentClass);
        if (shape != null) {
            lastKeyArgument = shape;
            ConstantGetters.bindKeyArgument(shape);
        }
        return shape;
    }

    private static ValueArgumentShape valueArgument(Class<?> argumentClass) {
        return VALUE_ARGUMENT_SHAPE.get(argumentClass);
    }

    /** The last {@code StringCodec} instance found to encode UTF-8 (usually {@code StringCodec.UTF8}). */
    private static volatile Object lastUtf8Codec;

    /** Whether a {@code StringCodec} encodes UTF-8; its {@code utf8} flag is final, so the answer is cached. */
    private static boolean isUtf8(CodecShape shape, Object codec) throws IllegalAccessException {
        if (codec == lastUtf8Codec) {
            return true;
        }
        boolean utf8 = shape.utf8Flag.getBoolean(codec);
        if (utf8) {
            lastUtf8Codec = codec;
        }
        return utf8;
    }

    private static CodecShape codec(Class<?> codecClass) {
        CodecShape cached = lastCodec;
        if (cached != null && cached.type == codecClass) {
            return cached;
        }
        CodecShape shape = CODEC_SHAPE.get(codecClass);
        lastCodec = shape;
        return shape;
    }

    /**
     * The key and value arguments of a command's {@code CommandArgs}, in order, as the bytes the codec
     * sends. Allocates; for the version guard, which looks at few commands, not for routing.
     */
    public static List<EncodedArgument> encodedArguments(Object args) throws ReflectiveOperationException {
        List<EncodedArgument> encoded = new java.util.ArrayList<>();
        if (args == null) {
            return encoded;
        }
        Field list = argumentList(args.getClass());
        if (list == null) {
            return encoded;
        }
        for (Object argument : (List<?>) list.get(args)) {
            KeyArgumentShape key = keyArgument(argument.getClass());
            if (key != null) {
                encoded.add(new EncodedArgument(true, encode(key.key.get(argument), key.codec.get(argument), true)));
                continue;
            }
            ValueArgumentShape value = valueArgument(argument.getClass());
            if (value != null) {
                encoded.add(new EncodedArgument(false, encode(value.value.get(argument), value.codec.get(argument),
                        false)));
            }
        }
        return encoded;
    }

    /** The bytes {@code codec} sends for a key or value; {@code null} for a null object. */
    public static byte[] encode(Object object, Object codec, boolean key) throws ReflectiveOperationException {
        if (object == null || codec == null) {
            return null;
        }
        CodecShape shape = codec(codec.getClass());
        if (object instanceof byte[] && shape.kind == CodecKind.BYTE_ARRAY) {
            return (byte[]) object;
        }
        if (object instanceof String && (shape.kind == CodecKind.UTF8_STRING
                || shape.kind == CodecKind.STRING && isUtf8(shape, codec))) {
            return ((String) object).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        Object buffer = (key ? shape.encodeKey : shape.encodeValue).invoke(codec, object);
        if (!(buffer instanceof ByteBuffer)) {
            return null;
        }
        ByteBuffer copy = ((ByteBuffer) buffer).duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    /** One key or value argument, encoded. */
    public static final class EncodedArgument {

        private final boolean key;
        private final byte[] bytes;

        EncodedArgument(boolean key, byte[] bytes) {
            this.key = key;
            this.bytes = bytes;
        }

        /** {@code true} for a key argument (a key, or a hash field), {@code false} for a value. */
        public boolean isKey() {
            return key;
        }

        /** The encoded bytes, or {@code null} for a null argument. Not copied. */
        public byte[] bytes() {
            return bytes;
        }
    }

    /** Whether all key arguments of the command named {@code name} are keys (not hash fields). */
    public static boolean isMultiKey(String name) {
        switch (name) {
            case "MGET":
            case "EXISTS":
            case "TOUCH":
            case "SINTER":
            case "SUNION":
            case "SDIFF":
            case "SINTERCARD":
            case "PFCOUNT":
            case "ZDIFF":
            case "ZINTER":
            case "ZUNION":
            case "ZINTERCARD":
            case "LCS":
            case "EVAL":
            case "EVALSHA":
            case "EVAL_RO":
            case "EVALSHA_RO":
            case "FCALL":
            case "FCALL_RO":
                return true;
            default:
                return false;
        }
    }

    private static int matchKey(Object key, Object codec, KeyMatcher matcher) throws ReflectiveOperationException {
        if (key == null || codec == null) {
            return -1;
        }
        CodecShape shape = codec(codec.getClass());
        if (shape.kind == CodecKind.BYTE_ARRAY && key instanceof byte[]) {
            return matcher.match((byte[]) key);
        }
        if (shape.kind == CodecKind.UTF8_STRING && key instanceof String) {
            return matcher.match((String) key);
        }
        if (shape.kind == CodecKind.STRING && key instanceof String && isUtf8(shape, codec)) {
            return matcher.match((String) key);
        }
        Object encoded = shape.encodeKey.invoke(codec, key);
        return encoded instanceof ByteBuffer ? matcher.match((ByteBuffer) encoded) : -1;
    }

    private static int fallbackFirstKey(Object args, KeyMatcher matcher, boolean[] accepted)
            throws ReflectiveOperationException {
        Method firstKey = args.getClass().getMethod("getFirstEncodedKey");
        Object encoded = firstKey.invoke(args);
        if (!(encoded instanceof ByteBuffer)) {
            return -1;
        }
        int rule = matcher.match((ByteBuffer) encoded);
        return rule >= 0 && accepted[rule] ? rule : -1;
    }

    /** {@code CommandArgs.singularArguments}, found on the class or a superclass; {@code null} if absent. */
    private static final ClassValue<Field> ARGUMENT_LIST = new ClassValue<Field>() {
        @Override
        protected Field computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                if (c.getName().equals("io.lettuce.core.protocol.CommandArgs")) {
                    try {
                        Field field = c.getDeclaredField("singularArguments");
                        if (!List.class.isAssignableFrom(field.getType())) {
                            return null;
                        }
                        field.setAccessible(true);
                        return field;
                    } catch (NoSuchFieldException | RuntimeException e) {
                        return null;
                    }
                }
            }
            return null;
        }
    };

    /** The {@code key} and {@code codec} fields of a {@code KeyArgument}; {@code null} for other arguments. */
    private static final ClassValue<KeyArgumentShape> KEY_ARGUMENT_SHAPE = new ClassValue<KeyArgumentShape>() {
        @Override
        protected KeyArgumentShape computeValue(Class<?> type) {
            if (!type.getName().equals(KEY_ARGUMENT)) {
                return null;
            }
            try {
                Field key = type.getDeclaredField("key");
                Field codec = type.getDeclaredField("codec");
                key.setAccessible(true);
                codec.setAccessible(true);
                return new KeyArgumentShape(type, key, codec);
            } catch (NoSuchFieldException | RuntimeException e) {
                return null;
            }
        }
    };

    /** The {@code val} and {@code codec} fields of a {@code ValueArgument}; {@code null} for other arguments. */
    private static final ClassValue<ValueArgumentShape> VALUE_ARGUMENT_SHAPE = new ClassValue<ValueArgumentShape>() {
        @Override
        protected ValueArgumentShape computeValue(Class<?> type) {
            if (!type.getName().equals(VALUE_ARGUMENT)) {
                return null;
            }
            try {
                Field value = type.getDeclaredField("val");
                Field codec = type.getDeclaredField("codec");
                value.setAccessible(true);
                codec.setAccessible(true);
                return new ValueArgumentShape(value, codec);
            } catch (NoSuchFieldException | RuntimeException e) {
                return null;
            }
        }
    };

    private static final ClassValue<CodecShape> CODEC_SHAPE = new ClassValue<CodecShape>() {
        @Override
        protected CodecShape computeValue(Class<?> type) {
            Method encodeKey = findEncode(type, "encodeKey");
            Method encodeValue = findEncode(type, "encodeValue");
            if (type.getName().equals(BYTE_ARRAY_CODEC)) {
                return new CodecShape(type, CodecKind.BYTE_ARRAY, encodeKey, encodeValue, null);
            }
            if (type.getName().equals(UTF8_STRING_CODEC)) {
                return new CodecShape(type, CodecKind.UTF8_STRING, encodeKey, encodeValue, null);
            }
            if (type.getName().equals(STRING_CODEC)) {
                try {
                    Field utf8 = type.getDeclaredField("utf8");
                    if (utf8.getType() == boolean.class) {
                        utf8.setAccessible(true);
                        return new CodecShape(type, CodecKind.STRING, encodeKey, encodeValue, utf8);
                    }
                } catch (NoSuchFieldException | RuntimeException e) {
                    // fall through: encode through the codec
                }
            }
            return new CodecShape(type, CodecKind.OTHER, encodeKey, encodeValue, null);
        }
    };

    /** {@code RedisCodec.encodeKey/encodeValue(Object)}, from the public interface so any implementation can be called. */
    private static Method findEncode(Class<?> codecType, String name) {
        try {
            Class<?> codecInterface = Class.forName("io.lettuce.core.codec.RedisCodec", false, codecType.getClassLoader());
            return codecInterface.getMethod(name, Object.class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new IllegalStateException("no RedisCodec.encodeKey visible from " + codecType.getName(), e);
        }
    }

    /**
     * The three field reads of the routing decision ({@code CommandArgs.singularArguments},
     * {@code KeyArgument.key}, {@code KeyArgument.codec}) as method handles behind
     * {@code static final} call sites, bound to the first Lettuce classes seen. The JIT treats a
     * {@link MutableCallSite}'s target as a constant, so each read compiles to a plain field load,
     * where {@link Field#get} costs an access check and a megamorphic accessor call. Classes of
     * another Lettuce (a second class loader) use the reflective path.
     */
    static final class ConstantGetters {

        private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);
        private static final MutableCallSite LIST = new MutableCallSite(GETTER);
        private static final MutableCallSite KEY = new MutableCallSite(GETTER);
        private static final MutableCallSite CODEC = new MutableCallSite(GETTER);
        private static final MethodHandle GET_LIST = LIST.dynamicInvoker();
        private static final MethodHandle GET_KEY = KEY.dynamicInvoker();
        private static final MethodHandle GET_CODEC = CODEC.dynamicInvoker();

        /** The classes the call sites serve; set after their targets, so a match means bound. */
        private static volatile Class<?> argsClass;
        private static volatile Class<?> keyArgumentClass;

        private ConstantGetters() {
        }

        static Object argumentList(Field list, Object args) throws ReflectiveOperationException {
            if (args.getClass() != argsClass) {
                return list.get(args);
            }
            try {
                return (Object) GET_LIST.invokeExact(args);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new ReflectiveOperationException(t);
            }
        }

        static Object key(KeyArgumentShape shape, Object argument) throws ReflectiveOperationException {
            if (argument.getClass() != keyArgumentClass) {
                return shape.key.get(argument);
            }
            try {
                return (Object) GET_KEY.invokeExact(argument);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new ReflectiveOperationException(t);
            }
        }

        static Object codec(KeyArgumentShape shape, Object argument) throws ReflectiveOperationException {
            if (argument.getClass() != keyArgumentClass) {
                return shape.codec.get(argument);
            }
            try {
                return (Object) GET_CODEC.invokeExact(argument);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new ReflectiveOperationException(t);
            }
        }

        static synchronized void bindArgumentList(Class<?> type, Field list) {
            if (argsClass != null) {
                return;
            }
            try {
                LIST.setTarget(getter(list));
                MutableCallSite.syncAll(new MutableCallSite[] {LIST});
                argsClass = type;
            } catch (IllegalAccessException | RuntimeException e) {
                // stays on the reflective path
            }
        }

        static synchronized void bindKeyArgument(KeyArgumentShape shape) {
            if (keyArgumentClass != null) {
                return;
            }
            try {
                KEY.setTarget(getter(shape.key));
                CODEC.setTarget(getter(shape.codec));
                MutableCallSite.syncAll(new MutableCallSite[] {KEY, CODEC});
                keyArgumentClass = shape.type;
            } catch (IllegalAccessException | RuntimeException e) {
                // stays on the reflective path
            }
        }

        /** {@code field} (made accessible already) as an {@code (Object)Object} getter. */
        private static MethodHandle getter(Field field) throws IllegalAccessException {
            return MethodHandles.lookup().unreflectGetter(field).asType(GETTER);
        }
    }

    private static final MultiKeyTable MULTI_KEY = new MultiKeyTable();

    /** Caches {@link #isMultiKey(String)} per enum constant, so the hot path is an array read. */
    private static final class MultiKeyTable extends ClassValue<boolean[]> {

        /** One-entry cache: {enum class, table}. */
        private volatile Object[] last = {null, null};

        boolean isMultiKey(Object type) {
            if (type instanceof Enum) {
                Class<?> enumClass = ((Enum<?>) type).getDeclaringClass();
                Object[] cached = last;
                boolean[] table;
                if (cached[0] == enumClass) {
                    table = (boolean[]) cached[1];
                } else {
                    table = get(enumClass);
                    last = new Object[] {enumClass, table};
                }
                int ordinal = ((Enum<?>) type).ordinal();
                return ordinal < table.length && table[ordinal];
            }
            return type != null && CommandKeys.isMultiKey(type.toString());
        }

        @Override
        protected boolean[] computeValue(Class<?> type) {
            Object[] constants = type.getEnumConstants();
            if (constants == null) {
                return new boolean[0];
            }
            boolean[] table = new boolean[constants.length];
            for (int i = 0; i < constants.length; i++) {
                table[i] = CommandKeys.isMultiKey(((Enum<?>) constants[i]).name());
            }
            return table;
        }
    }

    private enum CodecKind {
        BYTE_ARRAY, UTF8_STRING, STRING, OTHER
    }

    private static final class CodecShape {

        final Class<?> type;
        final CodecKind kind;
        final Method encodeKey;
        final Method encodeValue;
        final Field utf8Flag;

        CodecShape(Class<?> type, CodecKind kind, Method encodeKey, Method encodeValue, Field utf8Flag) {
            this.type = type;
            this.kind = kind;
            this.encodeKey = encodeKey;
            this.encodeValue = encodeValue;
            this.utf8Flag = utf8Flag;
        }
    }

    /** {@code CommandArgs.singularArguments} of one {@code CommandArgs} class ({@code null}: not found). */
    private static final class ArgumentListShape {

        final Class<?> type;
        final Field list;

        ArgumentListShape(Class<?> type, Field list) {
            this.type = type;
            this.list = list;
        }
    }

    private static final class ValueArgumentShape {

        final Field value;
        final Field codec;

        ValueArgumentShape(Field value, Field codec) {
            this.value = value;
            this.codec = codec;
        }
    }

    private static final class KeyArgumentShape {

        final Class<?> type;
        final Field key;
        final Field codec;

        KeyArgumentShape(Class<?> type, Field key, Field codec) {
            this.type = type;
            this.key = key;
            this.codec = codec;
        }
    }
}
