package io.stateguard.agent.lettuce;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Lettuce's public interfaces, looked up reflectively once per class loader that loaded Lettuce.
 * The agent is loaded by the system class loader and cannot link against the application's Lettuce
 * (it may live in a Spring Boot or container class loader), so it calls Lettuce through these
 * {@link Method} handles, all taken from public types so that any implementation can be invoked.
 */
final class LettuceApi {

    final Method getType;
    final Method getArgs;
    final Method getOutput;
    final Method setOutput;
    final Method complete;
    final Method completeExceptionally;
    final Method isDone;
    final Class<?> decoratedCommand;
    final Method getDelegate;
    final Method outputGet;
    final Method outputHasError;
    final Field outputCodec;
    final Class<?> keyValue;
    final Method keyValueGetKey;
    final Method keyValueHasValue;
    final Method keyValueGetValue;
    final Method encodeKey;
    final Method encodeValue;
    final Method writerWrite;
    final Constructor<?> commandConstructor;
    final Constructor<?> asyncCommandConstructor;
    final Class<?> redisException;

    private LettuceApi(ClassLoader loader) throws ReflectiveOperationException {
        Class<?> redisCommand = type(loader, "io.lettuce.core.protocol.RedisCommand");
        Class<?> commandOutput = type(loader, "io.lettuce.core.output.CommandOutput");
        Class<?> commandArgs = type(loader, "io.lettuce.core.protocol.CommandArgs");
        Class<?> protocolKeyword = type(loader, "io.lettuce.core.protocol.ProtocolKeyword");
        Class<?> redisCodec = type(loader, "io.lettuce.core.codec.RedisCodec");
        Class<?> value = type(loader, "io.lettuce.core.Value");
        getType = redisCommand.getMethod("getType");
        getArgs = redisCommand.getMethod("getArgs");
        getOutput = redisCommand.getMethod("getOutput");
        setOutput = redisCommand.getMethod("setOutput", commandOutput);
        complete = redisCommand.getMethod("complete");
        completeExceptionally = redisCommand.getMethod("completeExceptionally", Throwable.class);
        isDone = redisCommand.getMethod("isDone");
        decoratedCommand = type(loader, "io.lettuce.core.protocol.DecoratedCommand");
        getDelegate = decoratedCommand.getMethod("getDelegate");
        outputGet = commandOutput.getMethod("get");
        outputHasError = commandOutput.getMethod("hasError");
        outputCodec = commandOutput.getDeclaredField("codec");
        outputCodec.setAccessible(true);
        keyValue = type(loader, "io.lettuce.core.KeyValue");
        keyValueGetKey = keyValue.getMethod("getKey");
        keyValueHasValue = value.getMethod("hasValue");
        keyValueGetValue = value.getMethod("getValue");
        encodeKey = redisCodec.getMethod("encodeKey", Object.class);
        encodeValue = redisCodec.getMethod("encodeValue", Object.class);
        writerWrite = type(loader, "io.lettuce.core.RedisChannelWriter").getMethod("write", redisCommand);
        commandConstructor = type(loader, "io.lettuce.core.protocol.Command")
                .getConstructor(protocolKeyword, commandOutput, commandArgs);
        asyncCommandConstructor = type(loader, "io.lettuce.core.protocol.AsyncCommand").getConstructor(redisCommand);
        redisException = type(loader, "io.lettuce.core.RedisException");
    }

    private static Class<?> type(ClassLoader loader, String name) throws ClassNotFoundException {
        return Class.forName(name, false, loader);
    }

    private static final ClassValue<Object> BY_CLASS = new ClassValue<Object>() {
        @Override
        protected Object computeValue(Class<?> type) {
            try {
                return new LettuceApi(type.getClassLoader());
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return e;
            }
        }
    };

    /** The API as seen from the class loader of {@code lettuceObject}'s class. */
    static LettuceApi of(Object lettuceObject) throws ReflectiveOperationException {
        Object api = BY_CLASS.get(lettuceObject.getClass());
        if (api instanceof LettuceApi) {
            return (LettuceApi) api;
        }
        throw new ReflectiveOperationException("Lettuce API not available from " + lettuceObject.getClass(),
                (Throwable) api);
    }

    /**
     * A fresh, empty output of the same kind as {@code output}, for re-issuing a read: built with the
     * same codec, and with the same keys for outputs that pair replies with the requested keys
     * ({@code KeyValueListOutput} of {@code MGET}/{@code HMGET}).
     */
    Object freshOutput(Object output) throws ReflectiveOperationException {
        Object codec = outputCodec.get(output);
        OutputShape shape = OUTPUT_SHAPE.get(output.getClass());
        if (shape.keys != null) {
            Object keys = shape.keys.get(output);
            if (keys != null && shape.withKeys != null) {
                return shape.withKeys.newInstance(codec, keys);
            }
        }
        if (shape.withCodec == null) {
            throw new NoSuchMethodException(output.getClass().getName() + "(RedisCodec)");
        }
        return shape.withCodec.newInstance(codec);
    }

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
                if (parameters.length == 1 && parameters[0].getName().equals("io.lettuce.core.codec.RedisCodec")) {
                    codecOnly = constructor;
                } else if (parameters.length == 2
                        && parameters[0].getName().equals("io.lettuce.core.codec.RedisCodec")
                        && parameters[1] == Iterable.class) {
                    codecAndKeys = constructor;
                }
            }
            Field keysField = null;
            for (Class<?> c = type; c != null && keysField == null; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (field.getName().equals("keys") && Iterable.class.isAssignableFrom(field.getType())
                            && !Modifier.isStatic(field.getModifiers())) {
                        field.setAccessible(true);
                        keysField = field;
                        break;
                    }
                }
            }
            withCodec = codecOnly;
            withKeys = codecAndKeys;
            keys = keysField;
        }
    }
}
